// A request that owns its bytes: the parsed view together with the storage its views point into, so
// that a request can outlive the buffer it was parsed from (a body still arriving, a CGI script
// answering) or be made without any buffer at all (a CGI local redirect).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "worker/http/request_parser.hpp"

namespace httpserve::http {

class OwnedRequest {
public:
    OwnedRequest() = default;
    // Copies every view of `fields` (method, target, header names and values) and `line` into storage
    // of its own; the other fields are copied as they are. `line` names the request in the access log.
    OwnedRequest(const Request& fields, std::string_view line);

    // The storage is one heap block: a move leaves every view pointing where it did.
    OwnedRequest(OwnedRequest&&) noexcept = default;
    OwnedRequest& operator=(OwnedRequest&&) noexcept = default;
    OwnedRequest(const OwnedRequest&) = delete;
    OwnedRequest& operator=(const OwnedRequest&) = delete;

    const Request& request() const { return request_; }
    std::string_view line() const { return line_; }

private:
    std::unique_ptr<char[]> bytes_;
    Request request_;
    std::string_view line_;
};

// A request line as the server writes one: "METHOD target HTTP/major.minor", or "METHOD target" for
// an HTTP/0.9 request. The version is `version_of`'s.
std::string format_request_line(std::string_view method, std::string_view target, const Request& version_of);

}  // namespace httpserve::http
