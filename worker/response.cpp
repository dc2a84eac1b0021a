#include "worker/response.hpp"

#include <charconv>

#include "worker/http/error_page.hpp"
#include "worker/http/status.hpp"

namespace httpserve {

void Response::add_header(std::string_view name, std::string_view value) {
    headers.append(name);
    headers.append(": ");
    headers.append(value);
    headers.append("\r\n");
}

void Response::set_memory_body(std::string text) {
    content_length = text.size();
    body.clear();
    body.push_back(OutChunk{std::move(text), nullptr, 0, 0});
}

Response error_response(int status, std::string_view message, std::string_view explain) {
    Response r;
    r.status = status;
    r.reason = std::string(message.empty() ? http::reason_phrase(status) : message);
    // Python sends no body (and no Content-Type/Length) for 1xx, 204, 205 and 304.
    if (status < 200 || status == 204 || status == 205 || status == 304) {
        r.keep_headers_only = true;
        r.has_content_length = false;
        return r;
    }
    std::string_view why = explain.empty() ? http::status_explain(status) : explain;
    r.add_header("Content-Type", "text/html;charset=utf-8");
    r.set_memory_body(http::render_error_page(status, r.reason, why));
    return r;
}

void append_head(std::string& out, const Response& r, const HeadContext& ctx) {
    char num[24];
    out.append(ctx.protocol);
    out.push_back(' ');
    auto end = std::to_chars(num, num + sizeof num, r.status).ptr;
    out.append(num, end);
    out.push_back(' ');
    out.append(r.reason.empty() ? http::reason_phrase(r.status) : std::string_view(r.reason));
    out.append("\r\nServer: ");
    out.append(ctx.server);
    out.append("\r\nDate: ");
    out.append(ctx.date);
    out.append("\r\n");
    out.append(r.headers);
    if (r.has_content_length && !r.keep_headers_only) {
        out.append("Content-Length: ");
        end = std::to_chars(num, num + sizeof num, r.content_length).ptr;
        out.append(num, end);
        out.append("\r\n");
    }
    if (ctx.close) {
        out.append("Connection: close\r\n");
    } else if (ctx.keep_alive_header) {
        out.append("Connection: keep-alive\r\n");
    }
    out.append("\r\n");
}

}  // namespace httpserve
