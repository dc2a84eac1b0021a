// A response: status line and header block in memory, then a body made of memory pieces and file
// ranges (sent with sendfile). Building it is pure; the connection writes it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/unique_fd.hpp"

namespace httpserve {

// One piece of output: `mem` first, then `length` bytes of `file` from `offset` (when file is set).
struct OutChunk {
    std::string mem;
    std::shared_ptr<UniqueFd> file;
    uint64_t offset = 0;
    uint64_t length = 0;
};

struct Response {
    int status = 200;
    std::string reason;              // status-line message; "" = the standard phrase
    std::string headers;             // extra header lines, each "Name: value\r\n"
    std::vector<OutChunk> body;      // sent after the head (not for HEAD)
    std::string_view borrowed_body;  // or: bytes owned elsewhere, copied out when the response is queued
    uint64_t content_length = 0;     // what Content-Length says (also for HEAD)
    bool has_content_length = true;
    bool close = false;              // the handler wants the connection closed after this response
    bool keep_headers_only = false;  // 304 / 1xx: no Content-Length header at all

    void add_header(std::string_view name, std::string_view value);
    void set_memory_body(std::string text);  // body = text, Content-Length = its size
};

// Python's send_error: the error page (when the code has a body), Content-Type, Content-Length.
// `message` "" = the standard reason phrase; `explain` "" = the code's standard explanation.
Response error_response(int status, std::string_view message = {}, std::string_view explain = {});

// What the connection adds around a Response.
struct HeadContext {
    std::string_view protocol;       // "HTTP/1.1" or "HTTP/1.0": the status line's version
    std::string_view server;         // Server header value
    std::string_view date;           // Date header value
    bool close = false;              // add "Connection: close"
    bool keep_alive_header = false;  // add "Connection: keep-alive" (HTTP/1.0 client kept open)
};

// Appends the status line and header block (ending with the blank line) to `out`.
void append_head(std::string& out, const Response& r, const HeadContext& ctx);

}  // namespace httpserve
