// The connection's side of CGI: deciding that a request is for a script, collecting its body,
// starting the session, and taking the session's output and its end.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/ascii.hpp"
#include "worker/cgi/dispatch.hpp"
#include "worker/connection.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

constexpr unsigned max_local_redirects = 5;

// A request head rebuilt from a parsed request, so that a request can outlive the buffer it came in.
// `drop_body_fields`: for an internal redirect, which is a GET without a body.
std::string rebuild_head(const http::Request& r, std::string_view method, std::string_view target,
                         bool drop_body_fields) {
    std::string head;
    head.append(method).append(" ").append(target);
    if (r.http09) {
        head.append("\r\n");
        return head;
    }
    head.append(" HTTP/").append(std::to_string(r.version_major)).append(".").append(std::to_string(r.version_minor));
    head.append("\r\n");
    for (const http::Header& h : r.headers) {
        if (drop_body_fields && (iequals_ascii(h.name, "Content-Length") || iequals_ascii(h.name, "Transfer-Encoding") ||
                                 iequals_ascii(h.name, "Expect"))) {
            continue;
        }
        head.append(h.name).append(": ").append(h.value).append("\r\n");
    }
    head.append("\r\n");
    return head;
}

cgi::IsDirectory directory_test(const std::string& root) {
    return [&root](std::string_view relative) {
        std::string path = root;
        path.push_back('/');
        path.append(relative);
        struct stat st;
        return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    };
}

// Python's SERVER_NAME is socket.getfqdn() of the address it is bound to ("localhost" for 127.0.0.1).
// The connection's own address is used here, looked up once per address for the worker's life.
std::string server_name_for(WorkerContext& ctx, const sockaddr_storage& local, socklen_t len) {
    char numeric[INET6_ADDRSTRLEN] = "";
    ::getnameinfo(reinterpret_cast<const sockaddr*>(&local), len, numeric, sizeof numeric, nullptr, 0, NI_NUMERICHOST);
    auto it = ctx.server_names.find(numeric);
    if (it != ctx.server_names.end()) return it->second;
    char name[NI_MAXHOST] = "";
    std::string result = numeric;
    if (::getnameinfo(reinterpret_cast<const sockaddr*>(&local), len, name, sizeof name, nullptr, 0, NI_NAMEREQD) == 0) {
        result = name;
    }
    ctx.server_names.emplace(numeric, result);
    return result;
}

}  // namespace

bool Connection::wants_cgi_body(const http::Request& request) const {
    if (!ctx_.config.cgi.enabled) return false;
    const std::string& root = ctx_.config.files.root;
    return cgi::dispatch_cgi(request.target, ctx_.config.cgi.directories, directory_test(root)).kind ==
           cgi::CgiDispatchKind::Script;
}

bool Connection::try_start_cgi(const http::Request& request) {
    const std::string& root = ctx_.config.files.root;
    cgi::CgiDispatch d = cgi::dispatch_cgi(request.target, ctx_.config.cgi.directories, directory_test(root));
    if (d.kind == cgi::CgiDispatchKind::NotCgi) return false;

    auto answer_error = [&](Response r, bool close) {
        spool_.reset();
        r.close = r.close || close;
        queue_response(r, &request, request_line(request), false);
    };
    if (d.kind == cgi::CgiDispatchKind::BadRequest) {
        answer_error(error_response(400, "Bad request path"), true);
        return true;
    }
    if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
        answer_error(error_response(501, "Unsupported method ('" + std::string(request.method) + "')"), true);
        return true;
    }

    std::string script_path = root + "/" + d.script.script_relative;
    cgi::ScriptFileFacts facts;
    struct stat st;
    if (::stat(script_path.c_str(), &st) == 0) {
        facts.exists = true;
        facts.regular_file = S_ISREG(st.st_mode);
        facts.executable = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;  // as root sees it
    }
    if (auto refusal = cgi::check_script(d.script, facts)) {
        answer_error(error_response(refusal->status, refusal->message), false);
        return true;
    }
    if (!ctx_.cgi) {
        spdlog::error("cgi: no launcher channel; cannot run {}", d.script.script_name);
        answer_error(error_response(403, "CGI script could not be started"), false);
        return true;
    }
    if (ctx_.cgi->at_capacity()) {
        Response r = error_response(503, "Too many CGI scripts running");
        r.add_header("Retry-After", "1");
        answer_error(std::move(r), false);
        return true;
    }

    // The request must outlive the buffer it arrived in: keep a rebuilt copy for the session.
    std::string head = rebuild_head(request, request.method, request.target, false);
    cgi_head_ = std::move(head);
    http::ParseError error;
    http::parse_request(cgi_head_, ctx_.limits, cgi_request_, error);

    CgiStart start;
    start.request = &cgi_request_;
    start.script = d.script;
    start.script_path = script_path;
    if (spool_) {
        start.body_length = spool_->size();
        start.body = spool_->finish();
        spool_.reset();
        if (!start.body) {
            answer_error(error_response(500, "Cannot pass the request body"), true);
            return true;
        }
    }
    start.remote_addr = client_;
    learn_local_address();
    start.server_name = server_name_;
    start.server_port = server_port_;
    start.head_only = cgi_request_.method == "HEAD";
    start.chunked_allowed = ctx_.persistent && cgi_request_.at_least_http11() && !cgi_request_.http09;

    // A script's output leaves in many writes; the last small one (a final chunk, say) must not wait
    // for the client's delayed ACK (Nagle). Static responses leave in one write and do not need it.
    set_nodelay();
    cgi_ = std::make_unique<CgiSession>(*this, ctx_);
    cgi_done_ = false;
    std::string why;
    if (!cgi_->start(std::move(start), why)) {
        cgi_.reset();
        spdlog::error("cgi: {} could not be started: {}", d.script.script_name, why);
        Response r = error_response(403, "CGI script could not be started");
        queue_response(r, &cgi_request_, request_line(cgi_request_), false);
        return true;
    }
    return true;
}

// A connection's local address does not change: looked up for its first script only.
void Connection::learn_local_address() {
    if (local_address_known_) return;
    local_address_known_ = true;
    sockaddr_storage local{};
    socklen_t len = sizeof local;
    if (::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) return;
    server_name_ = server_name_for(ctx_, local, len);
    server_port_ = local.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6&>(local).sin6_port)
                                                : ntohs(reinterpret_cast<sockaddr_in&>(local).sin_port);
}

void Connection::settle_cgi() {
    event_del(&step_event_);  // a wake-up for the session is moot now
    cgi_.reset();
    cgi_done_ = false;
    if (redirect_location_.empty()) return;
    std::string location = std::move(redirect_location_);
    redirect_location_.clear();
    if (++redirects_ > max_local_redirects) {
        Response r = error_response(500, "Too many local redirects");
        queue_response(r, &cgi_request_, request_line(cgi_request_), false);
        return;
    }
    // RFC 3875 §6.2.2: answer as if the client had asked for the new path, with a GET.
    redirect_head_ = rebuild_head(cgi_request_, "GET", location, true);
    http::ParseError error;
    if (http::parse_request(redirect_head_, ctx_.limits, redirect_request_, error) != http::ParseStatus::Complete) {
        Response r = error_response(500, "Bad local redirect");
        queue_response(r, &cgi_request_, request_line(cgi_request_), false);
        return;
    }
    answer(redirect_request_);
}

void Connection::cgi_send_head(Response& response) {
    queue_response(response, &cgi_request_, request_line(cgi_request_), false);
}

void Connection::cgi_send_error(int status, const std::string& message) {
    Response r = error_response(status, message);
    queue_response(r, &cgi_request_, request_line(cgi_request_), false);
}

void Connection::cgi_send_body(std::string_view bytes) { queue_raw(bytes); }

void Connection::cgi_finished(bool close_connection) {
    cgi_done_ = true;
    if (close_connection) close_after_output_ = true;
}

void Connection::cgi_internal_redirect(const std::string& location) { redirect_location_ = location; }

void Connection::cgi_kick() { event_active(&step_event_, 0, 0); }

}  // namespace httpserve
