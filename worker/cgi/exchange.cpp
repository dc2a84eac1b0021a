#include "worker/cgi/exchange.hpp"

#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "worker/cgi/local_redirect.hpp"
#include "worker/cgi/server_address.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

cgi::IsDirectory directory_test(const std::string& root) {
    return [&root](std::string_view relative) {
        std::string path = root;
        path.push_back('/');
        path.append(relative);
        struct stat st;
        return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    };
}

cgi::ScriptFileFacts script_facts(const std::string& path) {
    cgi::ScriptFileFacts facts;
    struct stat st;
    if (::stat(path.c_str(), &st) == 0) {
        facts.exists = true;
        facts.regular_file = S_ISREG(st.st_mode);
        facts.executable = (st.st_mode & (S_IXUSR | S_IXGRP | S_IXOTH)) != 0;  // as root sees it
    }
    return facts;
}

}  // namespace

std::unique_ptr<CgiExchange> CgiExchange::open(WorkerContext& ctx, ResponseSink& sink, const CgiPeer& peer,
                                               const http::Request& request, std::string_view line,
                                               unsigned redirects) {
    if (!ctx.config.cgi.enabled) return nullptr;
    cgi::CgiDispatch route =
        cgi::dispatch_cgi(request.target, ctx.config.cgi.directories, directory_test(ctx.config.files.root));
    if (route.kind == cgi::CgiDispatchKind::NotCgi) return nullptr;
    // The request must outlive the buffer it arrived in.
    return std::unique_ptr<CgiExchange>(
        new CgiExchange(ctx, sink, peer, http::OwnedRequest(request, line), std::move(route), redirects));
}

CgiExchange::CgiExchange(WorkerContext& ctx, ResponseSink& sink, const CgiPeer& peer, http::OwnedRequest request,
                         cgi::CgiDispatch route, unsigned redirects)
    : ctx_(ctx),
      sink_(sink),
      peer_(peer),
      request_(std::move(request)),
      route_(std::move(route)),
      redirects_(redirects) {
    if (route_.kind == cgi::CgiDispatchKind::Script && request_.request().body != http::BodyFraming::None) {
        spool_ = std::make_unique<BodySpool>();
    }
}

CgiExchange::~CgiExchange() = default;

void CgiExchange::respond(Response response, bool close) {
    response.close = response.close || close;
    sink_.send_response(response, request_.request(), log_line());
}

void CgiExchange::start() {
    const http::Request& request = request_.request();
    if (route_.kind == cgi::CgiDispatchKind::BadRequest) {
        respond(error_response(400, "Bad request path"), true);
        return;
    }
    if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
        respond(error_response(501, "Unsupported method ('" + std::string(request.method) + "')"), true);
        return;
    }
    const cgi::CgiScript& script = route_.script;
    std::string script_path = ctx_.config.files.root + "/" + script.script_relative;
    // The [files] rules before Python's checks: a dotfile or a symbolic link they refuse gets the
    // answer a static file would get, and its script is not run.
    if (!ctx_.files.path_policy().allows(script.script_relative, script_path)) {
        respond(error_response(404, "File not found"));
        return;
    }
    if (auto refusal = cgi::check_script(script, script_facts(script_path))) {
        respond(error_response(refusal->status, refusal->message));
        return;
    }
    if (!ctx_.cgi) {
        spdlog::error("cgi: no launcher channel; cannot run {}", script.script_name);
        ctx_.stats->count(status::CgiFailed);
        respond(error_response(403, "CGI script could not be started"));
        return;
    }
    if (ctx_.cgi->at_capacity()) {
        Response r = error_response(503, "Too many CGI scripts running");
        r.add_header("Retry-After", "1");
        respond(std::move(r));
        return;
    }

    CgiStart start;
    if (spool_) {
        start.body_length = spool_->size();
        start.body = spool_->finish();
        spool_.reset();
        if (!start.body) {
            respond(error_response(500, "Cannot pass the request body"), true);
            return;
        }
    }
    // From here on the log names the request as the script is given it: method, target, version.
    script_line_ = http::format_request_line(request.method, request.target, request);
    start.request = &request;
    start.log_line = script_line_;
    start.script = script;
    start.script_path = std::move(script_path);
    start.remote_addr = peer_.remote_addr;
    cgi::ServerAddress server = cgi::local_server_address(peer_.socket, ctx_.server_names);
    start.server_name = std::move(server.name);
    start.server_port = server.port;
    start.https = peer_.https;
    start.head_only = request.method == "HEAD";
    start.chunked_allowed = ctx_.settings.persistent && request.at_least_http11() && !request.http09;

    session_ = std::make_unique<CgiSession>(sink_, ctx_);
    std::string why;
    if (!session_->start(std::move(start), why)) {
        session_.reset();
        spdlog::error("cgi: {} could not be started: {}", script.script_name, why);
        ctx_.stats->count(status::CgiFailed);
        respond(error_response(403, "CGI script could not be started"));
    }
}

std::optional<http::OwnedRequest> CgiExchange::take_redirect() {
    std::string location = session_ ? session_->redirect_location() : std::string();
    session_.reset();  // the script is done with: stopped if it still runs
    if (location.empty()) return std::nullopt;
    if (redirects_ + 1 > max_local_redirects) {
        respond(error_response(500, "Too many local redirects"));
        return std::nullopt;
    }
    std::optional<http::OwnedRequest> next =
        cgi::local_redirect_request(request_.request(), location, ctx_.settings.limits);
    if (!next) respond(error_response(500, "Bad local redirect"));
    return next;
}

}  // namespace httpserve
