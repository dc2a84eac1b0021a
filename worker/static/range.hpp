// The Range request header (RFC 9110 §14.2), bytes unit only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

struct ByteRange {
    uint64_t first = 0;
    uint64_t last = 0;  // inclusive
    uint64_t length() const { return last - first + 1; }
    bool operator==(const ByteRange&) const = default;
};

enum class RangeOutcome {
    Ignore,         // no usable Range (bad syntax, other unit, too many ranges): send 200 full
    Satisfiable,    // send 206 with `ranges`: in request order, overlapping/adjacent ones merged
    Unsatisfiable,  // send 416 with Content-Range: bytes */size
};

struct RangeRequest {
    RangeOutcome outcome = RangeOutcome::Ignore;
    std::vector<ByteRange> ranges;
};

// `max_ranges`: more range specs than this -> Ignore (defence against many tiny ranges).
RangeRequest parse_range(std::string_view header_value, uint64_t size, size_t max_ranges = 100);

// "bytes 0-99/1234"
std::string content_range(const ByteRange& r, uint64_t size);

// multipart/byteranges: the header of one part ("\r\n--B\r\nContent-Type: t\r\nContent-Range: ...\r\n\r\n")
// and the closing delimiter ("\r\n--B--\r\n").
std::string multipart_part_head(std::string_view boundary, std::string_view content_type, const ByteRange& r,
                                uint64_t size);
std::string multipart_end(std::string_view boundary);

}  // namespace httpserve
