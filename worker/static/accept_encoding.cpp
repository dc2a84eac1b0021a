#include "worker/static/accept_encoding.hpp"

#include <algorithm>

namespace httpserve {

namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view s) {
    const size_t first = s.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return (x >= 'A' && x <= 'Z' ? x + ('a' - 'A') : x) == y;  // b is lower case
           });
}

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in thousandths; -1 when malformed.
int parse_qvalue(std::string_view s) {
    if (s.empty() || s.size() > 5 || (s[0] != '0' && s[0] != '1')) return -1;
    int value = (s[0] - '0') * 1000;
    if (s.size() == 1) return value;
    if (s[1] != '.') return -1;
    int scale = 100;
    for (size_t i = 2; i < s.size(); ++i, scale /= 10) {
        if (s[i] < '0' || s[i] > '9') return -1;
        value += (s[i] - '0') * scale;
    }
    return value > 1000 ? -1 : value;
}

// One element, "token *( OWS ; OWS param )": its q (1000 without a weight), -1 when malformed.
int element_weight(std::string_view params) {
    int q = 1000;
    while (!params.empty()) {
        const size_t semicolon = params.find(';');
        const std::string_view param = trim(params.substr(0, semicolon));
        params = semicolon == std::string_view::npos ? std::string_view{} : params.substr(semicolon + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
            q = parse_qvalue(param.substr(2));
            if (q < 0) return -1;
        }
    }
    return q;
}

int* slot_for(AcceptEncoding& accept, std::string_view token) {
    if (iequals(token, "br")) return &accept.br;
    if (iequals(token, "zstd")) return &accept.zstd;
    if (iequals(token, "gzip") || iequals(token, "x-gzip")) return &accept.gzip;
    if (iequals(token, "identity")) return &accept.identity;
    if (token == "*") return &accept.any;
    return nullptr;
}

}  // namespace

int AcceptEncoding::weight(ContentCoding coding) const {
    int own = -1;
    switch (coding) {
        case ContentCoding::Brotli: own = br; break;
        case ContentCoding::Zstd: own = zstd; break;
        case ContentCoding::Gzip: own = gzip; break;
    }
    if (own >= 0) return own;
    return any >= 0 ? any : 0;
}

AcceptEncoding parse_accept_encoding(std::string_view header_value) {
    AcceptEncoding accept;
    while (!header_value.empty()) {
        const size_t comma = header_value.find(',');
        const std::string_view element = header_value.substr(0, comma);
        header_value = comma == std::string_view::npos ? std::string_view{} : header_value.substr(comma + 1);
        const size_t semicolon = element.find(';');
        const std::string_view token = trim(element.substr(0, semicolon));
        int* slot = slot_for(accept, token);
        if (slot == nullptr || *slot >= 0) continue;  // not ours, or named before
        const int q = semicolon == std::string_view::npos ? 1000 : element_weight(element.substr(semicolon + 1));
        if (q >= 0) *slot = q;
    }
    return accept;
}

CodingPreference preferred_codings(const AcceptEncoding& accept, const std::vector<ContentCoding>& enabled) {
    CodingPreference out;
    const int identity = accept.identity >= 0 ? accept.identity : accept.any;  // -1: ranks below all
    for (const ContentCoding coding : {ContentCoding::Brotli, ContentCoding::Zstd, ContentCoding::Gzip}) {
        if (std::find(enabled.begin(), enabled.end(), coding) == enabled.end()) continue;
        const int q = accept.weight(coding);
        if (q > 0 && q >= identity && out.count < out.codings.size()) out.codings[out.count++] = coding;
    }
    // Stable: codings of equal q keep the br, zstd, gzip order they were added in.
    std::stable_sort(out.codings.begin(), out.codings.begin() + static_cast<std::ptrdiff_t>(out.count),
                     [&](ContentCoding a, ContentCoding b) { return accept.weight(a) > accept.weight(b); });
    return out;
}

}  // namespace httpserve
