// Validators and conditional requests (RFC 9110 §8.8, §13) with Python's If-Modified-Since rules.
#include "worker/static/conditional.hpp"

#include <charconv>

#include "common/ascii.hpp"
#include "worker/http/http_date.hpp"

namespace httpserve {
namespace {

void skip_ows(std::string_view& s) {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
}

struct EntityTag {
    bool weak = false;
    std::string_view opaque;  // between the quotes
};

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u != 0x7F);
}

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, taken from the front of `s` (consumed on success).
std::optional<EntityTag> take_entity_tag(std::string_view& s) {
    std::string_view p = s;
    EntityTag tag;
    if (p.starts_with("W/")) {  // the weak prefix is case-sensitive
        tag.weak = true;
        p.remove_prefix(2);
    }
    if (p.empty() || p.front() != '"') return std::nullopt;
    p.remove_prefix(1);
    size_t n = 0;
    while (n < p.size() && is_etagc(p[n])) ++n;
    if (n == p.size() || p[n] != '"') return std::nullopt;
    tag.opaque = p.substr(0, n);
    s = p.substr(n + 1);
    return tag;
}

// The whole value is exactly one entity-tag.
std::optional<EntityTag> parse_entity_tag(std::string_view s) {
    s = trim_ows(s);
    auto tag = take_entity_tag(s);
    if (!tag || !s.empty()) return std::nullopt;
    return tag;
}

// RFC 9110 §8.8.3.2: strong comparison needs both tags strong; weak compares the opaque part only.
bool tags_match(const EntityTag& a, const EntityTag& b, bool strong) {
    if (strong && (a.weak || b.weak)) return false;
    return a.opaque == b.opaque;
}

// True when `list` (#entity-tag, empty elements allowed) contains a tag matching `current`. Any
// syntax error makes the whole list a non-match, so junk can never look like a validator.
bool list_matches(std::string_view list, const std::optional<EntityTag>& current, bool strong) {
    bool matched = false;
    for (;;) {
        skip_ows(list);
        if (list.empty()) return matched;
        if (list.front() == ',') {
            list.remove_prefix(1);
            continue;
        }
        auto tag = take_entity_tag(list);
        if (!tag) return false;
        if (current && tags_match(*tag, *current, strong)) matched = true;
        skip_ows(list);
        if (list.empty()) return matched;
        if (list.front() != ',') return false;
        list.remove_prefix(1);
    }
}

// If-Match / If-None-Match: "*" matches any current representation (we only evaluate these for a
// file that exists); otherwise a list of entity-tags.
bool tag_condition_matches(std::string_view value, const Validators& v, bool strong) {
    if (trim_ows(value) == "*") return true;
    return list_matches(value, parse_entity_tag(v.etag), strong);
}

void append_hex(std::string& out, long long n) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, n, 16);
    out.append(buf, res.ptr);
}

}  // namespace

// "<sec hex>.<nsec hex>-<size hex>": nginx's "<mtime hex>-<size hex>" plus the nanoseconds, so a
// file rewritten with the same size within one second still gets a new ETag. Hex keeps it short;
// '.' and '-' keep the three fields unambiguous.
std::string make_etag(std::time_t mtime_sec, long mtime_nsec, uint64_t size) {
    std::string etag = "\"";
    append_hex(etag, static_cast<long long>(mtime_sec));
    etag += '.';
    append_hex(etag, static_cast<long long>(mtime_nsec));
    etag += '-';
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof buf, size, 16);
    etag.append(buf, res.ptr);
    etag += '"';
    return etag;
}

Precondition evaluate_preconditions(const ConditionalHeaders& h, const Validators& v, bool get_or_head) {
    // Steps 1-2 of RFC 9110 §13.2.2: If-Match, or else If-Unmodified-Since.
    if (h.if_match) {
        if (!tag_condition_matches(*h.if_match, v, /*strong=*/true)) return Precondition::Failed;
    } else if (h.if_unmodified_since) {
        // An invalid date is ignored (§13.1.4).
        if (auto date = http::parse_http_date(*h.if_unmodified_since); date && v.mtime > *date)
            return Precondition::Failed;
    }
    // Steps 3-4: If-None-Match, or else If-Modified-Since (Python's parsing and `mtime <= date`).
    if (h.if_none_match) {
        if (tag_condition_matches(*h.if_none_match, v, /*strong=*/false))
            return get_or_head ? Precondition::NotModified : Precondition::Failed;
    } else if (h.if_modified_since && get_or_head) {
        if (auto date = http::parse_if_modified_since(*h.if_modified_since); date && v.mtime <= *date)
            return Precondition::NotModified;
    }
    return Precondition::Proceed;
}

bool if_range_matches(std::string_view if_range, const Validators& v) {
    if_range = trim_ows(if_range);
    // RFC 9110 §13.1.5: an entity-tag starts with DQUOTE (or "W/"); anything else is an HTTP-date.
    if (if_range.starts_with('"') || if_range.starts_with("W/")) {
        auto tag = parse_entity_tag(if_range);
        auto current = parse_entity_tag(v.etag);
        return tag && current && tags_match(*tag, *current, /*strong=*/true);
    }
    auto date = http::parse_http_date(if_range);
    return date && *date == v.mtime;
}

}  // namespace httpserve
