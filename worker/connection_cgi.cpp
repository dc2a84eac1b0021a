// The connection's side of CGI, kept thin: it opens the CGI exchange of a request, starts it once
// the request is complete, drops it once it is finished (following a local redirect), and is the
// exchange's ResponseSink. Everything else about CGI lives in worker/cgi/.
#include "worker/cgi/exchange.hpp"
#include "worker/connection.hpp"
#include "worker/status_endpoint.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

bool Connection::open_cgi(const http::Request& request, std::string_view line, unsigned redirects) {
    if (wants_status_page(ctx_, request)) return false;  // answered before CGI, by answer_static()
    cgi_ = CgiExchange::open(ctx_, *this, CgiPeer{client_, fd_.get(), tls_ != nullptr}, request, line, redirects);
    return static_cast<bool>(cgi_);
}

void Connection::start_cgi() {
    head_timer_armed_ = false;
    cgi_->start();
    if (!cgi_->started()) {
        cgi_.reset();  // answered without a script
        return;
    }
    // A script's output leaves in many writes; the last small one (a final chunk, say) must not wait
    // for the client's delayed ACK (Nagle). Static responses leave in one write and do not need it.
    set_nodelay();
}

bool Connection::cgi_answering() const { return cgi_ && cgi_->started(); }

void Connection::settle_cgi() {
    event_del(&step_event_);  // a wake-up for the exchange is moot now
    std::unique_ptr<CgiExchange> done = std::move(cgi_);
    std::optional<http::OwnedRequest> next = done->take_redirect();
    const unsigned redirects = done->redirects() + 1;
    done.reset();
    if (!next) return;
    // RFC 3875 §6.2.2: answered as if the client had asked for the new location.
    open_cgi(next->request(), next->line(), redirects);
    answer(next->request(), next->line());
}

void Connection::send_response(Response& response, const http::Request& request, std::string_view log_line) {
    queue_response(response, &request, log_line, false);
}

void Connection::send_body(std::string_view bytes) { queue_raw(bytes); }

void Connection::end_response(bool close_connection) {
    if (close_connection) close_after_output_ = true;
}

void Connection::wake() { event_active(&step_event_, 0, 0); }

}  // namespace httpserve
