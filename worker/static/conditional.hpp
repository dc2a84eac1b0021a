// Validators and conditional requests (RFC 9110 §13) with Python's If-Modified-Since quirks.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace httpserve {

struct Validators {
    std::string etag;  // strong, quoted: "\"<mtime sec hex>.<nsec hex>-<size hex>\""
    std::time_t mtime = 0;
};

// ETag from modification time (seconds and nanoseconds) and size.
std::string make_etag(std::time_t mtime_sec, long mtime_nsec, uint64_t size);

struct ConditionalHeaders {  // absent headers are nullopt
    std::optional<std::string_view> if_match;
    std::optional<std::string_view> if_none_match;
    std::optional<std::string_view> if_modified_since;
    std::optional<std::string_view> if_unmodified_since;
};

enum class Precondition { Proceed, NotModified, Failed };  // 200/206, 304, 412

// RFC 9110 §13.2.2 order: If-Match, else If-Unmodified-Since; then If-None-Match (weak compare; a
// match is 304 for GET/HEAD), else If-Modified-Since with Python's rules (parse_if_modified_since:
// 304 when mtime <= date; ignored when unparsable or not UTC).
Precondition evaluate_preconditions(const ConditionalHeaders& h, const Validators& v, bool get_or_head);

// If-Range: true when the Range may be honoured (strong ETag match, or an HTTP-date equal to
// Last-Modified); false -> send the whole representation with 200.
bool if_range_matches(std::string_view if_range, const Validators& v);

}  // namespace httpserve
