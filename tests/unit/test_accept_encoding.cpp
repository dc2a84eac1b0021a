// Accept-Encoding parsing and the ranking of precompressed sidecars (RFC 9110 §12.5.3).
#include <catch2/catch.hpp>

#include <vector>

#include "worker/static/accept_encoding.hpp"
#include "worker/static/precompressed.hpp"

using httpserve::AcceptEncoding;
using httpserve::coded_etag;
using httpserve::ContentCoding;
using httpserve::parse_accept_encoding;
using httpserve::preferred_codings;
using httpserve::sidecar_coding_of;

namespace {

const std::vector<ContentCoding> kAll{ContentCoding::Gzip, ContentCoding::Zstd, ContentCoding::Brotli};

std::vector<ContentCoding> ranking(std::string_view header, const std::vector<ContentCoding>& enabled = kAll) {
    const auto pref = preferred_codings(parse_accept_encoding(header), enabled);
    return {pref.codings.begin(), pref.codings.begin() + static_cast<std::ptrdiff_t>(pref.count)};
}

constexpr auto br = ContentCoding::Brotli;
constexpr auto zstd = ContentCoding::Zstd;
constexpr auto gzip = ContentCoding::Gzip;
using List = std::vector<ContentCoding>;

}  // namespace

TEST_CASE("accept-encoding: tokens and q-values", "[accept_encoding]") {
    AcceptEncoding a = parse_accept_encoding("gzip, deflate, br;q=0.5, zstd;q=0, identity;q=0.25, *;q=0.001");
    CHECK(a.gzip == 1000);
    CHECK(a.br == 500);
    CHECK(a.zstd == 0);
    CHECK(a.identity == 250);
    CHECK(a.any == 1);
    CHECK(parse_accept_encoding("GZip;Q=0.5").gzip == 500);
    CHECK(parse_accept_encoding("BR").br == 1000);
    CHECK(parse_accept_encoding("x-gzip").gzip == 1000);
    CHECK(parse_accept_encoding("X-GZIP;q=0.3").gzip == 300);
    CHECK(parse_accept_encoding("gzip;q=1.000").gzip == 1000);
    CHECK(parse_accept_encoding("gzip;q=0.").gzip == 0);
    CHECK(parse_accept_encoding("gzip ; q=0.8 ").gzip == 800);
    CHECK(parse_accept_encoding("gzip;level=9;q=0.7").gzip == 700);
    CHECK(parse_accept_encoding(" , ,gzip,,").gzip == 1000);
    CHECK(parse_accept_encoding("").gzip == -1);
}

TEST_CASE("accept-encoding: a malformed q-value drops its element only", "[accept_encoding]") {
    for (const char* bad : {"gzip;q=2", "gzip;q=1.5", "gzip;q=1.001", "gzip;q=0.1234", "gzip;q=", "gzip;q=abc",
                            "gzip;q=-1", "gzip;q=.5", "gzip;q=0,5x"}) {
        INFO(bad);
        AcceptEncoding a = parse_accept_encoding(std::string(bad) + ", br");
        CHECK(a.br == 1000);
        if (std::string_view(bad) != "gzip;q=0,5x") CHECK(a.gzip == -1);
    }
    // A dropped element does not hide a later one naming the same coding.
    CHECK(parse_accept_encoding("gzip;q=x, gzip;q=0.4").gzip == 400);
    // Of two valid ones, the first counts.
    CHECK(parse_accept_encoding("gzip;q=0.4, gzip").gzip == 400);
}

TEST_CASE("accept-encoding: ranking of the enabled codings", "[accept_encoding]") {
    CHECK(ranking("gzip, deflate, br, zstd") == List{br, zstd, gzip});  // equal q: br > zstd > gzip
    CHECK(ranking("gzip, br") == List{br, gzip});
    CHECK(ranking("gzip;q=1, br;q=0.5") == List{gzip, br});
    CHECK(ranking("zstd;q=0.9, br;q=0.8, gzip") == List{gzip, zstd, br});
    CHECK(ranking("br;q=0, gzip") == List{gzip});
    CHECK(ranking("*") == List{br, zstd, gzip});
    CHECK(ranking("*;q=0.5, gzip") == List{gzip, br, zstd});
    CHECK(ranking("*;q=0, gzip") == List{gzip});
    CHECK(ranking("deflate") == List{});
    CHECK(ranking("") == List{});
    CHECK(ranking("br, gzip", {gzip}) == List{gzip});
    CHECK(ranking("br, gzip", {}) == List{});
    // The config's order does not override the preference.
    CHECK(ranking("br, zstd, gzip", {gzip, br}) == List{br, gzip});
}

TEST_CASE("accept-encoding: identity", "[accept_encoding]") {
    // Refusing identity with no acceptable coding leaves the choice to the server: the plain file.
    CHECK(ranking("identity;q=0") == List{});
    CHECK(ranking("*;q=0") == List{});
    CHECK(ranking("identity;q=0, gzip") == List{gzip});
    // A client that prefers identity gets it.
    CHECK(ranking("gzip;q=0.5, identity") == List{});
    CHECK(ranking("gzip;q=0.5, *", {gzip}) == List{});  // "*" stands for identity too
    CHECK(ranking("gzip;q=0.5, *") == List{br, zstd});
    CHECK(ranking("gzip;q=0.5, br, identity;q=0.6") == List{br});
    CHECK(ranking("gzip, identity") == List{gzip});  // equal: the smaller one
}

TEST_CASE("precompressed: names and validators", "[accept_encoding]") {
    CHECK(sidecar_coding_of("/srv/app.js.gz") == gzip);
    CHECK(sidecar_coding_of("/srv/app.js.br") == br);
    CHECK(sidecar_coding_of("/srv/app.js.zst") == zstd);
    CHECK_FALSE(sidecar_coding_of("/srv/app.js").has_value());
    CHECK_FALSE(sidecar_coding_of(".gz").has_value());
    CHECK_FALSE(sidecar_coding_of("/srv/app.tgz").has_value());
    CHECK(coded_etag("\"5f.1a-400\"", br) == "\"5f.1a-400-br\"");
    CHECK(coded_etag("\"5f.1a-400\"", gzip) == "\"5f.1a-400-gzip\"");
}
