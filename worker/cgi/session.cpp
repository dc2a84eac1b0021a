#include "worker/cgi/session.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "worker/cgi/environment.hpp"
#include "worker/cgi/runner.hpp"
#include "worker/response.hpp"
#include "worker/worker_context.hpp"

namespace httpserve {

namespace {

constexpr size_t read_chunk = 64 * 1024;
constexpr size_t read_budget_per_event = 256 * 1024;  // fairness between connections
constexpr unsigned max_stderr_lines = 100;            // per script; the rest is counted, not logged
constexpr size_t max_stderr_line = 4096;

// A pipe whose read end (ours) does not block and whose write end (the script's) does: scripts do
// not expect EAGAIN on their stdout.
bool make_output_pipe(UniqueFd& ours, UniqueFd& theirs) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    ours.reset(fds[0]);
    theirs.reset(fds[1]);
    return ::fcntl(ours.get(), F_SETFL, O_NONBLOCK) == 0;  // a new read end has no other status flag
}

timeval to_timeval(Duration d) {
    auto ms = d.count();
    return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

}  // namespace

CgiSession::CgiSession(ResponseSink& sink, WorkerContext& ctx) : sink_(sink), ctx_(ctx) {
    evtimer_assign(&timer_event_, ctx.base, &CgiSession::on_timeout, this);
}

CgiSession::~CgiSession() {
    if (stdout_armed_) event_del(&stdout_event_);
    if (stderr_armed_) event_del(&stderr_event_);
    event_del(&timer_event_);
    if (!stderr_partial_.empty()) log_stderr_line(stderr_partial_);
    if (ctx_.cgi) {
        // A script whose output is still open (its client went away, or it timed out) is stopped;
        // one that closed its output is left to the launcher, which reaps it.
        // The launcher may answer after the script has already written everything and exited.
        const bool output_open = static_cast<bool>(stdout_);
        if (request_id_ != 0 || (pid_ > 0 && output_open)) ctx_.cgi->forget(request_id_, pid_, output_open);
        if (counted_) ctx_.cgi->session_ended();
    }
    if (running_shown_) ctx_.stats->move(status::CgiRunning, -1);
}

bool CgiSession::start(CgiStart&& s, std::string& error) {
    request_ = s.request;
    log_line_ = s.log_line;
    script_name_ = s.script.script_name;
    head_only_ = s.head_only;
    chunked_allowed_ = s.chunked_allowed;

    UniqueFd stdout_w, stderr_w;
    if (!make_output_pipe(stdout_, stdout_w) || !make_output_pipe(stderr_, stderr_w)) {
        error = std::string("pipe: ") + std::strerror(errno);
        return false;
    }
    cgi::CgiEnvironmentInput env_in{*s.request,         s.script,      ctx_.config.files.root, s.remote_addr,
                                    ctx_.server_header, s.server_name, s.server_port,          ctx_.settings.protocol,
                                    s.body_length,      s.https};
    std::vector<std::string> env = cgi::build_cgi_environment(env_in);
    std::vector<std::string> argv = cgi::cgi_argv(s.script);
    if (!s.body && !ctx_.dev_null) ctx_.dev_null.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const int stdin_fd = s.body ? s.body.get() : ctx_.dev_null.get();
    if (stdin_fd < 0) {
        error = std::string("/dev/null: ") + std::strerror(errno);
        return false;
    }
    request_id_ = ctx_.cgi->spawn(this, s.script_path, argv, env, stdin_fd, stdout_w.get(), stderr_w.get(), error);
    if (request_id_ == 0) return false;
    // The launcher holds its own copies now; ours would keep the pipes open after the script exits.
    s.body.reset();
    ctx_.cgi->session_started();
    counted_ = true;

    event_assign(&stdout_event_, ctx_.base, stdout_.get(), EV_READ | EV_PERSIST, &CgiSession::on_stdout, this);
    event_assign(&stderr_event_, ctx_.base, stderr_.get(), EV_READ | EV_PERSIST, &CgiSession::on_stderr, this);
    event_add(&stdout_event_, nullptr);
    event_add(&stderr_event_, nullptr);
    stdout_armed_ = stderr_armed_ = true;
    arm_timeout();
    return true;
}

void CgiSession::arm_timeout() {
    timeval tv = to_timeval(ctx_.config.cgi.timeout);
    event_add(&timer_event_, &tv);
}

void CgiSession::on_spawned(pid_t pid) {
    // The status page counts a script from the launcher's answer: "running" never exceeds "started".
    ctx_.stats->count(status::CgiStarted);
    ctx_.stats->move(status::CgiRunning, 1);
    running_shown_ = true;
    pid_ = pid;
    request_id_ = 0;  // answered: nothing left to forget at the runner
    if (output_ended_early_) {
        report_missing_head();
        sink_.wake();
    }
}

void CgiSession::on_spawn_failed(int code, const std::string& message) {
    request_id_ = 0;
    ctx_.stats->count(status::CgiFailed);
    spdlog::error("cgi: {} could not be started: {} ({})", script_name_, message, code);
    // Python's documented promise: a problem with the script is a 403, never a script run as root.
    fail(403, "CGI script could not be started");
    sink_.wake();
}

void CgiSession::on_stdout(evutil_socket_t, short, void* self) { static_cast<CgiSession*>(self)->read_stdout(); }
void CgiSession::on_stderr(evutil_socket_t, short, void* self) { static_cast<CgiSession*>(self)->read_stderr(); }

void CgiSession::on_timeout(evutil_socket_t, short, void* self) {
    auto* s = static_cast<CgiSession*>(self);
    s->ctx_.stats->count(status::CgiTimedOut);
    spdlog::error("cgi: {} (pid {}) silent for {} ms; stopping it", s->script_name_, s->pid_,
                  s->ctx_.config.cgi.timeout.count());
    if (s->pid_ > 0) s->ctx_.cgi->kill(s->pid_);
    if (!s->head_sent_) {
        s->fail(504, "");
    } else {
        s->finish(true);  // part of the answer is out: only closing tells the client it is cut
    }
    s->sink_.wake();
}

void CgiSession::read_stdout() {
    char* buf = ctx_.read_buffer.data();
    const size_t cap = std::min(ctx_.read_buffer.size(), read_chunk);
    size_t budget = read_budget_per_event;
    while (phase_ != Phase::Done && budget > 0) {
        ssize_t n = ::read(stdout_.get(), buf, cap);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) break;
            n = 0;  // a broken pipe ends the output like an end of file
        }
        if (n == 0) {
            end_of_output();
            sink_.wake();
            return;
        }
        arm_timeout();
        budget -= std::min(budget, static_cast<size_t>(n));
        std::string_view bytes(buf, static_cast<size_t>(n));
        if (phase_ == Phase::ReadingHead) {
            head_buffer_.append(bytes);
            handle_head_bytes();
        } else if (phase_ == Phase::Streaming) {
            send_body(bytes);
        }  // Discarding: dropped
        if (phase_ == Phase::Streaming && sink_.queued_bytes() > output_high_water) {
            // Back-pressure: the client is slower than the script; the pipe fills and the script waits.
            event_del(&stdout_event_);
            stdout_armed_ = false;
            break;
        }
    }
    sink_.wake();
}

void CgiSession::resume_output() {
    if (phase_ == Phase::Streaming && !stdout_armed_ && stdout_) {
        event_add(&stdout_event_, nullptr);
        stdout_armed_ = true;
    }
}

void CgiSession::handle_head_bytes() {
    cgi::CgiHead head;
    switch (cgi::parse_cgi_head(head_buffer_, max_head, head)) {
        case cgi::CgiHeadStatus::Incomplete: return;
        case cgi::CgiHeadStatus::Error:
            spdlog::error("cgi: {} (pid {}): bad header block: {}", script_name_, pid_, head.error);
            fail(502, "");
            return;
        case cgi::CgiHeadStatus::Complete: break;
    }
    if (head.kind == cgi::CgiResponseKind::LocalRedirect) {
        // RFC 3875 §6.2.2: the server answers as if the client had asked for that path.
        phase_ = Phase::Discarding;
        redirect_location_ = head.location;
        finish(false);
        return;
    }
    std::string rest = head_buffer_.substr(head.body_offset);
    std::string().swap(head_buffer_);
    send_head(head);
    if (phase_ == Phase::Streaming && !rest.empty()) send_body(rest);
}

void CgiSession::send_head(const cgi::CgiHead& head) {
    Response r;
    r.status = head.status;
    r.reason = head.reason;
    r.headers = cgi::render_cgi_response_headers(head);
    r.has_content_length = false;
    phase_ = Phase::Streaming;
    if (!head.body_from_script || head.status == 204 || head.status == 304) {
        r.has_content_length = head.status != 204 && head.status != 304;
        r.content_length = 0;
        phase_ = Phase::Discarding;
    } else if (head.content_length) {
        r.has_content_length = true;
        r.content_length = *head.content_length;
        length_left_ = *head.content_length;
    } else if (head_only_) {
        // HEAD: no body follows, so no framing is needed.
    } else if (chunked_allowed_) {
        r.add_header("Transfer-Encoding", "chunked");
        chunked_ = true;
    } else {
        close_delimited_ = true;  // HTTP/1.0: the end of the connection ends the body
        r.close = true;
    }
    if (head_only_) phase_ = Phase::Discarding;
    sink_.send_response(r, *request_, log_line_);
    head_sent_ = true;
    if (phase_ == Phase::Streaming && length_left_ && *length_left_ == 0) phase_ = Phase::Discarding;
}

void CgiSession::send_body(std::string_view bytes) {
    if (length_left_) {
        // The script said how long its body is: no byte past that reaches the client.
        if (bytes.size() > *length_left_) bytes = bytes.substr(0, static_cast<size_t>(*length_left_));
        *length_left_ -= bytes.size();
        sink_.send_body(bytes);
        if (*length_left_ == 0) phase_ = Phase::Discarding;
        return;
    }
    if (chunked_) {
        char size_line[24];
        int len = std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes.size());
        sink_.send_body(std::string_view(size_line, static_cast<size_t>(len)));
        sink_.send_body(bytes);
        sink_.send_body("\r\n");
        return;
    }
    sink_.send_body(bytes);
}

void CgiSession::end_of_output() {
    if (stdout_armed_) event_del(&stdout_event_);
    stdout_armed_ = false;
    stdout_.reset();
    switch (phase_) {
        case Phase::ReadingHead:
            // A spawn that failed closes the pipes too, and is a 403: the launcher's answer decides
            // (it is queued already: the launcher answers before it lets go of its copies).
            if (request_id_ != 0) {
                output_ended_early_ = true;
                return;
            }
            report_missing_head();
            return;
        case Phase::Streaming:
            if (chunked_) {
                sink_.send_body("0\r\n\r\n");
                finish(false);
            } else if (length_left_ && *length_left_ > 0) {
                spdlog::error("cgi: {} (pid {}) sent less than its Content-Length", script_name_, pid_);
                finish(true);  // the client must not wait for the missing bytes
            } else {
                finish(close_delimited_);
            }
            return;
        case Phase::Discarding: finish(false); return;
        case Phase::Done: return;
    }
}

void CgiSession::report_missing_head() {
    spdlog::error("cgi: {} (pid {}) ended before its header block was complete", script_name_, pid_);
    fail(502, "");
}

void CgiSession::fail(int status, const std::string& why) {
    if (phase_ == Phase::Done) return;
    if (pid_ > 0 && stdout_) ctx_.cgi->kill(pid_);
    if (!head_sent_) {
        Response r = error_response(status, why);
        sink_.send_response(r, *request_, log_line_);
        head_sent_ = true;
        finish(false);
    } else {
        finish(true);
    }
}

void CgiSession::finish(bool close_connection) {
    if (phase_ == Phase::Done) return;
    phase_ = Phase::Done;
    event_del(&timer_event_);
    if (stdout_armed_) event_del(&stdout_event_);
    stdout_armed_ = false;
    sink_.end_response(close_connection);
}

void CgiSession::read_stderr() {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(stderr_.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            if (stderr_armed_) event_del(&stderr_event_);
            stderr_armed_ = false;
            stderr_.reset();
            return;
        }
        if (phase_ != Phase::Done) arm_timeout();  // stderr output is not silence
        std::string_view data(buf, static_cast<size_t>(n));
        while (!data.empty()) {
            size_t nl = data.find('\n');
            if (nl == std::string_view::npos) {
                stderr_partial_.append(
                    data.substr(0, max_stderr_line - std::min(max_stderr_line, stderr_partial_.size())));
                break;
            }
            stderr_partial_.append(data.substr(0, std::min(nl, max_stderr_line)));
            log_stderr_line(stderr_partial_);
            stderr_partial_.clear();
            data.remove_prefix(nl + 1);
        }
    }
}

void CgiSession::log_stderr_line(std::string_view line) {
    ++stderr_lines_;
    if (stderr_lines_ <= max_stderr_lines) {
        spdlog::warn("cgi: {} [pid {}] stderr: {}", script_name_, pid_, line);
    } else if (stderr_lines_ == max_stderr_lines + 1) {
        spdlog::warn("cgi: {} [pid {}] stderr: further lines are not logged", script_name_, pid_);
    }
}

}  // namespace httpserve
