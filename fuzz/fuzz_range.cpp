// libFuzzer target for parse_range: any header value against small, empty, huge and arbitrary sizes.
//
// Input: byte 0 picks the size and max_ranges, the next bytes feed the size when needed, the rest
// is the Range header value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "worker/static/range.hpp"

namespace {

using httpserve::ByteRange;
using httpserve::RangeOutcome;
using httpserve::RangeRequest;

void check(bool ok) {
    if (!ok) std::abort();
}

struct Input {
    uint64_t size = 0;
    size_t max_ranges = 100;
    std::string_view header;
};

Input split(const uint8_t* data, size_t len) {
    Input in;
    const uint8_t mode = data[0];
    ++data;
    --len;
    switch (mode & 3) {
        case 0:  // small files, where boundaries are dense
            if (len) {
                in.size = data[0];
                ++data;
                --len;
            }
            break;
        case 1: in.size = 0; break;
        case 2:  // near the 64-bit limit
            in.size = UINT64_MAX;
            if (len) {
                in.size -= data[0];
                ++data;
                --len;
            }
            break;
        default:  // anything
            for (int i = 0; i < 8 && len; ++i, ++data, --len) in.size = (in.size << 8) | data[0];
            break;
    }
    if (const unsigned limit = mode >> 2; limit != 0) in.max_ranges = limit - 1;  // 0..62, else default
    in.header = std::string_view(reinterpret_cast<const char*>(data), len);
    return in;
}

void check_invariants(const RangeRequest& r, const Input& in) {
    if (r.outcome != RangeOutcome::Satisfiable) {
        check(r.ranges.empty());
        return;
    }
    check(in.size > 0);
    check(!r.ranges.empty());
    check(r.ranges.size() <= in.max_ranges);
    uint64_t total = 0;
    for (size_t i = 0; i < r.ranges.size(); ++i) {
        const ByteRange& b = r.ranges[i];
        check(b.first <= b.last);
        check(b.last < in.size);
        for (size_t j = 0; j < i; ++j) {  // disjoint and not adjacent (any order)
            const ByteRange& a = r.ranges[j];
            check(b.first > a.last + 1 || a.first > b.last + 1);
        }
        total += b.length();
        check(total <= in.size);  // coalescing means no byte is sent twice
        const std::string cr = httpserve::content_range(b, in.size);
        check(cr.starts_with("bytes ") && cr.find('/') != std::string::npos);
        check(!httpserve::multipart_part_head("b", "t/t", b, in.size).empty());
    }
}

// Writing the result back as a header and parsing it again must give the same ranges (when every
// position fits the 19 digits the parser accepts).
void check_round_trip(const RangeRequest& r, const Input& in) {
    if (r.outcome != RangeOutcome::Satisfiable) return;
    for (const ByteRange& b : r.ranges) {
        if (b.last > 9'999'999'999'999'999'999u) return;  // not writable in 19 digits
    }
    std::string again = "bytes=";
    for (const ByteRange& b : r.ranges) {
        if (again.size() > 6) again += ',';
        again += std::to_string(b.first) + '-' + std::to_string(b.last);
    }
    const RangeRequest second = httpserve::parse_range(again, in.size, in.max_ranges);
    check(second.outcome == RangeOutcome::Satisfiable && second.ranges == r.ranges);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t len) {
    if (len == 0) return 0;
    const Input in = split(data, len);
    const RangeRequest r = httpserve::parse_range(in.header, in.size, in.max_ranges);
    check_invariants(r, in);
    check_round_trip(r, in);
    return 0;
}
