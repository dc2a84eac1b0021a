// One script answering a CGI request: the script's pipes, its header block, and the streaming of its
// output to a ResponseSink (Content-Length, chunked, or close-delimited), with back-pressure both ways
// and a timeout of silence. Owned by its CgiExchange, which outlives it.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"
#include "worker/cgi/dispatch.hpp"
#include "worker/cgi/response_head.hpp"
#include "worker/cgi/response_sink.hpp"
#include "worker/cgi/runner.hpp"
#include "worker/http/request_parser.hpp"

namespace httpserve {

struct WorkerContext;

struct CgiStart {
    const http::Request* request = nullptr;  // outlives the session
    std::string_view log_line;               // names the request in the access log; outlives it too
    cgi::CgiScript script;
    std::string script_path;  // absolute file name
    UniqueFd body;            // the script's stdin (a finished body); none: /dev/null
    std::optional<uint64_t> body_length;
    std::string remote_addr;
    std::string server_name;
    unsigned server_port = 0;
    bool https = false;            // the request came over TLS
    bool head_only = false;        // HEAD: the script runs, its body is not sent
    bool chunked_allowed = false;  // HTTP/1.1 client on a persistent-capable server
};

class CgiSession final : private SpawnWaiter {
public:
    CgiSession(ResponseSink& sink, WorkerContext& ctx);
    ~CgiSession();
    CgiSession(const CgiSession&) = delete;
    CgiSession& operator=(const CgiSession&) = delete;

    // Starts the script. False when it could not even be asked for (the exchange answers).
    bool start(CgiStart&& start, std::string& error);

    // From the exchange: the sink's output drained below the mark; read the script again.
    void resume_output();
    // The response is complete (or given up): nothing more will reach the sink.
    bool done() const { return phase_ == Phase::Done; }
    // Set when the script answered with a local redirect (RFC 3875 §6.2.2) instead of a response.
    const std::string& redirect_location() const { return redirect_location_; }

    static constexpr size_t max_head = 64 * 1024;
    static constexpr size_t output_high_water = 256 * 1024;

private:
    enum class Phase { ReadingHead, Streaming, Discarding, Done };

    // From the runner: the launcher's answer.
    void on_spawned(pid_t pid) override;
    void on_spawn_failed(int code, const std::string& message) override;

    static void on_stdout(evutil_socket_t, short, void* self);
    static void on_stderr(evutil_socket_t, short, void* self);
    static void on_timeout(evutil_socket_t, short, void* self);

    void read_stdout();
    void read_stderr();
    void handle_head_bytes();
    void send_head(const cgi::CgiHead& head);
    void send_body(std::string_view bytes);
    void end_of_output();
    void report_missing_head();
    void fail(int status, const std::string& why);  // the caller wakes the sink afterwards
    void finish(bool close_connection);
    void arm_timeout();
    void log_stderr_line(std::string_view line);

    ResponseSink& sink_;
    WorkerContext& ctx_;
    const http::Request* request_ = nullptr;
    std::string_view log_line_;
    std::string script_name_;
    bool head_only_ = false;
    bool chunked_allowed_ = false;

    uint64_t request_id_ = 0;
    pid_t pid_ = -1;
    Phase phase_ = Phase::ReadingHead;
    bool head_sent_ = false;
    bool counted_ = false;
    bool running_shown_ = false;       // counted as running on the status board (from on_spawned)
    bool output_ended_early_ = false;  // EOF without a header block before the launcher answered

    UniqueFd stdout_;
    UniqueFd stderr_;
    event stdout_event_;
    event stderr_event_;
    event timer_event_;
    bool stdout_armed_ = false;
    bool stderr_armed_ = false;

    std::string head_buffer_;
    std::string redirect_location_;
    bool chunked_ = false;
    bool close_delimited_ = false;
    std::optional<uint64_t> length_left_;
    std::string stderr_partial_;
    unsigned stderr_lines_ = 0;
};

}  // namespace httpserve
