// Sizes, durations, the UTF-8 check, key suggestions and the small Config helpers.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <string>

#include "common/utf8.hpp"
#include "config/config.hpp"
#include "config/enum_names.hpp"
#include "config/suggest.hpp"
#include "config/units.hpp"

using namespace httpserve;
using namespace std::chrono_literals;

TEST_CASE("parse_size: plain numbers are bytes", "[config][units]") {
    CHECK(parse_size("0") == 0u);
    CHECK(parse_size("1024") == 1024u);
    CHECK(parse_size("007") == 7u);
    CHECK(parse_size("18446744073709551615") == UINT64_MAX);
}

TEST_CASE("parse_size: every unit, case-insensitive, all binary", "[config][units]") {
    CHECK(parse_size("5B") == 5u);
    CHECK(parse_size("5b") == 5u);
    for (const char* k : {"K", "k", "KB", "kb", "KiB", "kib", "KIB"}) CHECK(parse_size(std::string("2") + k) == 2048u);
    for (const char* m : {"M", "m", "MB", "mb", "MiB", "mib"}) CHECK(parse_size(std::string("16") + m) == 16u << 20);
    for (const char* g : {"G", "g", "GB", "gb", "GiB", "gib"}) CHECK(parse_size(std::string("3") + g) == 3ull << 30);
    CHECK(parse_size("64 KiB") == 65536u);  // a space between number and unit is fine
}

TEST_CASE("parse_size: bad inputs", "[config][units]") {
    for (const char* bad : {"", " ", "KiB", "-1", "+1", "1.5MiB", "1e3", "16 MiB ", " 16MiB", "16MiBs", "16XB",
                            "16 M B", "1TiB", "0x10", "1_000", "abc", "16\tMiB"}) {
        INFO(bad);
        CHECK_FALSE(parse_size(bad).has_value());
    }
}

TEST_CASE("parse_size: overflow is rejected, not wrapped", "[config][units]") {
    CHECK_FALSE(parse_size("18446744073709551616").has_value());  // 2^64
    CHECK_FALSE(parse_size("99999999999999999999999").has_value());
    CHECK(parse_size("17179869183GiB") == 17179869183ull << 30);  // largest that fits
    CHECK_FALSE(parse_size("17179869184GiB").has_value());        // 2^34 GiB = 2^64 bytes
    CHECK_FALSE(parse_size("18014398509481984KiB").has_value());
}

TEST_CASE("parse_duration: units and bare numbers", "[config][units]") {
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("30s") == 30s);
    CHECK(parse_duration("5m") == 5min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("30") == 30s);  // bare number: seconds
    CHECK(parse_duration("0") == 0s);
    CHECK(parse_duration("0ms") == 0ms);
    CHECK(parse_duration("10 s") == 10s);
    CHECK(parse_duration("1500ms") == 1500ms);
}

TEST_CASE("parse_duration: bad inputs", "[config][units]") {
    for (const char* bad :
         {"", "s", "-1s", "-5", "+5s", "1.5s", "5 min", "5M", "5S", "1d", "1h30m", "30s ", " 30s", "ms", "5sec", "x"}) {
        INFO(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("parse_duration: overflow is rejected", "[config][units]") {
    CHECK(parse_duration("9223372036854775807ms") == Duration(INT64_MAX));
    CHECK_FALSE(parse_duration("9223372036854775808ms").has_value());
    CHECK_FALSE(parse_duration("9223372036854776s").has_value());
    CHECK_FALSE(parse_duration("99999999999999999999999h").has_value());
    CHECK(parse_duration("2562047788015h") == std::chrono::hours(2562047788015));
    CHECK_FALSE(parse_duration("2562047788016h").has_value());
}

namespace {
std::string bytes(std::initializer_list<int> list) {
    std::string s;
    for (int b : list) s += static_cast<char>(b);
    return s;
}
}  // namespace

TEST_CASE("is_valid_utf8: well-formed text", "[config][utf8]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii\n"));
    CHECK(is_valid_utf8(std::string("nul \0 inside", 12)));
    CHECK(is_valid_utf8("caf\xC3\xA9"));                    // U+00E9
    CHECK(is_valid_utf8("\xE2\x82\xAC"));                   // U+20AC
    CHECK(is_valid_utf8("\xF0\x9F\x98\x80"));               // U+1F600
    CHECK(is_valid_utf8(bytes({0xC2, 0x80})));              // U+0080, smallest 2-byte
    CHECK(is_valid_utf8(bytes({0xDF, 0xBF})));              // U+07FF
    CHECK(is_valid_utf8(bytes({0xE0, 0xA0, 0x80})));        // U+0800, smallest 3-byte
    CHECK(is_valid_utf8(bytes({0xED, 0x9F, 0xBF})));        // U+D7FF, just below surrogates
    CHECK(is_valid_utf8(bytes({0xEE, 0x80, 0x80})));        // U+E000, just above
    CHECK(is_valid_utf8(bytes({0xEF, 0xBF, 0xBF})));        // U+FFFF
    CHECK(is_valid_utf8(bytes({0xF0, 0x90, 0x80, 0x80})));  // U+10000
    CHECK(is_valid_utf8(bytes({0xF4, 0x8F, 0xBF, 0xBF})));  // U+10FFFF, the last code point
    CHECK(is_valid_utf8("\xEF\xBB\xBFkey = 1"));            // a BOM is valid UTF-8
}

TEST_CASE("is_valid_utf8: ill-formed text and the offset of the bad sequence", "[config][utf8]") {
    struct Case {
        std::string text;
        size_t offset;
        const char* why;
    };
    const Case cases[] = {
        {bytes({'a', 0x80}), 1, "lone continuation byte"},
        {bytes({'a', 'b', 0xBF, 'c'}), 2, "lone continuation byte in the middle"},
        {bytes({0xC0, 0x80}), 0, "overlong NUL (C0)"},
        {bytes({0xC1, 0xBF}), 0, "overlong (C1)"},
        {bytes({0xE0, 0x80, 0x80}), 0, "overlong 3-byte"},
        {bytes({0xE0, 0x9F, 0xBF}), 0, "overlong 3-byte, top"},
        {bytes({0xF0, 0x80, 0x80, 0x80}), 0, "overlong 4-byte"},
        {bytes({0xF0, 0x8F, 0xBF, 0xBF}), 0, "overlong 4-byte, top"},
        {bytes({'x', 0xED, 0xA0, 0x80}), 1, "surrogate U+D800"},
        {bytes({0xED, 0xBF, 0xBF}), 0, "surrogate U+DFFF"},
        {bytes({0xF4, 0x90, 0x80, 0x80}), 0, "above U+10FFFF"},
        {bytes({0xF5, 0x80, 0x80, 0x80}), 0, "F5 lead"},
        {bytes({0xFF}), 0, "FF"},
        {bytes({0xFE}), 0, "FE"},
        {bytes({'a', 'b', 0xC3}), 2, "truncated 2-byte at the end"},
        {bytes({0xE2, 0x82}), 0, "truncated 3-byte at the end"},
        {bytes({0xF0, 0x9F, 0x98}), 0, "truncated 4-byte at the end"},
        {bytes({0xE2, 0x82, 'x'}), 0, "truncated 3-byte followed by ASCII"},
        {bytes({0xC3, 0xC3, 0xA9}), 0, "lead byte where a continuation belongs"},
        {bytes({'o', 'k', 0xC3, 0xA9, '\n', 0x92}), 5, "after valid multibyte"},
    };
    for (const Case& c : cases) {
        INFO(c.why);
        size_t offset = 999;
        CHECK_FALSE(is_valid_utf8(c.text, &offset));
        CHECK(offset == c.offset);
        CHECK(offset < c.text.size());
        CHECK_FALSE(is_valid_utf8(c.text));  // the offset is optional
    }
}

TEST_CASE("nearest_name: typos get a suggestion, unrelated words do not", "[config][suggest]") {
    const std::vector<std::string> keys{"workers", "user", "group", "pid_file", "shutdown_timeout", "listen", "files",
                                        "mime",    "cgi",  "http",  "log"};
    CHECK(nearest_name("workres", keys) == "workers");  // transposition = 2 edits
    CHECK(nearest_name("worker", keys) == "workers");
    CHECK(nearest_name("usr", keys) == "user");
    CHECK(nearest_name("shutdowntimeout", keys) == "shutdown_timeout");
    CHECK(nearest_name("shutdown-timout", keys) == "shutdown_timeout");
    CHECK(nearest_name("lisen", keys) == "listen");
    CHECK(nearest_name("http", keys) == "http");  // exact
    CHECK(nearest_name("banana", keys).empty());
    CHECK(nearest_name("x", keys).empty());  // 3 edits from "cgi" and "log", above the floor of 2
}

TEST_CASE("nearest_name: the threshold is max(2, length/3)", "[config][suggest]") {
    const std::vector<std::string> keys{"keepalive_timeout", "header_timeout"};
    CHECK(nearest_name("keepalive_tmout", keys) == "keepalive_timeout");    // 2 edits
    CHECK(nearest_name("keepXXXXX_timeout", keys) == "keepalive_timeout");  // 5 edits <= 17/3
    CHECK(nearest_name("kpalve_tmeot", keys).empty());                      // 5 edits > 12/3
    CHECK(nearest_name("ab", {"xyz"}).empty());                             // 3 > 2
    CHECK(nearest_name("ab", {"abcd"}) == "abcd");                          // 2 <= 2
    CHECK(nearest_name("anything", {}).empty());
    CHECK(nearest_name("", {"ab"}) == "ab");
    CHECK(nearest_name("", {"abc"}).empty());
}

TEST_CASE("nearest_name: ties go to the first candidate; long words are fine", "[config][suggest]") {
    CHECK(nearest_name("bat", {"cat", "hat"}) == "cat");
    CHECK(nearest_name(std::string(5000, 'a'), {"workers", "user"}).empty());
}

TEST_CASE("to_string spells the values the config file uses", "[config]") {
    CHECK(std::string(to_string(SymlinkPolicy::Follow)) == "follow");
    CHECK(std::string(to_string(SymlinkPolicy::InsideRoot)) == "inside-root");
    CHECK(std::string(to_string(SymlinkPolicy::Never)) == "never");
    CHECK(std::string(to_string(DotfilePolicy::Serve)) == "serve");
    CHECK(std::string(to_string(DotfilePolicy::Deny)) == "deny");
    CHECK(std::string(to_string(AccessLogFormat::Python)) == "python");
    CHECK(std::string(to_string(AccessLogFormat::Common)) == "common");
    CHECK(std::string(to_string(AccessLogFormat::Combined)) == "combined");
    CHECK(std::string(to_string(LogLevel::Debug)) == "debug");
    CHECK(std::string(to_string(LogLevel::Info)) == "info");
    CHECK(std::string(to_string(LogLevel::Warn)) == "warn");
    CHECK(std::string(to_string(LogLevel::Error)) == "error");
}

TEST_CASE("effective_workers: auto is one per CPU, at least one", "[config]") {
    Config config;
    CHECK(config.workers == 0);
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK(config.effective_workers() == static_cast<unsigned>(cpus > 0 ? cpus : 1));
    CHECK(config.effective_workers() >= 1);
    config.workers = 7;
    CHECK(config.effective_workers() == 7);
}
