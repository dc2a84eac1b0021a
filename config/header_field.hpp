// What a configured response header (-H NAME VALUE, [[headers]] set) and a configured media type may
// be: they are copied into response heads as they are, so they are checked once, when read.
#pragma once

#include <string>
#include <string_view>

namespace httpserve {

// "" when `name: value` can be sent as an extra response header, else why not: the name must be an
// RFC 9110 token, the value must hold no CR, LF or NUL (a header could be forged), and the name must
// not be one that frames the response (Content-Length, Transfer-Encoding, Connection, Keep-Alive,
// Upgrade, Trailer, TE): those are the server's, and a second copy would break persistent connections.
std::string header_field_problem(std::string_view name, std::string_view value);

// "" when `type` can be a Content-Type: "type/subtype" (parameters allowed), no control bytes.
std::string media_type_problem(std::string_view type);

}  // namespace httpserve
