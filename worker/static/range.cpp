// The Range request header (RFC 9110 §14.1.2, §14.2), multipart/byteranges framing (§14.6).
#include "worker/static/range.hpp"

#include <algorithm>
#include <optional>

#include "common/ascii.hpp"

namespace httpserve {
namespace {

// 19 decimal digits always fit in uint64_t (max is 20 digits), so this bound alone rules out
// overflow. Longer numbers are treated as invalid syntax, which ignores the whole header.
constexpr size_t max_digits = 19;

// 1*DIGIT, at most max_digits of them, and nothing else.
std::optional<uint64_t> parse_number(std::string_view s) {
    if (s.empty() || s.size() > max_digits) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    return n;
}

// One range-spec as written, before the representation's size is applied.
struct RangeSpec {
    bool suffix = false;           // "-n": the last n bytes
    uint64_t first = 0;            // int-range first-pos, or the suffix length
    std::optional<uint64_t> last;  // int-range last-pos when given
};

// int-range = first-pos "-" [ last-pos ];  suffix-range = "-" suffix-length.
std::optional<RangeSpec> parse_spec(std::string_view s) {
    const size_t dash = s.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    RangeSpec spec;
    if (dash == 0) {
        auto n = parse_number(s.substr(1));
        if (!n) return std::nullopt;
        spec.suffix = true;
        spec.first = *n;
        return spec;
    }
    auto first = parse_number(s.substr(0, dash));
    if (!first) return std::nullopt;
    spec.first = *first;
    std::string_view rest = s.substr(dash + 1);
    if (!rest.empty()) {
        auto last = parse_number(rest);
        if (!last || *last < *first) return std::nullopt;  // RFC 9110 §14.1.2: last < first is invalid
        spec.last = *last;
    }
    return spec;
}

// Merge ranges that overlap or touch: fewer parts, and a request listing the same bytes many times
// (the CVE-2011-3192 "Apache Killer" pattern) cannot amplify the response beyond the file size.
// The parts keep the order in which they were asked for (RFC 9110 §15.3.7.2); a merged part takes the
// place of its earliest member.
std::vector<ByteRange> coalesce(const std::vector<ByteRange>& ranges) {
    struct Indexed {
        ByteRange range;
        size_t order;
    };
    std::vector<Indexed> by_start;
    by_start.reserve(ranges.size());
    for (size_t i = 0; i < ranges.size(); ++i) by_start.push_back({ranges[i], i});
    std::sort(by_start.begin(), by_start.end(),
              [](const Indexed& a, const Indexed& b) { return a.range.first < b.range.first; });
    std::vector<Indexed> merged;
    merged.reserve(by_start.size());
    for (const Indexed& r : by_start) {
        // last < size <= UINT64_MAX, so last + 1 cannot overflow.
        if (!merged.empty() && r.range.first <= merged.back().range.last + 1) {
            merged.back().range.last = std::max(merged.back().range.last, r.range.last);
            merged.back().order = std::min(merged.back().order, r.order);
        } else {
            merged.push_back(r);
        }
    }
    std::sort(merged.begin(), merged.end(), [](const Indexed& a, const Indexed& b) { return a.order < b.order; });
    std::vector<ByteRange> out;
    out.reserve(merged.size());
    for (const Indexed& m : merged) out.push_back(m.range);
    return out;
}

std::string bytes_span(const ByteRange& r, uint64_t size) {
    return std::to_string(r.first) + '-' + std::to_string(r.last) + '/' + std::to_string(size);
}

}  // namespace

RangeRequest parse_range(std::string_view header_value, uint64_t size, size_t max_ranges) {
    constexpr std::string_view unit = "bytes=";
    const std::string_view value = trim_ows(header_value);
    if (value.size() < unit.size() || !iequals_ascii(value.substr(0, unit.size()), unit)) return {};

    std::vector<ByteRange> satisfiable;
    size_t spec_count = 0;
    // RFC 9110 §14.1.2: on an empty representation a non-zero suffix-range is satisfiable, yet no
    // Content-Range can describe it; §14.2 lets us ignore Range there, so that case is a 200.
    bool suffix_on_empty = false;

    std::string_view rest = value.substr(unit.size());
    for (;;) {
        const size_t comma = rest.find(',');
        const std::string_view element = trim_ows(rest.substr(0, comma));
        if (!element.empty()) {  // empty list elements are allowed by the #rule (RFC 9110 §5.6.1.2)
            if (++spec_count > max_ranges) return {};
            auto spec = parse_spec(element);
            if (!spec) return {};  // one invalid range-spec invalidates the whole header
            if (spec->suffix) {
                if (spec->first == 0) {
                    // "-0" is unsatisfiable
                } else if (size == 0) {
                    suffix_on_empty = true;
                } else {
                    const uint64_t first = spec->first >= size ? 0 : size - spec->first;
                    satisfiable.push_back({first, size - 1});
                }
            } else if (spec->first < size) {
                const uint64_t last = spec->last ? std::min(*spec->last, size - 1) : size - 1;
                satisfiable.push_back({spec->first, last});
            }
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }

    if (spec_count == 0) return {};  // range-set = 1#range-spec
    if (satisfiable.empty()) {
        if (suffix_on_empty) return {};
        return {RangeOutcome::Unsatisfiable, {}};
    }
    return {RangeOutcome::Satisfiable, coalesce(satisfiable)};
}

std::string content_range(const ByteRange& r, uint64_t size) { return "bytes " + bytes_span(r, size); }

std::string multipart_part_head(std::string_view boundary, std::string_view content_type, const ByteRange& r,
                                uint64_t size) {
    // The leading CRLF ends the previous part's body; before the first part it is harmless
    // preamble (RFC 2046 §5.1.1), so every part head can be built the same way.
    std::string head = "\r\n--";
    head += boundary;
    head += "\r\nContent-Type: ";
    head += content_type;
    head += "\r\nContent-Range: ";
    head += content_range(r, size);
    head += "\r\n\r\n";
    return head;
}

std::string multipart_end(std::string_view boundary) {
    std::string end = "\r\n--";
    end += boundary;
    end += "--\r\n";
    return end;
}

}  // namespace httpserve
