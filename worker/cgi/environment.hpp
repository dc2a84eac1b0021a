// The CGI script's environment (RFC 3875 §4.1 meta-variables), built from scratch: the values Python's
// run_cgi sets, plus the request's other headers as HTTP_*, and nothing from the server's own
// environment (Python copies os.environ, so e.g. a server-side HTTP_USER_AGENT leaks into scripts).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker/cgi/dispatch.hpp"
#include "worker/http/request_parser.hpp"

namespace httpserve::cgi {

struct CgiEnvironmentInput {
    const http::Request& request;  // method and headers
    const CgiScript& script;
    std::string_view root;             // served directory, absolute (a trailing '/' is ignored)
    std::string_view remote_addr;      // client address text, e.g. "127.0.0.1" or "::1"
    std::string_view server_software;  // "httpserve/0.1.0"
    std::string_view server_name;      // per listener, fixed at startup (see SERVER_NAME below)
    unsigned server_port = 0;
    std::string_view server_protocol;        // the server's protocol ("HTTP/1.1"), not the request's
    std::optional<uint64_t> content_length;  // bytes given to the script's stdin (de-chunked
                                             // length for a chunked body); nullopt: no body
    bool https = false;                      // the request came over TLS
};

// "NAME=value" strings for execve, in a fixed order:
//   PATH=/usr/local/bin:/usr/bin:/bin   (scripts need a PATH; the server's own is not passed on)
//   GATEWAY_INTERFACE=CGI/1.1, SERVER_SOFTWARE, SERVER_NAME, SERVER_PORT, SERVER_PROTOCOL,
//   REQUEST_METHOD, PATH_INFO, PATH_TRANSLATED, SCRIPT_NAME, QUERY_STRING, REMOTE_ADDR,
//   REMOTE_HOST (always "", as Python: no reverse lookups), AUTH_TYPE and REMOTE_USER (only when
//   Python sets them), CONTENT_TYPE, CONTENT_LENGTH, HTTP_ACCEPT, HTTP_COOKIE, HTTP_USER_AGENT,
//   HTTP_REFERER, then every other request header as HTTP_<NAME> in order of first appearance;
//   last, HTTPS=on for a request that came over TLS (what Apache and nginx's fastcgi_params give;
//   Python has no such variable and no TLS with CGI).
// SERVER_NAME is the caller's: Python gives socket.getfqdn(bind address), computed once ("localhost"
// for 127.0.0.1), never the client's Host header (which scripts still get as HTTP_HOST).
// Header values are passed as the bytes received (Python re-encodes its Latin-1 view as UTF-8,
// which turns UTF-8 text into mojibake); QUERY_STRING likewise.
std::vector<std::string> build_cgi_environment(const CgiEnvironmentInput& in);

// Python's AUTH_TYPE/REMOTE_USER rules for an Authorization value, exposed for tests: AUTH_TYPE is
// the first of exactly two whitespace-separated words (str.split()); REMOTE_USER needs scheme
// "basic" (any case), credentials that base64-decode (binascii's lenient decoder: characters
// outside the alphabet are skipped) to ASCII, and exactly one ':' in them.
struct BasicAuthVars {
    std::optional<std::string> auth_type;
    std::optional<std::string> remote_user;
};
BasicAuthVars auth_variables(std::string_view authorization);

// binascii.a2b_base64(s, strict_mode=False), as base64.decodebytes uses it; nullopt where it raises
// binascii.Error ("Incorrect padding", or one data character too many).
std::optional<std::string> lenient_base64_decode(std::string_view s);

}  // namespace httpserve::cgi
