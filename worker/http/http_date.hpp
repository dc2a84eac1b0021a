// HTTP dates: formatting (cached once a second) and parsing.
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace httpserve::http {

// IMF-fixdate: "Wed, 25 Nov 2026 21:25:16 GMT".
std::string format_http_date(std::time_t t);

// The Date header for "now", formatted at most once a second.
class DateCache {
public:
    std::string_view now();              // calls time()
    std::string_view at(std::time_t t);  // for tests
private:
    std::time_t cached_ = -1;
    std::string text_;
};

// RFC 9110 §5.6.7: IMF-fixdate, obsolete RFC 850 and asctime forms; nullopt if none matches.
std::optional<std::time_t> parse_http_date(std::string_view s);

// If-Modified-Since as Python reads it (email.utils.parsedate_to_datetime): lenient RFC 2822 dates;
// no zone or "-0000" is UTC; a zone other than UTC/GMT/+0000/-0000/UT/Z makes the header ignored
// (nullopt); unparsable -> nullopt.
std::optional<std::time_t> parse_if_modified_since(std::string_view s);

}  // namespace httpserve::http
