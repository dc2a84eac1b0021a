// ipc/launcher_settings: the encoding the master sends the CGI launcher its settings in; decoding
// refuses anything malformed, and any switch to root.
#include <catch2/catch.hpp>

#include <string>

#include "ipc/launcher_settings.hpp"

using namespace httpserve;

namespace {

LauncherSettings sample() {
    LauncherSettings s;
    s.switch_user = true;
    s.uid = 65534;
    s.gid = 65533;
    s.user = "nobody";
    s.group = "nogroup";
    s.user_explicit = true;
    s.refuse_reason = "";
    s.cgi_folders = {"/srv/www/cgi-bin", "/srv/www/htbin"};
    s.symlinks_never = true;
    s.dotfiles_deny = true;
    s.max_per_channel = 128;
    s.max_memory = 5ull << 32;  // above 32 bits
    s.max_cpu_seconds = 30;
    s.max_account_processes = 4096;
    s.error_log = "/var/log/httpserve/error.log";
    s.log_level = LogLevel::Warn;
    return s;
}

}  // namespace

TEST_CASE("launcher settings: every field round-trips", "[ipc][launcher_settings]") {
    const LauncherSettings s = sample();
    CHECK(decode_launcher_settings(encode_launcher_settings(s)) == s);

    LauncherSettings other;  // the defaults: not switching, the server's own account
    other.uid = 1000;
    other.gid = 1000;
    other.user = "www";
    other.group = "www";
    other.refuse_reason = "cgi.user 'nobody' (group 'nogroup') is set, but the server was not started as root";
    other.log_level = LogLevel::Debug;
    CHECK(decode_launcher_settings(encode_launcher_settings(other)) == other);

    LauncherSettings bytes = sample();  // names and reasons are bytes; only paths are C strings
    bytes.user = std::string("a\0b\xff", 4);
    bytes.refuse_reason = std::string("\0", 1);
    CHECK(decode_launcher_settings(encode_launcher_settings(bytes)) == bytes);
}

TEST_CASE("launcher settings: never a switch to root", "[ipc][launcher_settings]") {
    LauncherSettings s = sample();
    s.uid = 0;
    CHECK_FALSE(decode_launcher_settings(encode_launcher_settings(s)));
    s = sample();
    s.gid = 0;
    CHECK_FALSE(decode_launcher_settings(encode_launcher_settings(s)));
    s.uid = 0;
    CHECK_FALSE(decode_launcher_settings(encode_launcher_settings(s)));
    // Without a switch, uid 0 only describes a server that runs as root itself (refused elsewhere).
    s.switch_user = false;
    CHECK(decode_launcher_settings(encode_launcher_settings(s)) == s);
}

TEST_CASE("launcher settings: every truncation and any trailing byte is refused", "[ipc][launcher_settings]") {
    const std::string bytes = encode_launcher_settings(sample());
    for (size_t n = 0; n < bytes.size(); ++n) {
        INFO("first " << n << " of " << bytes.size() << " bytes");
        CHECK_FALSE(decode_launcher_settings(bytes.substr(0, n)));
    }
    CHECK_FALSE(decode_launcher_settings(bytes + '\0'));
}

TEST_CASE("launcher settings: an unknown log level is refused", "[ipc][launcher_settings]") {
    std::string bytes = encode_launcher_settings(sample());
    REQUIRE(bytes.back() == static_cast<char>(LogLevel::Warn));
    bytes.back() = static_cast<char>(LogLevel::Error);
    CHECK(decode_launcher_settings(bytes)->log_level == LogLevel::Error);
    bytes.back() = static_cast<char>(static_cast<int>(LogLevel::Error) + 1);
    CHECK_FALSE(decode_launcher_settings(bytes));
    bytes.back() = '\xff';
    CHECK_FALSE(decode_launcher_settings(bytes));
}

TEST_CASE("launcher settings: a NUL inside a folder or the error log path is refused", "[ipc][launcher_settings]") {
    LauncherSettings s = sample();
    s.cgi_folders[1] = std::string("/srv/www/ht\0bin", 15);
    CHECK_FALSE(decode_launcher_settings(encode_launcher_settings(s)));
    s = sample();
    s.error_log = std::string("/var/log/x\0y", 12);
    CHECK_FALSE(decode_launcher_settings(encode_launcher_settings(s)));
}

TEST_CASE("launcher settings: flags are 0 or not 0", "[ipc][launcher_settings]") {
    LauncherSettings s = sample();
    s.switch_user = false;
    s.user_explicit = false;
    std::string bytes = encode_launcher_settings(s);
    REQUIRE(bytes[0] == '\0');
    bytes[0] = '\x02';  // any non-zero byte means true
    const auto decoded = decode_launcher_settings(bytes);
    REQUIRE(decoded);
    CHECK(decoded->switch_user);
}
