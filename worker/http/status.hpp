// Reason phrases and the error-page explanations that Python's http.HTTPStatus gives.
#pragma once

#include <string_view>

namespace httpserve::http {

// Standard reason phrase ("OK", "Not Found", "URI Too Long", ...); "" for unknown codes.
std::string_view reason_phrase(int code);

// Python's HTTPStatus description ("Nothing matches the given URI", ...); "???" for unknown codes.
std::string_view status_explain(int code);

}  // namespace httpserve::http
