// A CGI local redirect (RFC 3875 §6.2.2): the request the server answers instead of the script's
// response, as if the client had asked for the new location with a GET. Python and lighttpd do the
// same. A pure function: the new request's fields are built directly, never as text to parse again.
#pragma once

#include <optional>
#include <string_view>

#include "worker/http/owned_request.hpp"
#include "worker/http/request_parser.hpp"

namespace httpserve::cgi {

// The new request: method GET, target `location` (a local path, as parse_cgi_head accepts one), the
// original's version and header fields except those about its body (Content-Length,
// Transfer-Encoding, Expect), which a GET does not have. Its log line is the request line a client
// would have sent for it.
// nullopt when that request line could not have been received: longer than limits.max_request_line
// (with its CRLF), a control character, or a location of several words (split where Python splits a
// request line; whitespace after the only word is dropped, like Python).
std::optional<http::OwnedRequest> local_redirect_request(const http::Request& original, std::string_view location,
                                                         const http::ParseLimits& limits);

}  // namespace httpserve::cgi
