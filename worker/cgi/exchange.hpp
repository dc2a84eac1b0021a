// One CGI request from its head to its end: the single dispatch decision, the request (owned), its
// body collected for the script's stdin, the checks before running, the session running the script,
// and the local redirect it may end with. Answers go to a ResponseSink (the connection, which owns
// the exchange); nothing here calls anything that could free the exchange.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "worker/cgi/body_spool.hpp"
#include "worker/cgi/dispatch.hpp"
#include "worker/cgi/response_sink.hpp"
#include "worker/cgi/session.hpp"
#include "worker/http/owned_request.hpp"
#include "worker/http/request_parser.hpp"

namespace httpserve {

struct WorkerContext;

// The two ends of the client's connection, for the script's environment.
struct CgiPeer {
    const char* remote_addr = "";  // printable client address; the connection's, which outlives us
    int socket = -1;               // its local address names the server (SERVER_NAME, SERVER_PORT)
    bool https = false;            // the connection is TLS: HTTPS=on
};

class CgiExchange {
public:
    // Local redirects followed for one client request before answering 500.
    static constexpr unsigned max_local_redirects = 5;

    // The dispatch decision, made once per request: an exchange when CGI is on and `request` is for
    // a CGI script (or names one so badly that the answer is 400), else null: not CGI.
    // `redirects`: local redirects that led to this request.
    static std::unique_ptr<CgiExchange> open(WorkerContext& ctx, ResponseSink& sink, const CgiPeer& peer,
                                             const http::Request& request, std::string_view line, unsigned redirects);
    ~CgiExchange();
    CgiExchange(const CgiExchange&) = delete;
    CgiExchange& operator=(const CgiExchange&) = delete;

    // The request body is for the script's stdin (else the connection discards it).
    bool wants_body() const { return static_cast<bool>(spool_); }
    // Keeps body bytes for the script; false when they cannot be kept (answer 500).
    bool add_body(std::string_view bytes) { return !spool_ || spool_->append(bytes); }

    // The request is complete: checks it and starts its script, or answers why not.
    void start();
    // A script was started: its output is the response in progress.
    bool started() const { return static_cast<bool>(session_); }
    // The script's response is complete (or was given up).
    bool finished() const { return session_ && session_->done(); }
    // The sink's output drained below its mark: read the script again.
    void resume_output() { session_->resume_output(); }

    // Once finished: ends the session, then returns the request to answer next when the script
    // asked for a local redirect (RFC 3875 §6.2.2). Too many hops, or a location no client could
    // have asked for, are answered 500 here instead.
    std::optional<http::OwnedRequest> take_redirect();
    // Local redirects that led to this exchange's request.
    unsigned redirects() const { return redirects_; }

private:
    CgiExchange(WorkerContext& ctx, ResponseSink& sink, const CgiPeer& peer, http::OwnedRequest request,
                cgi::CgiDispatch route, unsigned redirects);

    // Answers `response` for this request, in the access log under the current log line.
    void respond(Response response, bool close = false);
    std::string_view log_line() const { return script_line_.empty() ? request_.line() : script_line_; }

    WorkerContext& ctx_;
    ResponseSink& sink_;
    CgiPeer peer_;
    http::OwnedRequest request_;
    cgi::CgiDispatch route_;
    unsigned redirects_;
    std::unique_ptr<BodySpool> spool_;  // only for a script's request with a body
    std::string script_line_;           // the log line once a script is given the request
    std::unique_ptr<CgiSession> session_;
};

}  // namespace httpserve
