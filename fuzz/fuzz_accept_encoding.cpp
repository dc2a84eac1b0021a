// libFuzzer target for parse_accept_encoding and preferred_codings: any header value, any set of
// enabled codings.
//
// Input: byte 0 picks the enabled codings (bits 0-2: br, zstd, gzip); the rest is the header value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "worker/static/accept_encoding.hpp"

namespace {

using httpserve::ContentCoding;

void check(bool ok) {
    if (!ok) std::abort();
}

bool valid_weight(int q) { return q >= -1 && q <= 1000; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t len) {
    if (len == 0) return 0;
    std::vector<ContentCoding> enabled;
    if (data[0] & 1) enabled.push_back(ContentCoding::Brotli);
    if (data[0] & 2) enabled.push_back(ContentCoding::Zstd);
    if (data[0] & 4) enabled.push_back(ContentCoding::Gzip);
    const std::string_view header(reinterpret_cast<const char*>(data + 1), len - 1);

    const httpserve::AcceptEncoding accept = httpserve::parse_accept_encoding(header);
    for (const int q : {accept.br, accept.zstd, accept.gzip, accept.identity, accept.any}) check(valid_weight(q));

    const httpserve::CodingPreference pref = httpserve::preferred_codings(accept, enabled);
    check(pref.count <= enabled.size());
    for (size_t i = 0; i < pref.count; ++i) {
        const ContentCoding c = pref.codings[i];
        bool listed = false;
        for (const ContentCoding e : enabled) listed = listed || e == c;
        check(listed);                    // only enabled codings
        check(accept.weight(c) > 0);      // only acceptable ones
        for (size_t j = 0; j < i; ++j) {  // each once, best first, ties in br, zstd, gzip order
            check(pref.codings[j] != c);
            check(accept.weight(pref.codings[j]) > accept.weight(c) ||
                  (accept.weight(pref.codings[j]) == accept.weight(c) && pref.codings[j] < c));
        }
    }
    return 0;
}
