// One client connection: reads request heads, answers them in order (pipelining), writes responses
// with back-pressure, and enforces the per-phase timeouts. Owns its socket and the CGI exchange of its
// current request. Deletes itself on close, only when one of its own event handlers returns.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"
#include "config/config.hpp"
#include "ipc/status_board.hpp"
#include "worker/cgi/response_sink.hpp"
#include "worker/http/chunked.hpp"
#include "worker/http/owned_request.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/response.hpp"

namespace httpserve {

struct WorkerContext;
class CgiExchange;
class TlsContext;
class TlsSession;

class Connection final : private ResponseSink {
public:
    // Takes ownership of `fd` (already non-blocking). `tls`: the listener speaks HTTPS with this context.
    static void start(WorkerContext& ctx, int fd, const sockaddr_storage& peer, const TlsContext* tls = nullptr);
    // The same for a PROXY protocol listener's connection (its peer already checked as trusted): it
    // must begin with a PROXY header within `proxy_timeout`, whose source is then the client.
    static void start_proxied(WorkerContext& ctx, int fd, const sockaddr_storage& peer, Duration proxy_timeout);

    // Worker shutdown: idle connections close now (gently, after checking that no request has
    // arrived), busy ones after their current response.
    void begin_shutdown();
    // Fast stop: close at once (from outside the connection's own handlers).
    void destroy();

    Connection* next = nullptr;  // WorkerContext's intrusive list
    Connection* prev = nullptr;

private:
    enum class State {
        ReadingProxy,  // a PROXY protocol listener's connection, before its header is complete
        Idle,          // keep-alive, nothing received yet
        ReadingHead,   // part of a request head received
        ReadingBody,   // discarding a request body before answering
        Writing,       // output blocked on the socket
        Lingering,     // response sent, write side shut, draining input before close
    };

    Connection(WorkerContext& ctx, int fd, const sockaddr_storage& peer, const TlsContext* tls);
    ~Connection();

    // libevent's callback for each of the connection's events (read, write, timer, step): runs `step`,
    // then end_step().
    template <void (Connection::*step)()>
    static void on_event(evutil_socket_t, short, void* self);
    // Where every handler ends: a connection marked by drop() during the step is freed here, when
    // nothing of it (its CGI exchange included) is on the stack any more.
    static void end_step(Connection* c);
    // The status board's reading/writing/idle gauges follow the connection as each step leaves it.
    void note_phase();
    // Marks the connection to be freed when the current handler returns.
    void drop() { closing_ = true; }

    void handle_readable();
    // ReadingProxy: takes the PROXY header from what has arrived (`fresh` is the latest read). True
    // when `fresh` now holds the bytes after it, to be parsed as HTTP; false to wait or when dropped.
    bool take_proxy_header(std::string_view& fresh);
    // The transport seam: the socket's bytes, through TLS on a TLS listener.
    ssize_t receive(char* buf, size_t cap);
    // After a receive on a TLS connection: a finished handshake starts the request's header_timeout;
    // a plain HTTP client gets its 400. True when the connection answered and nothing more is read.
    bool tls_progress(std::string_view received);
    bool worth_parsing(size_t old_size) const;
    // Nagle off, once: a response sent in several writes must not hold its last piece back.
    void set_nodelay();
    void handle_writable();
    void handle_timeout();

    // Parses and answers what `data` holds; returns how many bytes were used. Stops early when enough
    // output is queued or the connection is going to close.
    size_t process(std::string_view data);
    // Discards request-body bytes from data[pos...]; true when the body is complete.
    bool take_body(std::string_view data, size_t& pos, bool& failed, int& fail_status);
    // Answers a request that is complete: through its CGI exchange when open_cgi() opened one, else
    // statically. `line` names it in the access log.
    void answer(const http::Request& request, std::string_view line);
    void answer_static(const http::Request& request, std::string_view line);
    // The request line as received, for the access log.
    static std::string_view request_line(const http::Request& request);
    // CGI glue (connection_cgi.cpp). Makes the request's one CGI dispatch decision: true when it
    // opened an exchange for it (then cgi_ answers it).
    bool open_cgi(const http::Request& request, std::string_view line, unsigned redirects);
    void start_cgi();
    // A script answers the current request: its output is the response in progress.
    bool cgi_answering() const;
    // A finished exchange is dropped here, and a local redirect answered.
    void settle_cgi();
    // ResponseSink, for the CGI exchange.
    void send_response(Response& response, const http::Request& request, std::string_view log_line) override;
    void send_body(std::string_view bytes) override;
    size_t queued_bytes() const override { return queued_bytes_; }
    void end_response(bool close_connection) override;
    void wake() override;
    void answer_parse_error(const http::ParseError& error, std::string_view data);
    void queue_response(Response& response, const http::Request* request, std::string_view request_line, bool http09);
    void queue_raw(std::string_view bytes);

    // Writes queued output until done or the socket is full. False on a broken connection.
    bool write_some(bool& blocked);
    // One send of the queued memory bytes up to the next file range (sendmsg), or of up to `want`
    // bytes of a file range (sendfile). The syscall's result: bytes sent, or -1 with errno.
    ssize_t send_memory();
    ssize_t send_file(const OutChunk& chunk, size_t want);
    // Drops `sent` bytes of written memory from the front of the queue.
    void consume_memory(size_t sent);
    // Moves the connection forward after input or output progress: write, answer pipelined
    // requests, choose what to wait for next. May drop() the connection.
    void drive();
    // Shuts the write side, then reads and discards input for at most `drain` before closing.
    void start_lingering_close(Duration drain);
    // Bytes or an end of file wait in the socket (peeked, not read): the read handler will see them.
    bool input_waiting() const;
    void arm_timer(Duration d);
    void enable_reading(bool on);
    void enable_writing(bool on);

    WorkerContext& ctx_;
    UniqueFd fd_;
    event read_event_;
    event write_event_;
    event timer_event_;
    event step_event_;  // activated by wake(): a step after a CGI event
    char client_[48];   // printable client address (a PROXY header's source), for the logs and CGI

    State state_ = State::Idle;
    std::string pending_;                        // received bytes not parsed yet
    std::optional<http::OwnedRequest> waiting_;  // a request whose body is still arriving (not CGI)
    uint64_t body_left_ = 0;                     // Content-Length body bytes still to discard
    std::unique_ptr<http::ChunkedDecoder> chunked_;
    std::unique_ptr<TlsSession> tls_;   // set on a TLS listener
    bool tls_handshaking_ = false;      // handshake_timeout runs
    std::unique_ptr<CgiExchange> cgi_;  // the current request's, from its head (collecting its body) to its end
    std::deque<OutChunk> out_;          // queued output
    size_t out_mem_offset_ = 0;         // bytes of out_.front().mem already written
    size_t queued_bytes_ = 0;           // output not yet written
    bool close_after_output_ = false;
    bool unread_input_ = false;      // input was left unread: close with a lingering drain
    bool nodelay_ = false;           // TCP_NODELAY set (only for responses sent in several writes)
    bool need_more_input_ = false;   // pending_ holds only an incomplete head
    bool head_timer_armed_ = false;  // header_timeout runs for the current request
    bool reading_enabled_ = false;
    bool writing_enabled_ = false;
    bool closing_ = false;                   // drop()ped: freed at the end of the current step
    status::Gauge phase_ = status::Reading;  // the gauge counting this connection
};

}  // namespace httpserve
