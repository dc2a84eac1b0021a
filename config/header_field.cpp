#include "config/header_field.hpp"

#include <algorithm>

#include "common/ascii.hpp"

namespace httpserve {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

constexpr std::string_view kServerOwned[] = {"Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
                                             "Upgrade",        "Trailer",           "TE"};

}  // namespace

std::string header_field_problem(std::string_view name, std::string_view value) {
    if (name.empty()) return "a header name must not be empty";
    if (!std::all_of(name.begin(), name.end(), is_tchar))
        return "a header name is letters, digits and !#$%&'*+-.^_`|~ only";
    for (std::string_view owned : kServerOwned)
        if (iequals_ascii(name, owned)) return std::string(owned) + " is set by the server";
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
        return "a header value must not contain CR, LF or NUL";
    return "";
}

std::string media_type_problem(std::string_view type) {
    const size_t slash = type.find('/');
    const bool control =
        std::any_of(type.begin(), type.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
    if (slash == 0 || slash == std::string_view::npos || slash + 1 == type.size() || control)
        return "expected a media type like \"type/subtype\"";
    return "";
}

}  // namespace httpserve
