// Where a CGI exchange sends its answer: the few things it needs from the connection, and nothing
// that could free the exchange while it is running. The connection implements it.
#pragma once

#include <cstddef>
#include <string_view>

#include "worker/http/request_parser.hpp"
#include "worker/response.hpp"

namespace httpserve {

class ResponseSink {
public:
    // Queues a response head, and any body `response` holds, answering `request`; `log_line` names
    // the request in the access log.
    virtual void send_response(Response& response, const http::Request& request, std::string_view log_line) = 0;
    // Queues body bytes of the response in progress, framed already.
    virtual void send_body(std::string_view bytes) = 0;
    // Output queued and not written yet: above a mark the producer pauses (back-pressure).
    virtual size_t queued_bytes() const = 0;
    // The response is complete. `close_connection`: it cannot be followed by another one (cut short,
    // or delimited by the end of the connection).
    virtual void end_response(bool close_connection) = 0;
    // Output was queued or the exchange moved on: the connection takes its next step once the
    // current event handler has returned, never from inside this call.
    virtual void wake() = 0;

protected:
    ~ResponseSink() = default;
};

}  // namespace httpserve
