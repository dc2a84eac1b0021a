// The worker ↔ CGI launcher wire protocol, and the launcher's pure script checks.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "ipc/launch_protocol.hpp"
#include "ipc/script_rules.hpp"

using namespace httpserve;

namespace {

SpawnRequest sample_spawn() {
    SpawnRequest s;
    s.request_id = 0x0102030405060708ull;
    s.script = "/srv/www/cgi-bin/env.py";
    s.cwd = "/srv/www/cgi-bin";
    s.argv = {"/srv/www/cgi-bin/env.py", "a b"};
    s.envp = {"PATH=/usr/bin:/bin", "QUERY_STRING=", "EMPTY_VALUE_OK="};
    return s;
}

// Little-endian helpers to build messages by hand.
std::string u32(uint32_t v) {
    std::string s;
    for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
    return s;
}
std::string u64(uint64_t v) { return u32(static_cast<uint32_t>(v)) + u32(static_cast<uint32_t>(v >> 32)); }
std::string str(const std::string& s) { return u32(static_cast<uint32_t>(s.size())) + s; }

}  // namespace

TEST_CASE("launch protocol: requests round-trip", "[cgi-launch]") {
    const SpawnRequest spawn = sample_spawn();
    auto decoded = decode_launch_request(encode_launch_request(spawn));
    REQUIRE(decoded);
    REQUIRE(std::holds_alternative<SpawnRequest>(*decoded));
    CHECK(std::get<SpawnRequest>(*decoded) == spawn);

    SpawnRequest empty;  // empty strings and lists are representable
    decoded = decode_launch_request(encode_launch_request(empty));
    REQUIRE(decoded);
    CHECK(std::get<SpawnRequest>(*decoded) == empty);

    for (pid_t pid : {1, 4194304, -1, 0}) {
        decoded = decode_launch_request(encode_launch_request(KillRequest{pid}));
        REQUIRE(decoded);
        CHECK(std::get<KillRequest>(*decoded).pid == pid);
    }
}

TEST_CASE("launch protocol: replies round-trip", "[cgi-launch]") {
    const SpawnedReply spawned{42, 12345};
    auto decoded = decode_launch_reply(encode_launch_reply(spawned));
    REQUIRE(decoded);
    CHECK(std::get<SpawnedReply>(*decoded) == spawned);

    // A message may carry any bytes, NUL included (it only goes to the log).
    const FailedReply failed{~0ull, 13, std::string("/x: not executable\0!", 20)};
    decoded = decode_launch_reply(encode_launch_reply(failed));
    REQUIRE(decoded);
    CHECK(std::get<FailedReply>(*decoded) == failed);
}

TEST_CASE("launch protocol: the exact byte layout", "[cgi-launch]") {
    CHECK(encode_launch_request(KillRequest{0x01020304}) == std::string("\x02\x04\x03\x02\x01", 5));
    CHECK(encode_launch_reply(SpawnedReply{1, 2}) == "\x81" + u64(1) + u32(2));
    SpawnRequest s;
    s.request_id = 7;
    s.script = "/a";
    s.argv = {"x"};
    CHECK(encode_launch_request(s) == "\x01" + u64(7) + str("/a") + str("") + u32(1) + str("x") + u32(0));
}

TEST_CASE("launch protocol: requests and replies are not interchangeable", "[cgi-launch]") {
    CHECK_FALSE(decode_launch_reply(encode_launch_request(sample_spawn())));
    CHECK_FALSE(decode_launch_reply(encode_launch_request(KillRequest{5})));
    CHECK_FALSE(decode_launch_request(encode_launch_reply(SpawnedReply{1, 2})));
    CHECK_FALSE(decode_launch_request(encode_launch_reply(FailedReply{1, 2, "x"})));
}

TEST_CASE("launch protocol: every truncation and any trailing byte is rejected", "[cgi-launch]") {
    const std::string spawn = encode_launch_request(sample_spawn());
    for (size_t n = 0; n < spawn.size(); ++n) CHECK_FALSE(decode_launch_request(spawn.substr(0, n)));
    CHECK_FALSE(decode_launch_request(spawn + '\0'));

    const std::string failed = encode_launch_reply(FailedReply{1, 2, "three"});
    for (size_t n = 0; n < failed.size(); ++n) CHECK_FALSE(decode_launch_reply(failed.substr(0, n)));
    CHECK_FALSE(decode_launch_reply(failed + 'x'));
}

TEST_CASE("launch protocol: unknown types are rejected", "[cgi-launch]") {
    for (int t : {0, 3, 128, 131, 255}) {
        const std::string msg = std::string(1, static_cast<char>(t)) + u32(1);
        CHECK_FALSE(decode_launch_request(msg));
        CHECK_FALSE(decode_launch_reply(msg));
    }
}

TEST_CASE("launch protocol: NUL inside a path, argv or envp entry is rejected", "[cgi-launch]") {
    const std::string nul("a\0b", 3);
    SpawnRequest s = sample_spawn();
    s.script = "/x" + nul;
    CHECK_FALSE(decode_launch_request(encode_launch_request(s)));
    s = sample_spawn();
    s.cwd = nul;
    CHECK_FALSE(decode_launch_request(encode_launch_request(s)));
    s = sample_spawn();
    s.argv.push_back(nul);
    CHECK_FALSE(decode_launch_request(encode_launch_request(s)));
    s = sample_spawn();
    s.envp.push_back("A=" + nul);
    CHECK_FALSE(decode_launch_request(encode_launch_request(s)));
}

TEST_CASE("launch protocol: lengths and counts beyond the message fail without allocating", "[cgi-launch]") {
    // A string claiming 4 GiB.
    CHECK_FALSE(decode_launch_request("\x01" + u64(1) + u32(0xffffffffu)));
    // A list claiming 4 billion entries in a few bytes.
    CHECK_FALSE(decode_launch_request("\x01" + u64(1) + str("/a") + str("") + u32(0xffffffffu) + u32(0)));
    // A count that is exactly what the remaining bytes could hold, but the entries are short.
    CHECK_FALSE(decode_launch_request("\x01" + u64(1) + str("/a") + str("") + u32(2) + u32(0) + u32(0)));
}

TEST_CASE("launch protocol: messages above the size limit are rejected", "[cgi-launch]") {
    SpawnRequest s = sample_spawn();
    s.envp.push_back("BIG=" + std::string(kMaxLaunchMessage, 'x'));
    const std::string bytes = encode_launch_request(s);
    REQUIRE(bytes.size() > kMaxLaunchMessage);
    CHECK_FALSE(decode_launch_request(bytes));

    s = sample_spawn();
    s.envp.push_back("BIG=" + std::string(kMaxLaunchMessage - 1024, 'x'));
    CHECK(decode_launch_request(encode_launch_request(s)));
}

TEST_CASE("script rules: CGI folder paths", "[cgi-launch]") {
    CHECK(cgi_folder_path("/srv/www", "/cgi-bin") == "/srv/www/cgi-bin");
    CHECK(cgi_folder_path("/srv/www/", "/cgi-bin/") == "/srv/www/cgi-bin");
    CHECK(cgi_folder_path("/", "/cgi-bin") == "/cgi-bin");
    CHECK(cgi_folder_path("/srv", "/a/b") == "/srv/a/b");
    CHECK(cgi_folder_path("/srv", "") == "/srv");
    CHECK(cgi_folder_path("/", "/") == "/");
}

TEST_CASE("script rules: inside a folder means whole path components", "[cgi-launch]") {
    CHECK(is_inside_folder("/srv/cgi-bin/x", "/srv/cgi-bin"));
    CHECK(is_inside_folder("/srv/cgi-bin/sub/x", "/srv/cgi-bin"));
    CHECK(is_inside_folder("/srv/cgi-bin", "/srv/cgi-bin"));
    CHECK(is_inside_folder("/srv/cgi-bin/x", "/srv/cgi-bin/"));
    CHECK_FALSE(is_inside_folder("/srv/cgi-binx/x", "/srv/cgi-bin"));
    CHECK_FALSE(is_inside_folder("/srv/cgi-bi", "/srv/cgi-bin"));
    CHECK_FALSE(is_inside_folder("/srv/x", "/srv/cgi-bin"));
    CHECK_FALSE(is_inside_folder("/etc/passwd", "/srv/cgi-bin"));
    CHECK(is_inside_folder("/anything", "/"));
    CHECK_FALSE(is_inside_folder("relative/x", "relative"));
    CHECK_FALSE(is_inside_folder("/srv/cgi-bin/x", ""));
    CHECK_FALSE(is_inside_folder("", "/srv"));
}

TEST_CASE("script rules: what a path names below a folder, as written", "[cgi-launch]") {
    CHECK(relative_to_folder("/srv/cgi-bin/x.sh", "/srv/cgi-bin") == "x.sh");
    CHECK(relative_to_folder("/srv/cgi-bin//sub/x.sh", "/srv/cgi-bin/") == "sub/x.sh");
    CHECK(relative_to_folder("/srv/cgi-bin", "/srv/cgi-bin") == "");
    CHECK(relative_to_folder("/srv/cgi-bin/../etc/passwd", "/srv/cgi-bin") == "../etc/passwd");  // openat2's to refuse
    CHECK(relative_to_folder("/x/y", "/") == "x/y");
    CHECK_FALSE(relative_to_folder("/srv/cgi-binx/x.sh", "/srv/cgi-bin"));
    CHECK_FALSE(relative_to_folder("cgi-bin/x.sh", "cgi-bin"));
}
