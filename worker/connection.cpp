#include "worker/connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <new>

#include "worker/cgi/exchange.hpp"
#include "worker/http/proxy_header.hpp"
#include "worker/peer_address.hpp"
#include "worker/proxy_gate.hpp"
#include "worker/status_endpoint.hpp"
#include "worker/tls/session.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

constexpr size_t max_iov = 64;
constexpr uint64_t send_budget_per_event = 2 * 1024 * 1024;  // fairness between connections
constexpr size_t max_queued_output = 256 * 1024;             // stop parsing pipelined requests above
constexpr Duration lingering_time = std::chrono::seconds(5);
// A stopping worker: how long a connection closed for being idle drains input, and how long a new
// connection may take to send its first request.
constexpr Duration shutdown_grace = std::chrono::seconds(1);

timeval to_timeval(Duration d) {
    auto ms = d.count();
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

// The first line of raw input, for logging a request that did not parse.
std::string_view first_line_of(std::string_view data) {
    size_t start = data.find_first_not_of("\r\n");
    if (start == std::string_view::npos) return {};
    size_t end = data.find_first_of("\r\n", start);
    if (end == std::string_view::npos) end = data.size();
    return data.substr(start, std::min<size_t>(end - start, 8192));
}

}  // namespace

std::string_view Connection::request_line(const http::Request& r) {
    // The request line as received (for the log): from the method to the end of its line.
    const char* start = r.method.data();
    const char* end = r.target.data() + r.target.size();
    while (*end != '\n' && *end != '\r') ++end;
    return {start, static_cast<size_t>(end - start)};
}

void Connection::start(WorkerContext& ctx, int fd, const sockaddr_storage& peer, const TlsContext* tls) {
    Connection* c = nullptr;
    try {
        c = new Connection(ctx, fd, peer, tls);
    } catch (const std::bad_alloc&) {
        ::close(fd);  // OpenSSL could not make the session: refuse this one connection, not the worker
        return;
    }
    c->state_ = State::ReadingHead;  // a fresh connection has header_timeout to send its request
    // On a TLS listener, the handshake comes first, with its own timeout.
    c->arm_timer(tls ? ctx.config.tls.handshake_timeout : ctx.settings.header_timeout);
    c->head_timer_armed_ = !tls;
    c->tls_handshaking_ = tls != nullptr;
    // The request is usually there already: read it now. A connection answered and closed at once
    // (Connection: close) then never costs an epoll registration.
    c->handle_readable();
    end_step(c);
}

void Connection::start_proxied(WorkerContext& ctx, int fd, const sockaddr_storage& peer, Duration proxy_timeout) {
    auto* c = new Connection(ctx, fd, peer, nullptr);  // config refuses proxy_protocol on a TLS listener
    c->state_ = State::ReadingProxy;
    c->arm_timer(proxy_timeout);
    // The header and the first request usually arrive together: one read takes both.
    c->handle_readable();
    end_step(c);
}

bool Connection::take_proxy_header(std::string_view& fresh) {
    std::string_view data = fresh;
    if (!pending_.empty()) {  // the header came in pieces (bounded by the parser)
        pending_.append(fresh);
        data = pending_;
    }
    proxy::Header header;
    const char* why = "";
    const proxy::Status status = proxy::parse_header(data, header, why);
    if (status == proxy::Status::Incomplete) {
        if (pending_.empty()) pending_.assign(fresh);
        enable_reading(true);
        return false;
    }
    if (status == proxy::Status::Error) {
        ++ctx_.proxy.malformed;
        log_proxy_refusal(ctx_, client_, why);
        drop();
        return false;
    }
    // LOCAL (the balancer's health check) and unknown families keep the connection's own address.
    if (header.has_addresses) format_peer(header.source, client_, sizeof client_);
    // What follows the header is the start of the HTTP input; it is all within the latest read.
    const size_t after = data.size() - header.length;
    fresh = fresh.substr(fresh.size() - after);
    pending_.clear();
    state_ = State::ReadingHead;
    arm_timer(ctx_.settings.header_timeout);
    head_timer_armed_ = true;
    if (fresh.empty()) {
        enable_reading(true);
        return false;
    }
    return true;
}

template <void (Connection::*step)()>
void Connection::on_event(evutil_socket_t, short, void* self) {
    auto* c = static_cast<Connection*>(self);
    (c->*step)();
    end_step(c);
}

void Connection::end_step(Connection* c) {
    if (c->closing_) {
        delete c;
        return;
    }
    c->note_phase();
}

void Connection::note_phase() {
    status::Gauge now = status::Reading;
    if (state_ == State::Lingering || writing_enabled_ || cgi_answering()) {
        now = status::Writing;
    } else if (state_ == State::Idle) {
        now = status::Idle;
    }
    if (now == phase_) return;
    ctx_.stats->move(phase_, -1);
    ctx_.stats->move(now, 1);
    phase_ = now;
}

Connection::Connection(WorkerContext& ctx, int fd, const sockaddr_storage& peer, const TlsContext* tls)
    : ctx_(ctx), fd_(-1) {
    format_peer(peer, client_, sizeof client_);
    if (tls) tls_ = std::make_unique<TlsSession>(*tls, fd);  // first: if it throws, start() closes fd
    fd_.reset(fd);
    event_assign(&read_event_, ctx.base, fd, EV_READ | EV_PERSIST, &Connection::on_event<&Connection::handle_readable>,
                 this);
    event_assign(&write_event_, ctx.base, fd, EV_WRITE | EV_PERSIST,
                 &Connection::on_event<&Connection::handle_writable>, this);
    evtimer_assign(&timer_event_, ctx.base, &Connection::on_event<&Connection::handle_timeout>, this);
    event_assign(&step_event_, ctx.base, -1, 0, &Connection::on_event<&Connection::drive>, this);
    next = ctx.connections;
    if (next) next->prev = this;
    ctx.connections = this;
    ++ctx.open_connections;
    ctx.stats->count(status::Handled);
    ctx.stats->move(status::Active, 1);
    ctx.stats->move(phase_, 1);  // Reading, until its first step ends (note_phase)
}

Connection::~Connection() {
    event_del(&read_event_);
    event_del(&write_event_);
    event_del(&timer_event_);
    event_del(&step_event_);
    if (prev) prev->next = next;
    else ctx_.connections = next;
    if (next) next->prev = prev;
    --ctx_.open_connections;
    ctx_.stats->move(status::Active, -1);
    ctx_.stats->move(phase_, -1);
    if (ctx_.on_capacity_change) ctx_.on_capacity_change(ctx_);
}

void Connection::destroy() { delete this; }

void Connection::begin_shutdown() {
    // A request in progress, a CGI script's included, is answered (ctx_.stopping makes that response
    // the last one) and the connection closes after it (drive()).
    if (state_ == State::Idle) {
        // A request that arrived but was not read yet is answered like the others.
        if (input_waiting()) return;
        // Close gently: a request racing with this close meets an end of file before any byte of an
        // answer, which a client may retry (RFC 9112 section 9.3.1), never a reset.
        start_lingering_close(shutdown_grace);
    } else if (state_ == State::ReadingHead && pending_.empty() && out_.empty() && !cgi_) {
        // Accepted, nothing received yet: its request is most likely on the way. Not for long, though.
        arm_timer(std::min(ctx_.settings.header_timeout, shutdown_grace));
    }
}

bool Connection::input_waiting() const {
    if (tls_) return tls_->input_waiting();
    char byte;
    ssize_t n;
    do { n = ::recv(fd_.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT); } while (n < 0 && errno == EINTR);
    return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

void Connection::enable_reading(bool on) {
    if (on == reading_enabled_) return;
    reading_enabled_ = on;
    if (on) event_add(&read_event_, nullptr);
    else event_del(&read_event_);
    // Bytes TLS has decrypted already make the socket no more readable: run the handler anyway.
    if (on && tls_ && tls_->buffered_input()) event_active(&read_event_, EV_READ, 1);
}

void Connection::enable_writing(bool on) {
    if (on == writing_enabled_) return;
    writing_enabled_ = on;
    if (on) event_add(&write_event_, nullptr);
    else event_del(&write_event_);
}

void Connection::arm_timer(Duration d) {
    timeval tv = to_timeval(d);
    event_add(&timer_event_, &tv);
}

void Connection::handle_readable() {
    char* buf = ctx_.read_buffer.data();
    const size_t cap = ctx_.read_buffer.size();
    if (state_ == State::Lingering) {
        for (;;) {
            ssize_t n = receive(buf, cap);
            if (n > 0) continue;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == EAGAIN) return;
            drop();  // EOF or error: the client has what we sent
            return;
        }
    }
    if (cgi_answering()) {
        // A script is answering: what the client sends now (or its end) waits in the socket.
        enable_reading(false);
        return;
    }
    ssize_t n;
    do { n = receive(buf, cap); } while (n < 0 && errno == EINTR);
    if (tls_ && tls_progress(n > 0 ? std::string_view(buf, static_cast<size_t>(n)) : std::string_view{})) return;
    if (n == 0 || (n < 0 && errno != EAGAIN)) {
        // The client closed (or broke) its side: nothing more can be answered.
        drop();
        return;
    }
    if (n < 0) {  // EAGAIN: nothing yet (or a spurious wake-up)
        enable_reading(true);
        return;
    }
    std::string_view fresh(buf, static_cast<size_t>(n));
    if (state_ == State::ReadingProxy && !take_proxy_header(fresh)) return;

    if (state_ == State::Idle) {
        state_ = State::ReadingHead;
        arm_timer(ctx_.settings.header_timeout);
        head_timer_armed_ = true;
    } else if (state_ == State::ReadingBody) {
        arm_timer(ctx_.settings.body_timeout);  // the longest pause between body reads
    }
    if (pending_.empty()) {
        // Fast path: parse straight from the shared buffer; keep only what is left over.
        need_more_input_ = false;
        std::string_view data = fresh;
        size_t used = process(data);
        if (used < data.size()) pending_.assign(data.substr(used));
    } else {
        const size_t old_size = pending_.size();
        pending_.append(fresh);
        if (state_ != State::ReadingHead || worth_parsing(old_size)) {
            need_more_input_ = false;
            size_t used = process(pending_);
            pending_.erase(0, used);
        }
    }
    if (need_more_input_ && state_ == State::ReadingHead && pending_.size() > ctx_.settings.max_head_bytes) {
        // The parser rescans a partial head on every new line; the whole head is bounded too.
        Response r = error_response(431, "Request header fields too large");
        r.close = true;
        unread_input_ = true;
        queue_response(r, nullptr, first_line_of(pending_), false);
        pending_.clear();
    }
    drive();
    if (!closing_ && reading_enabled_ && tls_ && tls_->buffered_input()) event_active(&read_event_, EV_READ, 1);
}

ssize_t Connection::receive(char* buf, size_t cap) {
    if (tls_) return tls_->receive(buf, cap);
    return ::recv(fd_.get(), buf, cap, 0);
}

bool Connection::tls_progress(std::string_view received) {
    if (tls_->plain_http()) {
        if (!tls_handshaking_) return false;  // answered already; this is the lingering drain
        tls_handshaking_ = false;
        // Like nginx: say what happened instead of failing a handshake the client never began.
        Response r = error_response(400, "The plain HTTP request was sent to HTTPS port");
        r.close = true;
        unread_input_ = true;
        queue_response(r, nullptr, first_line_of(received), false);
        drive();
        return true;
    }
    if (tls_handshaking_ && tls_->handshake_done()) {
        tls_handshaking_ = false;
        arm_timer(ctx_.settings.header_timeout);  // now the request itself
        head_timer_armed_ = true;
    }
    return false;
}

void Connection::set_nodelay() {
    if (nodelay_) return;
    int one = 1;
    ::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    nodelay_ = true;
}

bool Connection::worth_parsing(size_t old_size) const {
    // A partial head is parsed again only when a line was completed or the line being received has
    // grown past a line limit: a client sending one byte at a time cannot make us rescan per byte.
    if (std::memchr(pending_.data() + old_size, '\n', pending_.size() - old_size) != nullptr) return true;
    size_t last_lf = old_size == 0 ? std::string::npos : pending_.rfind('\n', old_size - 1);
    size_t line_start = last_lf == std::string::npos ? 0 : last_lf + 1;
    return pending_.size() - line_start > ctx_.settings.shortest_line_limit;
}

void Connection::handle_writable() { drive(); }

void Connection::handle_timeout() {
    if (state_ == State::ReadingProxy) {
        ++ctx_.proxy.timed_out;
        log_proxy_refusal(ctx_, client_, "no complete PROXY header within proxy_timeout");
        drop();
        return;
    }
    if (!out_.empty() || state_ == State::Lingering || state_ == State::Idle || state_ == State::ReadingBody) {
        drop();  // a client that does not read, an idle keep-alive, a stalled body: just close
        return;
    }
    // ReadingHead: a request that did not arrive in time.
    if (pending_.empty()) {
        drop();  // nothing was sent at all: no one to answer
        return;
    }
    Response r = error_response(408);
    r.close = true;
    unread_input_ = true;
    queue_response(r, nullptr, first_line_of(pending_), false);
    pending_.clear();
    drive();
}

bool Connection::take_body(std::string_view data, size_t& pos, bool& failed, int& fail_status) {
    failed = false;
    if (chunked_) {
        size_t consumed = 0;
        std::string& discard = ctx_.body_scratch;
        discard.clear();
        auto status = chunked_->feed(data.substr(pos), discard, consumed);
        pos += consumed;
        if (cgi_ && !cgi_->add_body(discard)) {
            failed = true;
            fail_status = 500;
            chunked_.reset();
            return false;
        }
        if (status == http::ChunkedDecoder::Status::Done) {
            chunked_.reset();
            return true;
        }
        if (status == http::ChunkedDecoder::Status::Error) {
            failed = true;
            fail_status = chunked_->over_limit() ? 413 : 400;
            chunked_.reset();
        }
        return false;
    }
    uint64_t take = std::min<uint64_t>(body_left_, data.size() - pos);
    if (cgi_ && !cgi_->add_body(data.substr(pos, take))) {
        failed = true;
        fail_status = 500;
        return false;
    }
    pos += take;
    body_left_ -= take;
    return body_left_ == 0;
}

size_t Connection::process(std::string_view data) {
    size_t pos = 0;
    http::Request& request = ctx_.request;
    http::ParseError error;
    while (!close_after_output_ && !cgi_answering() && queued_bytes_ < max_queued_output) {
        if (state_ == State::ReadingBody) {
            bool failed = false;
            int fail_status = 400;
            bool done = take_body(data, pos, failed, fail_status);
            if (failed) {
                Response r = error_response(fail_status);
                r.close = true;
                queue_response(r, nullptr, {}, false);
                unread_input_ = true;  // what follows is not read: close gently
                cgi_.reset();
                return data.size();
            }
            if (!done) {
                need_more_input_ = true;
                return pos;
            }
            // The body is in; the request kept meanwhile (by its CGI exchange, or here) is answered now.
            state_ = State::ReadingHead;
            if (cgi_) {
                start_cgi();
            } else {
                answer_static(waiting_->request(), waiting_->line());
                waiting_.reset();
            }
            continue;
        }
        if (pos == data.size()) break;
        if (state_ == State::Idle) state_ = State::ReadingHead;
        std::string_view rest = data.substr(pos);
        auto status = http::parse_request(rest, ctx_.settings.limits, request, error);
        if (status == http::ParseStatus::Incomplete) {
            need_more_input_ = true;
            break;
        }
        if (status == http::ParseStatus::Error) {
            answer_parse_error(error, rest);
            unread_input_ = true;  // what follows is not read: close gently
            return data.size();
        }
        pos += request.head_length;
        const std::string_view line = request_line(request);
        bool continue_allowed = ctx_.settings.persistent && request.at_least_http11() && !request.http09;
        if (request.body == http::BodyFraming::None) {
            if (request.expect_continue && continue_allowed) queue_raw("HTTP/1.1 100 Continue\r\n\r\n");
            open_cgi(request, line, 0);
            answer(request, line);
            continue;
        }
        // A body over the limit is refused whatever the method, before any of it is read.
        if (request.body == http::BodyFraming::ContentLength && request.content_length > ctx_.settings.max_body) {
            Response r = error_response(413);
            r.close = true;
            queue_response(r, &request, line, false);
            unread_input_ = true;  // what follows is not read: close gently
            return data.size();
        }
        // GET and HEAD ignore a body, but it must be read before the next request can be found.
        // Other methods are answered (and the connection closed) without reading it.
        // A CGI script gets the body on its stdin: it is collected first.
        const bool for_cgi = open_cgi(request, line, 0) && cgi_->wants_body();
        if (!for_cgi && request.method != "GET" && request.method != "HEAD") {
            answer(request, line);
            unread_input_ = true;  // what follows is not read: close gently
            return data.size();
        }
        if (request.expect_continue && continue_allowed) queue_raw("HTTP/1.1 100 Continue\r\n\r\n");
        if (request.body == http::BodyFraming::Chunked) {
            chunked_ = std::make_unique<http::ChunkedDecoder>(ctx_.settings.max_body);
        } else {
            body_left_ = request.content_length;
        }
        state_ = State::ReadingBody;
        bool failed = false;
        int fail_status = 400;
        if (take_body(data, pos, failed, fail_status)) {
            state_ = State::ReadingHead;
            answer(request, line);  // the head's views are still valid: `data` has not changed
            continue;
        }
        if (failed) {
            Response r = error_response(fail_status);
            r.close = true;
            queue_response(r, &request, line, false);
            unread_input_ = true;  // what follows is not read: close gently
            cgi_.reset();
            return data.size();
        }
        // Wait for the rest of the body; a CGI exchange keeps its own copy of the request.
        if (!cgi_) waiting_.emplace(request, line);
        arm_timer(ctx_.settings.body_timeout);
        need_more_input_ = true;
        return pos;
    }
    return pos;
}

void Connection::answer(const http::Request& request, std::string_view line) {
    if (cgi_) {
        start_cgi();
    } else {
        answer_static(request, line);
    }
}

void Connection::answer_static(const http::Request& request, std::string_view line) {
    head_timer_armed_ = false;
    if (wants_status_page(ctx_, request)) {
        Response r = status_page(ctx_, request, client_);
        queue_response(r, &request, line, request.http09 || request.version_major == 0);
        return;
    }
    if (request.method == "GET" || request.method == "HEAD") {
        Response r = ctx_.files.handle(request, request.method == "HEAD");
        // -H and [[headers]] go on the successful answers only, as Python's extra_response_headers do
        // (206 is our answer where Python sends the whole file with 200).
        if (r.status == 200 || r.status == 206) ctx_.header_rules.append_for_target(request.target, r.headers);
        // An explicit "HTTP/0.9" version gets a 0.9 answer too: the body alone (Python does the same).
        queue_response(r, &request, line, request.http09 || request.version_major == 0);
        return;
    }
    Response r;
    if (request.method == "POST" && ctx_.config.cgi.enabled) {
        r = error_response(501, "Can only POST to CGI scripts");
    } else {
        r = error_response(501, "Unsupported method ('" + std::string(request.method) + "')");
    }
    r.close = true;
    queue_response(r, &request, line, false);
}

void Connection::answer_parse_error(const http::ParseError& error, std::string_view data) {
    Response r = error_response(error.status, error.reason, error.explain);
    r.close = true;
    // Python logs an over-long request line as "".
    queue_response(r, nullptr, error.status == 414 ? std::string_view{} : first_line_of(data), false);
}

void Connection::queue_raw(std::string_view bytes) {
    if (!out_.empty() && !out_.back().file) {
        out_.back().mem.append(bytes);
    } else {
        out_.push_back(OutChunk{std::string(bytes), nullptr, 0, 0});
    }
    queued_bytes_ += bytes.size();
}

void Connection::queue_response(Response& r, const http::Request* request, std::string_view request_line, bool http09) {
    bool keep_alive = false;
    bool keep_alive_header = false;
    if (request && ctx_.settings.persistent && !ctx_.stopping && !r.close && !http09) {
        if (request->at_least_http11()) {
            keep_alive = request->connection != http::ConnectionToken::Close;
        } else {
            keep_alive = request->connection == http::ConnectionToken::KeepAlive;
            keep_alive_header = keep_alive;
        }
    }
    if (!keep_alive) close_after_output_ = true;
    const bool head_only = request && request->method == "HEAD";

    if (!http09) {
        std::string& head = ctx_.head_scratch;
        head.clear();
        HeadContext hc{ctx_.settings.protocol, ctx_.server_header, ctx_.dates.now(), !keep_alive, keep_alive_header};
        append_head(head, r, hc);
        queue_raw(head);
    }
    uint64_t body_bytes = 0;
    if (!head_only && !r.borrowed_body.empty()) {
        queue_raw(r.borrowed_body);
        body_bytes += r.borrowed_body.size();
    }
    if (!head_only) {
        for (OutChunk& chunk : r.body) {
            body_bytes += chunk.mem.size() + chunk.length;
            if (!chunk.file) {
                queue_raw(chunk.mem);
            } else {
                set_nodelay();  // head and file leave in several writes: the last must not wait
                queued_bytes_ += chunk.mem.size();
                out_.push_back(std::move(chunk));
            }
        }
    }

    ctx_.stats->count(status::Requests);
    ctx_.stats->count(status::response_class(r.status));
    if (ctx_.access_log.enabled()) {
        AccessRecord rec;
        rec.client = client_;
        rec.request_line = request_line;
        rec.status = r.status;
        rec.bytes = body_bytes;
        if (request) {
            if (const http::Header* h = request->find("Referer")) rec.referer = h->value;
            if (const http::Header* h = request->find("User-Agent")) rec.user_agent = h->value;
        }
        if (r.status >= 400) rec.error_message = r.reason;
        ctx_.access_log.add(rec, ::time(nullptr));
    }
}

bool Connection::write_some(bool& blocked) {
    blocked = false;
    uint64_t budget = send_budget_per_event;
    while (!out_.empty()) {
        OutChunk& front = out_.front();
        const bool memory = out_mem_offset_ < front.mem.size();
        if (!memory && !(front.file && front.length > 0)) {
            out_.pop_front();
            out_mem_offset_ = 0;
            continue;
        }
        if (!memory && budget == 0) {
            blocked = true;  // let other connections run
            return true;
        }
        const size_t want = memory ? 0 : static_cast<size_t>(std::min(front.length, budget));
        const ssize_t n = memory ? send_memory() : send_file(front, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            blocked = errno == EAGAIN;
            return blocked;
        }
        const size_t sent = static_cast<size_t>(n);
        ctx_.stats->count(status::BytesOut, sent);
        queued_bytes_ -= std::min(queued_bytes_, sent);
        if (memory) {
            consume_memory(sent);
            continue;
        }
        if (n == 0) return false;  // the file shrank: the promised length cannot be sent
        front.offset += sent;
        front.length -= sent;
        budget -= sent;
        // Less than asked: the socket buffer is full. Wait for room rather than ask again only
        // to hear EAGAIN (about a third of the calls for large files). Not over TLS without kernel
        // TLS, which sends a file one record at a time: there, only EAGAIN means full.
        if (sent < want && front.length > 0 && !tls_) {
            blocked = true;
            return true;
        }
    }
    return true;
}

ssize_t Connection::send_memory() {
    iovec iov[max_iov];
    size_t count = 0;
    for (auto it = out_.begin(); it != out_.end() && count < max_iov; ++it) {
        size_t skip = it == out_.begin() ? out_mem_offset_ : 0;
        if (it->mem.size() > skip) iov[count++] = iovec{it->mem.data() + skip, it->mem.size() - skip};
        if (it->file && it->length > 0) break;  // its file bytes come before the next chunk
    }
    if (tls_) return tls_->send(iov, count, ctx_.send_scratch);
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    return ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
}

ssize_t Connection::send_file(const OutChunk& chunk, size_t want) {
    if (tls_) return tls_->send_file(chunk.file->get(), chunk.offset, want, ctx_.send_scratch);
    off_t offset = static_cast<off_t>(chunk.offset);
    return ::sendfile(fd_.get(), chunk.file->get(), &offset, want);
}

void Connection::consume_memory(size_t sent) {
    while (sent > 0) {
        OutChunk& c = out_.front();
        size_t avail = c.mem.size() - out_mem_offset_;
        if (sent < avail) {
            out_mem_offset_ += sent;
            return;
        }
        sent -= avail;
        out_mem_offset_ = c.mem.size();
        if (c.file && c.length > 0) return;  // its file bytes are next
        out_.pop_front();
        out_mem_offset_ = 0;
    }
}

void Connection::drive() {
    for (;;) {
        if (cgi_ && cgi_->finished()) settle_cgi();
        if (!out_.empty()) {
            bool blocked = false;
            if (!write_some(blocked)) {
                drop();
                return;
            }
            if (blocked) {
                enable_writing(true);
                enable_reading(false);  // back-pressure: read no more requests until this one is out
                arm_timer(ctx_.settings.send_timeout);
                head_timer_armed_ = false;
                return;
            }
        }
        if (cgi_answering()) {
            // The script's output is the response in progress: read more of it, and nothing else.
            // Reading the client stops only when it sends something (handle_readable): most send
            // nothing meanwhile, and then cost no epoll change per request.
            if (!cgi_->finished()) {
                cgi_->resume_output();
                enable_writing(false);
                event_del(&timer_event_);  // the session has its own timeout
                return;
            }
            continue;
        }
        if (close_after_output_) {
            if (unread_input_ || !pending_.empty() || state_ == State::ReadingBody) {
                start_lingering_close(lingering_time);
            } else {
                // The request was read to its end (nginx's heuristic): nothing unread can turn the
                // close into a reset, so skip the lingering round trip.
                drop();
            }
            return;
        }
        // Pipelined requests already received are answered before reading more.
        if (!pending_.empty() && !need_more_input_) {
            size_t used = process(pending_);
            pending_.erase(0, used);
            if (!out_.empty() || close_after_output_) continue;
        }
        break;
    }
    enable_writing(false);
    enable_reading(true);
    if (state_ == State::ReadingBody) return;  // its timer is armed per read
    if (pending_.empty()) {
        if (ctx_.stopping) {
            // A response begun before the worker was told to stop (it could not say Connection: close)
            // is out: do not wait for another request.
            start_lingering_close(shutdown_grace);
            return;
        }
        if (state_ != State::Idle) {
            state_ = State::Idle;
            if (pending_.capacity() > 4096) std::string().swap(pending_);  // idle connections stay small
            arm_timer(ctx_.settings.keepalive_timeout);
            head_timer_armed_ = false;
        }
    } else if (!head_timer_armed_) {
        state_ = State::ReadingHead;
        arm_timer(ctx_.settings.header_timeout);  // a new request has begun
        head_timer_armed_ = true;
    }
}

void Connection::start_lingering_close(Duration drain) {
    // Close gently: shut our side, then drain what the client still sends, so that unread request
    // bytes do not turn into a reset that could destroy the response in flight.
    if (tls_) {
        tls_->shutdown_write();
    } else {
        ::shutdown(fd_.get(), SHUT_WR);
    }
    state_ = State::Lingering;
    pending_.clear();
    enable_writing(false);
    enable_reading(true);
    arm_timer(drain);
}

}  // namespace httpserve
