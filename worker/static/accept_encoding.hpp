// The Accept-Encoding request header (RFC 9110 §12.5.3), for choosing a precompressed sidecar.
// Pure: a header value in, the client's ranking of the codings we can offer out.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace httpserve {

// q-values in thousandths (0..1000); -1: the header does not name it.
struct AcceptEncoding {
    int br = -1;
    int zstd = -1;
    int gzip = -1;  // "gzip" or "x-gzip"
    int identity = -1;
    int any = -1;  // "*"

    // What the client says of `coding`: its own q, else the q of "*", else 0 (not acceptable).
    int weight(ContentCoding coding) const;
};

// Tokens are case-insensitive; an element with a malformed q-value is ignored (as if absent), other
// parameters are ignored; of a coding named twice, the first element counts.
AcceptEncoding parse_accept_encoding(std::string_view header_value);

// The codings among `enabled` the client accepts, best first: highest q first, at equal q br, then
// zstd, then gzip (smallest first). A coding the client ranks below identity is left out (identity's
// q is its own, else that of "*"; unnamed, it ranks below everything acceptable). Empty: send the
// file as it is, also when identity;q=0 says the client would rather have nothing (RFC 9110 allows
// that, and nginx does the same).
struct CodingPreference {
    std::array<ContentCoding, 3> codings{};
    size_t count = 0;
};
CodingPreference preferred_codings(const AcceptEncoding& accept, const std::vector<ContentCoding>& enabled);

}  // namespace httpserve
