// Reason phrases and explanations: Python 3.13's http.HTTPStatus (.phrase, .description).
// 3.13 differs from 3.11/3.12 only in 413 (phrase and description), 414, 416 and 422 (phrases).
#include "worker/http/status.hpp"

namespace httpserve::http {

namespace {

struct StatusText {
    std::string_view phrase;
    std::string_view explain;
};

constexpr StatusText lookup(int code) {
    switch (code) {
        case 100: return {"Continue", "Request received, please continue"};
        case 101: return {"Switching Protocols", "Switching to new protocol; obey Upgrade header"};
        case 102: return {"Processing", ""};
        case 103: return {"Early Hints", ""};
        case 200: return {"OK", "Request fulfilled, document follows"};
        case 201: return {"Created", "Document created, URL follows"};
        case 202: return {"Accepted", "Request accepted, processing continues off-line"};
        case 203: return {"Non-Authoritative Information", "Request fulfilled from cache"};
        case 204: return {"No Content", "Request fulfilled, nothing follows"};
        case 205: return {"Reset Content", "Clear input form for further input"};
        case 206: return {"Partial Content", "Partial content follows"};
        case 207: return {"Multi-Status", ""};
        case 208: return {"Already Reported", ""};
        case 226: return {"IM Used", ""};
        case 300: return {"Multiple Choices", "Object has several resources -- see URI list"};
        case 301: return {"Moved Permanently", "Object moved permanently -- see URI list"};
        case 302: return {"Found", "Object moved temporarily -- see URI list"};
        case 303: return {"See Other", "Object moved -- see Method and URL list"};
        case 304: return {"Not Modified", "Document has not changed since given time"};
        case 305: return {"Use Proxy",
                          "You must use proxy specified in Location to access this resource"};
        case 307: return {"Temporary Redirect", "Object moved temporarily -- see URI list"};
        case 308: return {"Permanent Redirect", "Object moved permanently -- see URI list"};
        case 400: return {"Bad Request", "Bad request syntax or unsupported method"};
        case 401: return {"Unauthorized", "No permission -- see authorization schemes"};
        case 402: return {"Payment Required", "No payment -- see charging schemes"};
        case 403: return {"Forbidden", "Request forbidden -- authorization will not help"};
        case 404: return {"Not Found", "Nothing matches the given URI"};
        case 405: return {"Method Not Allowed", "Specified method is invalid for this resource"};
        case 406: return {"Not Acceptable", "URI not available in preferred format"};
        case 407: return {"Proxy Authentication Required",
                          "You must authenticate with this proxy before proceeding"};
        case 408: return {"Request Timeout", "Request timed out; try again later"};
        case 409: return {"Conflict", "Request conflict"};
        case 410: return {"Gone", "URI no longer exists and has been permanently removed"};
        case 411: return {"Length Required", "Client must specify Content-Length"};
        case 412: return {"Precondition Failed", "Precondition in headers is false"};
        case 413: return {"Content Too Large", "Content is too large"};
        case 414: return {"URI Too Long", "URI is too long"};
        case 415: return {"Unsupported Media Type", "Entity body in unsupported format"};
        case 416: return {"Range Not Satisfiable", "Cannot satisfy request range"};
        case 417: return {"Expectation Failed", "Expect condition could not be satisfied"};
        case 418: return {"I'm a Teapot", "Server refuses to brew coffee because it is a teapot."};
        case 421: return {"Misdirected Request", "Server is not able to produce a response"};
        case 422: return {"Unprocessable Content", ""};
        case 423: return {"Locked", ""};
        case 424: return {"Failed Dependency", ""};
        case 425: return {"Too Early", ""};
        case 426: return {"Upgrade Required", ""};
        case 428: return {"Precondition Required",
                          "The origin server requires the request to be conditional"};
        case 429:
            return {"Too Many Requests",
                    "The user has sent too many requests in a given amount of time (\"rate limiting\")"};
        case 431:
            return {"Request Header Fields Too Large",
                    "The server is unwilling to process the request because its header fields are too large"};
        case 451: return {"Unavailable For Legal Reasons",
                          "The server is denying access to the resource as a consequence of a legal demand"};
        case 500: return {"Internal Server Error", "Server got itself in trouble"};
        case 501: return {"Not Implemented", "Server does not support this operation"};
        case 502: return {"Bad Gateway", "Invalid responses from another server/proxy"};
        case 503: return {"Service Unavailable",
                          "The server cannot process the request due to a high load"};
        case 504: return {"Gateway Timeout", "The gateway server did not receive a timely response"};
        case 505: return {"HTTP Version Not Supported", "Cannot fulfill request"};
        case 506: return {"Variant Also Negotiates", ""};
        case 507: return {"Insufficient Storage", ""};
        case 508: return {"Loop Detected", ""};
        case 510: return {"Not Extended", ""};
        case 511: return {"Network Authentication Required",
                          "The client needs to authenticate to gain network access"};
        default: return {"", "???"};
    }
}

}  // namespace

std::string_view reason_phrase(int code) { return lookup(code).phrase; }

std::string_view status_explain(int code) { return lookup(code).explain; }

}  // namespace httpserve::http
