// One client connection: reads request heads, answers them in order (pipelining), writes responses
// with back-pressure, and enforces the per-phase timeouts. Owns its socket. Deletes itself on close,
// only when one of its own event handlers returns.
#pragma once

#include <event2/event.h>
#include <event2/event_struct.h>
#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include "common/unique_fd.hpp"
#include "config/config.hpp"
#include "worker/cgi/body_spool.hpp"
#include "worker/cgi/session.hpp"
#include "worker/http/chunked.hpp"
#include "worker/http/request_parser.hpp"
#include "worker/response.hpp"

namespace httpserve {

struct WorkerContext;

class Connection {
public:
    // Takes ownership of `fd` (already non-blocking).
    static void start(WorkerContext& ctx, int fd, const sockaddr_storage& peer);

    // Worker shutdown: idle connections close now (gently, after checking that no request has
    // arrived), busy ones after their current response.
    void begin_shutdown();
    // Fast stop: close at once (from outside the connection's own handlers).
    void destroy();

    // For the CGI session of this connection (worker/connection_cgi.cpp).
    void cgi_send_head(Response& response);
    void cgi_send_error(int status, const std::string& message);
    void cgi_send_body(std::string_view bytes);
    size_t cgi_queued_bytes() const { return queued_bytes_; }
    void cgi_finished(bool close_connection);
    void cgi_internal_redirect(const std::string& location);
    void cgi_kick();  // the connection takes its next step once the current handler has returned

    Connection* next = nullptr;  // WorkerContext's intrusive list
    Connection* prev = nullptr;

private:
    enum class State {
        Idle,         // keep-alive, nothing received yet
        ReadingHead,  // part of a request head received
        ReadingBody,  // discarding a request body before answering
        Writing,      // output blocked on the socket
        Lingering,    // response sent, write side shut, draining input before close
    };

    Connection(WorkerContext& ctx, int fd, const sockaddr_storage& peer);
    ~Connection();

    static void on_read_event(evutil_socket_t, short, void* self);
    static void on_write_event(evutil_socket_t, short, void* self);
    static void on_timer_event(evutil_socket_t, short, void* self);
    static void on_step_event(evutil_socket_t, short, void* self);
    // Where every handler ends: a connection marked by drop() during the step is freed here, when
    // nothing of it (its CGI session included) is on the stack any more.
    static void end_step(Connection* c);
    // Marks the connection to be freed when the current handler returns.
    void drop() { closing_ = true; }

    void handle_readable();
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
    void answer(const http::Request& request);
    // The request line as received, for the access log.
    static std::string_view request_line(const http::Request& request);
    // CGI (connection_cgi.cpp): true when the request is for a CGI script (started or answered).
    bool wants_cgi_body(const http::Request& request) const;
    bool try_start_cgi(const http::Request& request);
    void learn_local_address();
    // A finished session is dropped here, and an internal redirect answered.
    void settle_cgi();
    void answer_parse_error(const http::ParseError& error, std::string_view data);
    void queue_response(Response& response, const http::Request* request, std::string_view request_line,
                        bool http09);
    void queue_raw(std::string_view bytes);

    // Writes queued output until done or the socket is full. False on a broken connection.
    bool write_some(bool& blocked);
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
    event step_event_;               // activated by cgi_kick(): a step after a CGI event
    char client_[48];                // printable peer address, for the access log

    State state_ = State::Idle;
    std::string pending_;            // received bytes not parsed yet
    std::string saved_head_;         // a head whose body is still arriving
    uint64_t body_left_ = 0;         // Content-Length body bytes still to discard
    std::unique_ptr<http::ChunkedDecoder> chunked_;
    std::unique_ptr<BodySpool> spool_;   // a CGI request's body being collected
    std::unique_ptr<CgiSession> cgi_;    // the CGI script answering the current request
    bool cgi_done_ = false;
    std::string cgi_head_;               // the CGI request's head, owning what cgi_request_ views
    http::Request cgi_request_;
    std::string redirect_location_;      // a script's local redirect, answered once it is done
    std::string redirect_head_;
    http::Request redirect_request_;
    unsigned redirects_ = 0;             // local redirects for the current client request
    std::string server_name_;            // SERVER_NAME/SERVER_PORT for CGI, found at the first script
    unsigned server_port_ = 0;
    bool local_address_known_ = false;
    std::deque<OutChunk> out_;       // queued output
    size_t out_mem_offset_ = 0;      // bytes of out_.front().mem already written
    size_t queued_bytes_ = 0;        // output not yet written
    bool close_after_output_ = false;
    bool unread_input_ = false;      // input was left unread: close with a lingering drain
    bool nodelay_ = false;           // TCP_NODELAY set (only for responses sent in several writes)
    bool need_more_input_ = false;   // pending_ holds only an incomplete head
    bool head_timer_armed_ = false;  // header_timeout runs for the current request
    bool reading_enabled_ = false;
    bool writing_enabled_ = false;
    bool closing_ = false;           // drop()ped: freed at the end of the current step
};

}  // namespace httpserve
