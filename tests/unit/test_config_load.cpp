// The TOML loader: every key, its type and range checks, and errors that name file, line and key.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "config/load.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using httpserve::test_support::in_folder;
using httpserve::test_support::TempDir;

namespace {

Config load(const std::string& text) { return load_config_text(text, "test.toml", "/etc/httpserve"); }

// The ConfigError `text` produces; fails the test when it loads.
ConfigError error_of(const std::string& text) {
    try {
        load(text);
    } catch (const ConfigError& e) { return e; }
    FAIL("expected a ConfigError for:\n" << text);
    throw;  // not reached
}

// The source tree, to find packaging/httpserve.toml: a compile definition when the build gives one,
// else relative to this file (absolute, or relative to the build folder the tests usually run in),
// else the first parent of the working folder that has it.
fs::path source_dir() {
#ifdef HTTPSERVE_SOURCE_DIR
    return HTTPSERVE_SOURCE_DIR;
#else
    const fs::path here = fs::path(__FILE__).parent_path().parent_path().parent_path();
    std::error_code ec;
    if (fs::exists(here / "packaging/httpserve.toml", ec)) return here;
    for (fs::path dir = fs::current_path(ec); !dir.empty(); dir = dir.parent_path()) {
        if (fs::exists(dir / here / "packaging/httpserve.toml", ec)) return dir / here;
        if (fs::exists(dir / "packaging/httpserve.toml", ec)) return dir;
        if (dir == dir.root_path()) break;
    }
    return here;
#endif
}

}  // namespace

TEST_CASE("an empty file gives the documented defaults", "[config][load]") {
    const Config c = load("");
    CHECK(c.workers == 0);
    CHECK(c.user == "httpserve");
    CHECK(c.group == "httpserve");
    CHECK_FALSE(c.user_explicit);
    CHECK(c.pid_file.empty());
    CHECK(c.shutdown_timeout == 30s);
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0] == ListenAddress{"::", 8000});
    CHECK(c.files.root == "/var/www/html");
    CHECK(c.files.index_pages == std::vector<std::string>{"index.html", "index.htm"});
    CHECK(c.files.directory_listing);
    CHECK(c.files.symlinks == SymlinkPolicy::Follow);
    CHECK(c.files.dotfiles == DotfilePolicy::Serve);
    CHECK(c.files.listing == ListingStyle::Python);
    CHECK(c.files.precompressed.empty());
    CHECK(c.mime.types_file == "/etc/mime.types");
    CHECK(c.mime.default_type == "application/octet-stream");
    CHECK(c.mime.types.empty());
    CHECK_FALSE(c.cgi.enabled);
    CHECK(c.cgi.directories == std::vector<std::string>{"/cgi-bin", "/htbin"});
    CHECK(c.cgi.user == "nobody");
    CHECK(c.cgi.group == "nogroup");
    CHECK_FALSE(c.cgi.user_explicit);
    CHECK(c.cgi.timeout == 60s);
    CHECK(c.cgi.max_processes == 64);
    CHECK(c.cgi.max_memory == 0);
    CHECK(c.cgi.max_cpu_time == 0ms);
    CHECK(c.http.protocol == "HTTP/1.1");
    CHECK(c.http.keepalive_timeout == 75s);
    CHECK(c.http.header_timeout == 20s);
    CHECK(c.http.body_timeout == 60s);
    CHECK(c.http.send_timeout == 60s);
    CHECK(c.http.max_request_line == 65536);
    CHECK(c.http.max_header_lines == 99);
    CHECK(c.http.max_header_line == 65536);
    CHECK(c.http.max_body == 16u << 20);
    CHECK(c.http.max_connections == 10000);
    CHECK(c.log.access == "stderr");
    CHECK(c.log.access_format == AccessLogFormat::Combined);
    CHECK(c.log.error == "stderr");
    CHECK(c.log.level == LogLevel::Info);
    CHECK(c.status.path.empty());
    CHECK(c.status.allow == default_proxy_trusted());
    CHECK(c.source_file == "test.toml");
    CHECK_FALSE(c.command_line_mode);
}

TEST_CASE("comments and empty tables change nothing", "[config][load]") {
    const Config c = load("# nothing\n\n[files]\n[mime]\n[mime.types]\n[cgi]\n[http]\n[log]\n");
    CHECK(c.files.root == "/var/www/html");
    CHECK(c.listen.size() == 1);
}

TEST_CASE("a file with every key set", "[config][load]") {
    const Config c = load(R"toml(
workers = 4
user = "www-data"
group = "www-data"
pid_file = "/run/httpserve.pid"
shutdown_timeout = "2m"

[[listen]]
address = "127.0.0.1"
port = 8080

[[listen]]
address = "::1"
port = 0

[files]
root = "/srv/www"
index_pages = ["default.htm"]
directory_listing = false
symlinks = "inside-root"
dotfiles = "deny"

[mime]
types_file = "/usr/share/mime.types"
default_type = "text/plain"

[mime.types]
".wasm" = "application/wasm"
".md" = "text/markdown; charset=utf-8"

[cgi]
enabled = true
directories = ["/scripts", "/cgi/bin"]
user = "cgi"
group = "cgi"
timeout = 5
max_processes = 100000
max_memory = "256MiB"
max_cpu_time = "1500ms"

[http]
protocol = "HTTP/1.0"
keepalive_timeout = "500ms"
header_timeout = 1
body_timeout = "1h"
send_timeout = "90s"
max_request_line = "16MiB"
max_header_lines = 10000
max_header_line = 256
max_body = 0
max_connections = 1000000

[log]
access = "/var/log/httpserve/access.log"
access_format = "python"
error = "/var/log/httpserve/error.log"
level = "debug"

[status]
path = "/server-status"
allow = ["192.0.2.0/24"]
)toml");
    CHECK(c.workers == 4);
    CHECK(c.effective_workers() == 4);
    CHECK(c.user == "www-data");
    CHECK(c.group == "www-data");
    CHECK(c.user_explicit);
    CHECK(c.pid_file == "/run/httpserve.pid");
    CHECK(c.shutdown_timeout == 2min);
    REQUIRE(c.listen.size() == 2);
    CHECK(c.listen[0] == ListenAddress{"127.0.0.1", 8080});
    CHECK(c.listen[1] == ListenAddress{"::1", 0});
    CHECK(c.files.root == "/srv/www");
    CHECK(c.files.index_pages == std::vector<std::string>{"default.htm"});
    CHECK_FALSE(c.files.directory_listing);
    CHECK(c.files.symlinks == SymlinkPolicy::InsideRoot);
    CHECK(c.files.dotfiles == DotfilePolicy::Deny);
    CHECK(c.mime.types_file == "/usr/share/mime.types");
    CHECK(c.mime.default_type == "text/plain");
    CHECK(c.mime.types ==
          std::map<std::string, std::string>{{".wasm", "application/wasm"}, {".md", "text/markdown; charset=utf-8"}});
    CHECK(c.cgi.enabled);
    CHECK(c.cgi.directories == std::vector<std::string>{"/scripts", "/cgi/bin"});
    CHECK(c.cgi.user == "cgi");
    CHECK(c.cgi.group == "cgi");
    CHECK(c.cgi.user_explicit);
    CHECK(c.cgi.timeout == 5s);
    CHECK(c.cgi.max_processes == 100000);
    CHECK(c.cgi.max_memory == 256ull << 20);
    CHECK(c.cgi.max_cpu_time == 1500ms);
    CHECK(c.http.protocol == "HTTP/1.0");
    CHECK_FALSE(c.http.persistent_connections());
    CHECK(c.http.keepalive_timeout == 500ms);
    CHECK(c.http.header_timeout == 1s);
    CHECK(c.http.body_timeout == 1h);
    CHECK(c.http.send_timeout == 90s);
    CHECK(c.http.max_request_line == 16u << 20);
    CHECK(c.http.max_header_lines == 10000);
    CHECK(c.http.max_header_line == 256);
    CHECK(c.http.max_body == 0);
    CHECK(c.http.max_connections == 1000000);
    CHECK(c.log.access == "/var/log/httpserve/access.log");
    CHECK(c.log.access_format == AccessLogFormat::Python);
    CHECK(c.log.error == "/var/log/httpserve/error.log");
    CHECK(c.log.level == LogLevel::Debug);
    CHECK(c.status.path == "/server-status");
    REQUIRE(c.status.allow.size() == 1);
    CHECK(c.status.allow[0].prefix == 24);
}

TEST_CASE("the other enum values and special strings", "[config][load]") {
    CHECK(load("workers = \"auto\"").workers == 0);
    CHECK(load("workers = 1").workers == 1);
    CHECK(load("workers = 1024").workers == 1024);
    CHECK(load("[files]\nsymlinks = \"never\"").files.symlinks == SymlinkPolicy::Never);
    CHECK(load("[files]\nsymlinks = \"follow\"").files.symlinks == SymlinkPolicy::Follow);
    CHECK(load("[files]\ndotfiles = \"serve\"").files.dotfiles == DotfilePolicy::Serve);
    CHECK(load("[files]\nlisting = \"rich\"").files.listing == ListingStyle::Rich);
    CHECK(load("[log]\naccess_format = \"common\"").log.access_format == AccessLogFormat::Common);
    CHECK(load("[log]\naccess_format = \"combined\"").log.access_format == AccessLogFormat::Combined);
    CHECK(load("[log]\nlevel = \"info\"").log.level == LogLevel::Info);
    CHECK(load("[log]\nlevel = \"warn\"").log.level == LogLevel::Warn);
    CHECK(load("[log]\nlevel = \"error\"").log.level == LogLevel::Error);
    CHECK(load("[log]\naccess = \"stdout\"").log.access == "stdout");
    CHECK(load("[log]\naccess = \"off\"").log.access == "off");
    CHECK(load("[log]\naccess = \"stderr\"").log.access == "stderr");
    CHECK(load("[log]\nerror = \"stderr\"").log.error == "stderr");
    CHECK(load("[http]\nprotocol = \"HTTP/1.1\"").http.protocol == "HTTP/1.1");
    CHECK(load("[files]\nindex_pages = []").files.index_pages.empty());
    CHECK(load("[files]\nprecompressed = []").files.precompressed.empty());
    CHECK(load("[files]\nprecompressed = [\"gzip\", \"br\", \"zstd\"]").files.precompressed ==
          std::vector<ContentCoding>{ContentCoding::Gzip, ContentCoding::Brotli, ContentCoding::Zstd});
    CHECK(load("[cgi]\ndirectories = []").cgi.directories.empty());
    CHECK(load("[mime]\ntypes_file = \"\"").mime.types_file.empty());
    CHECK(load("[http]\nmax_body = \"1024GiB\"").http.max_body == 1ull << 40);
    CHECK(load("[http]\nmax_request_line = \"256B\"").http.max_request_line == 256);
    CHECK(load("shutdown_timeout = 0").shutdown_timeout == 0s);
    CHECK(load("shutdown_timeout = \"0ms\"").shutdown_timeout == 0s);
    CHECK(load("[cgi]\ntimeout = \"720h\"").cgi.timeout == 720h);  // 30 days, the ceiling
}

TEST_CASE("TOML's other spellings of the same tables work", "[config][load]") {
    const Config inline_tables = load("files = { root = \"/a\" }\nlisten = [{ port = 81 }, { address = \"::1\" }]\n");
    CHECK(inline_tables.files.root == "/a");
    REQUIRE(inline_tables.listen.size() == 2);
    CHECK(inline_tables.listen[0] == ListenAddress{"::", 81});
    CHECK(inline_tables.listen[1] == ListenAddress{"::1", 8000});
    const Config dotted = load("http.max_body = \"1KiB\"\nlog.level = \"warn\"\n");
    CHECK(dotted.http.max_body == 1024);
    CHECK(dotted.log.level == LogLevel::Warn);
}

TEST_CASE("the shipped packaging/httpserve.toml loads", "[config][load]") {
    const fs::path file = source_dir() / "packaging/httpserve.toml";
    INFO("looked for " << file);
    REQUIRE(fs::exists(file));
    const Config c = load_config_file(file.string());
    REQUIRE(c.listen.size() == 1);
    CHECK(c.listen[0] == ListenAddress{"::", 80});
    CHECK(c.files.root == "/var/www/html");
    CHECK(c.user == "httpserve");
    CHECK(c.user_explicit);
    CHECK(c.cgi.user_explicit);
    CHECK(c.workers == 0);
    CHECK(c.mime.types.empty());
    CHECK(c.http.max_body == 16u << 20);
    CHECK(c.log.access_format == AccessLogFormat::Combined);
    // The service's folders (LogsDirectory=, RuntimeDirectory= in systemd/httpserve.service.in).
    CHECK(c.log.access == "/var/log/httpserve/access.log");
    CHECK(c.log.error == "stderr");
    CHECK(c.pid_file == "/run/httpserve/httpserve.pid");
    CHECK(c.source_file == file.string());
}

TEST_CASE("ConfigError::what() is FILE:LINE: KEY: MESSAGE", "[config][load]") {
    CHECK(std::string(ConfigError("a.toml", 3, "http.max_body", "boom").what()) == "a.toml:3: http.max_body: boom");
    CHECK(std::string(ConfigError("a.toml", 0, "http.max_body", "boom").what()) == "a.toml: http.max_body: boom");
    CHECK(std::string(ConfigError("a.toml", 7, "", "boom").what()) == "a.toml:7: boom");
    CHECK(std::string(ConfigError("a.toml", 0, "", "boom").what()) == "a.toml: boom");
    const ConfigError e("f", 2, "k", "m");
    CHECK(e.file == "f");
    CHECK(e.line == 2);
    CHECK(e.key == "k");
    CHECK(e.message == "m");
}

namespace {
struct Expected {
    std::string text;
    int line;
    std::string key;
    std::string message;
};

void check_errors(const std::vector<Expected>& cases) {
    for (const Expected& x : cases) {
        INFO("input:\n" << x.text);
        const ConfigError e = error_of(x.text);
        CHECK(e.file == "test.toml");
        CHECK(e.line == x.line);
        CHECK(e.key == x.key);
        CHECK(e.message == x.message);
        CHECK(std::string(e.what()) == "test.toml:" + std::to_string(x.line) + ": " + x.key + ": " + x.message);
    }
}

const char* const kDuration = "expected a duration like 30s, 500ms, 5m, 1h or an integer (seconds)";
const char* const kSize = "expected a size like 16MiB or an integer";
}  // namespace

TEST_CASE("top-level keys: type and range errors", "[config][load]") {
    check_errors({
        {"workers = 0", 1, "workers", "must be between 1 and 1024 (got 0)"},
        {"\nworkers = 1025", 2, "workers", "must be between 1 and 1024 (got 1025)"},
        {"workers = -1", 1, "workers", "must be between 1 and 1024 (got -1)"},
        {"workers = \"AUTO\"", 1, "workers", "expected \"auto\" or an integer between 1 and 1024"},
        {"workers = 2.0", 1, "workers", "expected \"auto\" or an integer between 1 and 1024"},
        {"workers = true", 1, "workers", "expected \"auto\" or an integer between 1 and 1024"},
        {"user = 1", 1, "user", "expected a string"},
        {"user = \"\"", 1, "user", "must not be empty"},
        {"group = []", 1, "group", "expected a string"},
        {"group = \"\"", 1, "group", "must not be empty"},
        {"pid_file = false", 1, "pid_file", "expected a string"},
        {"shutdown_timeout = \"soon\"", 1, "shutdown_timeout", std::string("invalid duration \"soon\": ") + kDuration},
        {"shutdown_timeout = 1.5", 1, "shutdown_timeout", kDuration},
        {"shutdown_timeout = -1", 1, "shutdown_timeout", "must not be negative"},
        {"shutdown_timeout = \"721h\"", 1, "shutdown_timeout", "must be at most 30 days"},
        {"shutdown_timeout = 2592001", 1, "shutdown_timeout", "must be at most 30 days"},
        {"shutdown_timeout = 9223372036854775807", 1, "shutdown_timeout", "must be at most 30 days"},
    });
}

TEST_CASE("listen: type, range and shape errors", "[config][load]") {
    check_errors({
        {"listen = 80", 1, "listen", "expected an array of tables ([[listen]])"},
        {"listen = { port = 80 }", 1, "listen", "expected an array of tables ([[listen]])"},
        {"listen = []", 1, "listen", "needs at least one entry"},
        {"listen = [80]", 1, "listen[0]", "expected a table"},
        {"[[listen]]\nport = 70000", 2, "listen[0].port", "must be between 0 and 65535 (got 70000)"},
        {"[[listen]]\nport = -1", 2, "listen[0].port", "must be between 0 and 65535 (got -1)"},
        {"[[listen]]\nport = \"80\"", 2, "listen[0].port", "expected an integer"},
        {"[[listen]]\n[[listen]]\naddress = 1", 3, "listen[1].address", "expected a string"},
        {"[[listen]]\nport = 1\n[[listen]]\naddress = \"\"", 4, "listen[1].address", "must not be empty"},
        {"[[listen]]\nport = 81\n\n[[listen]]\nport = 81\n", 4, "listen[1]", "same address and port as listen[0]"},
        {"[[listen]]\n[[listen]]\nprot = 80", 3, "listen[1].prot", "unknown key 'prot'; did you mean 'port'?"},
    });
}

TEST_CASE("listen: PROXY protocol keys", "[config][load]") {
    const Config defaults = load("[[listen]]\nport = 80\n");
    CHECK_FALSE(defaults.listen[0].proxy_protocol);
    CHECK(defaults.listen[0].proxy_timeout == 5s);
    REQUIRE(defaults.listen[0].proxy_trusted.size() == 2);
    CHECK(defaults.listen[0].proxy_trusted[0].family == AF_INET);
    CHECK(defaults.listen[0].proxy_trusted[0].prefix == 8);
    CHECK(defaults.listen[0].proxy_trusted[1].family == AF_INET6);
    CHECK(defaults.listen[0].proxy_trusted[1].prefix == 128);

    const Config c = load(R"toml(
[[listen]]
port = 80
proxy_protocol = true
proxy_trusted = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.10"]
proxy_timeout = "3s"
[[listen]]
port = 81
)toml");
    CHECK(c.listen[0].proxy_protocol);
    CHECK(c.listen[0].proxy_timeout == 3s);
    REQUIRE(c.listen[0].proxy_trusted.size() == 3);
    CHECK(c.listen[0].proxy_trusted[2].prefix == 32);
    CHECK_FALSE(c.listen[1].proxy_protocol);  // per listener
    CHECK(load("[[listen]]\nproxy_trusted = []\n").listen[0].proxy_trusted.empty());

    check_errors({
        {"[[listen]]\nproxy_protocol = \"yes\"", 2, "listen[0].proxy_protocol", "expected true or false"},
        {"[[listen]]\nproxy_trusted = \"10.0.0.0/8\"", 2, "listen[0].proxy_trusted", "expected an array of strings"},
        {"[[listen]]\nproxy_trusted = [\"10.0.0.0/33\"]", 2, "listen[0].proxy_trusted[0]",
         "prefix length must be a number from 0 to 32"},
        {"[[listen]]\nproxy_trusted = [\"::1/128\", \"::/200\"]", 2, "listen[0].proxy_trusted[1]",
         "prefix length must be a number from 0 to 128"},
        {"[[listen]]\nproxy_trusted = [\"10.0.0.0/8\",\n  \"lb.example\"]", 3, "listen[0].proxy_trusted[1]",
         "expected an address or a network like \"10.0.0.0/8\" or \"2001:db8::/32\""},
        {"[[listen]]\nproxy_trusted = [\"10.1.0.0/8\"]", 2, "listen[0].proxy_trusted[0]",
         "host bits are set after the prefix length (did you mean the network's first address?)"},
        {"[[listen]]\nproxy_trusted = [\"::ffff:10.0.0.0/104\"]", 2, "listen[0].proxy_trusted[0]",
         "an IPv4-mapped IPv6 network never matches: IPv4 peers are matched against IPv4 networks, so write it as "
         "one (e.g. \"10.0.0.0/8\")"},
        {"[[listen]]\nproxy_timeout = \"500ms\"", 2, "listen[0].proxy_timeout", "must be at least 1s"},
        {"[[listen]]\nproxy_timeout = 0", 2, "listen[0].proxy_timeout", "must be more than 0"},
        {"[[listen]]\nproxy_timeout = \"soon\"", 2, "listen[0].proxy_timeout",
         "invalid duration \"soon\": "
         "expected a duration like 30s, 500ms, 5m, 1h or an integer (seconds)"},
        {"[[listen]]\nproxy_protcol = true", 2, "listen[0].proxy_protcol",
         "unknown key 'proxy_protcol'; did you mean 'proxy_protocol'?"},
    });
}

TEST_CASE("[status]: path and allow", "[config][load]") {
    const Config c = load("[status]\npath = \"/.well-known/httpserve-status\"\nallow = [\"10.0.0.0/8\", \"::1\"]\n");
    CHECK(c.status.path == "/.well-known/httpserve-status");
    REQUIRE(c.status.allow.size() == 2);
    CHECK(c.status.allow[0].prefix == 8);
    CHECK(c.status.allow[1].family == AF_INET6);
    CHECK(c.status.allow[1].prefix == 128);
    CHECK(load("[status]\npath = \"\"\n").status.path.empty());
    CHECK(load("[status]\nallow = []\n").status.allow.empty());

    check_errors({
        {"status = 1", 1, "status", "expected a table"},
        {"[status]\npath = 1", 2, "status.path", "expected a string"},
        {"[status]\npath = \"status\"", 2, "status.path", "must be empty (off) or start with '/'"},
        {"[status]\npath = \"/status?x=1\"", 2, "status.path", "must not contain '?' or '#'"},
        {"[status]\npath = \"/a/../status\"", 2, "status.path",
         "must be a plain path (no empty, '.' or '..' segments)"},
        {"[status]\npath = \"//status\"", 2, "status.path", "must be a plain path (no empty, '.' or '..' segments)"},
        {"[status]\npath = \"/st\\tatus\"", 2, "status.path", "must not contain control characters"},
        {"[status]\nallow = \"127.0.0.1\"", 2, "status.allow", "expected an array of strings"},
        {"[status]\nallow = [\"127.0.0.1\", \"10.0.0.0/33\"]", 2, "status.allow[1]",
         "prefix length must be a number from 0 to 32"},
        {"[status]\npaht = \"/s\"", 2, "status.paht", "unknown key 'paht'; did you mean 'path'?"},
    });
}

TEST_CASE("[files]: type and range errors", "[config][load]") {
    check_errors({
        {"files = \"/srv\"", 1, "files", "expected a table"},
        {"[files]\nroot = 1", 2, "files.root", "expected a string"},
        {"[files]\nroot = \"\"", 2, "files.root", "must not be empty"},
        {"[files]\nindex_pages = \"index.html\"", 2, "files.index_pages", "expected an array of strings"},
        {"[files]\nindex_pages = [\"a\", 1]", 2, "files.index_pages[1]", "expected a string"},
        {"[files]\nindex_pages = [\"\"]", 2, "files.index_pages[0]", "must not be empty"},
        {"[files]\nindex_pages = [\n  \"ok.html\",\n  \"sub/index.html\",\n]", 4, "files.index_pages[1]",
         "must be a file name, without '/'"},
        {"[files]\ndirectory_listing = \"yes\"", 2, "files.directory_listing", "expected true or false"},
        {"[files]\ndirectory_listing = 1", 2, "files.directory_listing", "expected true or false"},
        {"[files]\nsymlinks = \"folow\"", 2, "files.symlinks",
         "invalid value \"folow\": expected one of \"follow\", \"inside-root\", \"never\""},
        {"[files]\nsymlinks = true", 2, "files.symlinks", "expected one of \"follow\", \"inside-root\", \"never\""},
        {"[files]\ndotfiles = \"hide\"", 2, "files.dotfiles",
         "invalid value \"hide\": expected one of \"serve\", \"deny\""},
        {"[files]\nlisting = \"fancy\"", 2, "files.listing",
         "invalid value \"fancy\": expected one of \"python\", \"rich\""},
        {"[files]\nprecompressed = \"gzip\"", 2, "files.precompressed", "expected an array of strings"},
        {"[files]\nprecompressed = [\"br\", \"deflate\"]", 2, "files.precompressed[1]",
         "invalid value \"deflate\": expected one of \"br\", \"zstd\", \"gzip\""},
        {"[files]\nprecompressed = [\"br\", 1]", 2, "files.precompressed[1]",
         "expected one of \"br\", \"zstd\", \"gzip\""},
        {"[files]\nprecompressed = [\n  \"gzip\",\n  \"gzip\",\n]", 4, "files.precompressed[1]",
         "\"gzip\" is listed twice"},
    });
}

TEST_CASE("[mime]: type and range errors", "[config][load]") {
    check_errors({
        {"[mime]\ntypes_file = 0", 2, "mime.types_file", "expected a string"},
        {"[mime]\ndefault_type = \"\"", 2, "mime.default_type", "expected a media type like \"type/subtype\""},
        {"[mime]\ndefault_type = []", 2, "mime.default_type", "expected a string"},
        {"[mime]\ntypes = [\".a\"]", 2, "mime.types", "expected a table"},
        {"[mime.types]\nwasm = \"application/wasm\"", 2, "mime.types.wasm",
         "an extension must start with '.', like \".wasm\""},
        {"[mime.types]\n\".\" = \"a/b\"", 2, "mime.types.\".\"", "an extension must start with '.', like \".wasm\""},
        {"[mime.types]\n\".a/b\" = \"a/b\"", 2, "mime.types.\".a/b\"",
         "an extension must start with '.', like \".wasm\""},
        {"[mime.types]\n\".wasm\" = 1", 2, "mime.types.\".wasm\"", "expected a string"},
        {"[mime.types]\n\".wasm\" = \"wasm\"", 2, "mime.types.\".wasm\"",
         "expected a media type like \"type/subtype\""},
        {"[mime.types]\n\".wasm\" = \"/wasm\"", 2, "mime.types.\".wasm\"",
         "expected a media type like \"type/subtype\""},
        {"[mime.types]\n\".wasm\" = \"application/\"", 2, "mime.types.\".wasm\"",
         "expected a media type like \"type/subtype\""},
        {"[mime.types]\n\".x\" = \"text/plain\\r\\nX: y\"", 2, "mime.types.\".x\"",
         "expected a media type like \"type/subtype\""},
        {"[mime.types]\n\".x\" = \"text/plain;\\tq=1\"", 2, "mime.types.\".x\"",
         "expected a media type like \"type/subtype\""},
        {"[mime]\ndefault_type = \"binary\"", 2, "mime.default_type", "expected a media type like \"type/subtype\""},
    });
}

TEST_CASE("[[headers]]: rules in file order, pairs in file order", "[config][load]") {
    const Config c = load(R"toml(
[[headers]]
match = "/api/*"
set = { "Access-Control-Allow-Origin" = "*", "Cache-Control" = "no-store" }

[[headers]]
match = "*.wasm"
[headers.set]
Cross-Origin-Embedder-Policy = "require-corp"
X-Empty = ""
)toml");
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    REQUIRE(c.headers.size() == 2);
    CHECK(c.headers[0].match == "/api/*");
    CHECK(c.headers[0].set == Pairs{{"Access-Control-Allow-Origin", "*"}, {"Cache-Control", "no-store"}});
    CHECK(c.headers[1].match == "*.wasm");
    CHECK(c.headers[1].set == Pairs{{"Cross-Origin-Embedder-Policy", "require-corp"}, {"X-Empty", ""}});
    CHECK(load("").headers.empty());
}

TEST_CASE("[[headers]]: shape, pattern and header errors", "[config][load]") {
    check_errors({
        {"headers = 1", 1, "headers", "expected an array of tables ([[headers]])"},
        {"[headers]\nmatch = \"/\"", 1, "headers", "expected an array of tables ([[headers]])"},
        {"[[headers]]\nset = {}", 1, "headers[0]", "needs match = \"/path/pattern*\""},
        {"[[headers]]\nmatch = \"/*\"", 1, "headers[0]", "needs set = { \"Header-Name\" = \"value\" }"},
        {"[[headers]]\nmatch = \"\"\nset = {}", 2, "headers[0].match", "must not be empty"},
        {"[[headers]]\nmatch = \"api/*\"\nset = {}", 2, "headers[0].match",
         "a pattern must start with '/' or '*': it is matched against the request path, like \"/api/*\""},
        {"[[headers]]\nmatch = \"/[ab\"\nset = {}", 2, "headers[0].match", "unclosed '[' in \"/[ab\""},
        {"[[headers]]\nmatch = \"/\"\nset = 1", 3, "headers[0].set", "expected a table"},
        {"[[headers]]\nmatch = \"/\"\nset = { X-A = 1 }", 3, "headers[0].set.X-A", "expected a string"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"X A\" = \"1\" }", 3, "headers[0].set.\"X A\"",
         "a header name is letters, digits and !#$%&'*+-.^_`|~ only"},
        {"[[headers]]\nmatch = \"/\"\nset = { X-A = \"a\\r\\nSet-Cookie: x\" }", 3, "headers[0].set.X-A",
         "a header value must not contain CR, LF or NUL"},
        {"[[headers]]\nmatch = \"/\"\nset = { X-A = \"a\\u0000\" }", 3, "headers[0].set.X-A",
         "a header value must not contain CR, LF or NUL"},
        {"[[headers]]\nmatch = \"/\"\nset = { Content-Length = \"1\" }", 3, "headers[0].set.Content-Length",
         "Content-Length is set by the server"},
        {"[[headers]]\nmatch = \"/\"\nset = { connection = \"close\" }", 3, "headers[0].set.connection",
         "Connection is set by the server"},
        {"[[headers]]\nmatch = \"/\"\nsets = {}", 3, "headers[0].sets", "unknown key 'sets'; did you mean 'set'?"},
        {"[[headers]]\nmatch = \"/\"\nset = {}\n[[headers]]\nmatch = 2\nset = {}", 5, "headers[1].match",
         "expected a string"},
    });
}

TEST_CASE("[cgi]: type and range errors", "[config][load]") {
    check_errors({
        {"[cgi]\nenabled = \"true\"", 2, "cgi.enabled", "expected true or false"},
        {"[cgi]\ndirectories = \"/cgi-bin\"", 2, "cgi.directories", "expected an array of strings"},
        {"[cgi]\ndirectories = [\"cgi-bin\"]", 2, "cgi.directories[0]", "must start with '/', like \"/cgi-bin\""},
        {"[cgi]\ndirectories = [\"/ok\", \"/cgi-bin/\"]", 2, "cgi.directories[1]", "must not end with '/'"},
        {"[cgi]\ndirectories = [\"/\"]", 2, "cgi.directories[0]", "must not end with '/'"},
        {"[cgi]\ndirectories = [\"\"]", 2, "cgi.directories[0]", "must start with '/', like \"/cgi-bin\""},
        {"[cgi]\nuser = \"\"", 2, "cgi.user", "must not be empty"},
        {"[cgi]\ngroup = 65534", 2, "cgi.group", "expected a string"},
        {"[cgi]\ntimeout = 0", 2, "cgi.timeout", "must be more than 0"},
        {"[cgi]\ntimeout = \"0s\"", 2, "cgi.timeout", "must be more than 0"},
        {"[cgi]\ntimeout = \"60 seconds\"", 2, "cgi.timeout",
         std::string("invalid duration \"60 seconds\": ") + kDuration},
        {"[cgi]\ntimeout = true", 2, "cgi.timeout", kDuration},
        {"[cgi]\nmax_processes = 0", 2, "cgi.max_processes", "must be between 1 and 100000 (got 0)"},
        {"[cgi]\nmax_processes = 100001", 2, "cgi.max_processes", "must be between 1 and 100000 (got 100001)"},
        {"[cgi]\nmax_processes = \"64\"", 2, "cgi.max_processes", "expected an integer"},
        {"[cgi]\nmax_memory = \"512KiB\"", 2, "cgi.max_memory", "must be 0 (no limit) or at least 1MiB"},
        {"[cgi]\nmax_memory = -1", 2, "cgi.max_memory", "must not be negative"},
        {"[cgi]\nmax_cpu_time = \"forever\"", 2, "cgi.max_cpu_time",
         std::string("invalid duration \"forever\": ") + kDuration},
    });
}

TEST_CASE("[http]: protocol and durations", "[config][load]") {
    CHECK(load("[http]\nkeepalive_timeout = \"75\"").http.keepalive_timeout == 75s);  // a bare number string is seconds
    check_errors({
        {"[http]\nprotocol = \"HTTP/2.0\"", 2, "http.protocol",
         "invalid value \"HTTP/2.0\": expected one of \"HTTP/1.0\", \"HTTP/1.1\""},
        {"[http]\nprotocol = 1.1", 2, "http.protocol", "expected one of \"HTTP/1.0\", \"HTTP/1.1\""},
        {"[http]\nkeepalive_timeout = 0", 2, "http.keepalive_timeout", "must be more than 0"},
        {"[http]\nheader_timeout = \"0ms\"", 2, "http.header_timeout", "must be more than 0"},
        {"[http]\nheader_timeout = []", 2, "http.header_timeout", kDuration},
        {"[http]\nbody_timeout = -5", 2, "http.body_timeout", "must not be negative"},
        {"[http]\nbody_timeout = \"-5s\"", 2, "http.body_timeout",
         std::string("invalid duration \"-5s\": ") + kDuration},
        {"[http]\nsend_timeout = \"1d\"", 2, "http.send_timeout", std::string("invalid duration \"1d\": ") + kDuration},
        {"[http]\nsend_timeout = 0", 2, "http.send_timeout", "must be more than 0"},
        {"[http]\nsend_timeout = \"99999999999999999999h\"", 2, "http.send_timeout",
         std::string("invalid duration \"99999999999999999999h\": ") + kDuration},
    });
}

TEST_CASE("[http]: sizes and counts", "[config][load]") {
    check_errors({
        {"[http]\nmax_request_line = 255", 2, "http.max_request_line", "must be between 256 and 16MiB (got 255)"},
        {"[http]\nmax_request_line = \"17MiB\"", 2, "http.max_request_line",
         "must be between 256 and 16MiB (got 17825792)"},
        {"[http]\nmax_request_line = \"16XB\"", 2, "http.max_request_line",
         std::string("invalid size \"16XB\": ") + kSize},
        {"[http]\nmax_request_line = 1.5", 2, "http.max_request_line", kSize},
        {"[http]\nmax_request_line = -1", 2, "http.max_request_line", "must not be negative"},
        {"[http]\nmax_header_lines = 0", 2, "http.max_header_lines", "must be between 1 and 10000 (got 0)"},
        {"[http]\nmax_header_lines = 10001", 2, "http.max_header_lines", "must be between 1 and 10000 (got 10001)"},
        {"[http]\nmax_header_lines = \"99\"", 2, "http.max_header_lines", "expected an integer"},
        {"[http]\nmax_header_line = 100", 2, "http.max_header_line", "must be between 256 and 16MiB (got 100)"},
        {"[http]\nmax_header_line = \"16777217\"", 2, "http.max_header_line",
         "must be between 256 and 16MiB (got 16777217)"},
        {"[http]\nmax_header_line = true", 2, "http.max_header_line", kSize},
        {"[http]\nmax_body = \"1025GiB\"", 2, "http.max_body", "must be between 0 and 1024GiB (got 1100585369600)"},
        {"[http]\nmax_body = 1099511627777", 2, "http.max_body", "must be between 0 and 1024GiB (got 1099511627777)"},
        {"[http]\nmax_body = \"99999999999999999999\"", 2, "http.max_body",
         std::string("invalid size \"99999999999999999999\": ") + kSize},
        {"[http]\nmax_body = \"-1\"", 2, "http.max_body", std::string("invalid size \"-1\": ") + kSize},
        {"[http]\nmax_connections = 0", 2, "http.max_connections", "must be between 1 and 1000000 (got 0)"},
        {"[http]\nmax_connections = 1000001", 2, "http.max_connections", "must be between 1 and 1000000 (got 1000001)"},
        {"[http]\nmax_connections = 1e3", 2, "http.max_connections", "expected an integer"},
    });
}

TEST_CASE("[log]: type and range errors", "[config][load]") {
    check_errors({
        {"[log]\naccess = false", 2, "log.access", "expected a string"},
        {"[log]\naccess = \"\"", 2, "log.access", "must not be empty"},
        {"[log]\naccess_format = \"apache\"", 2, "log.access_format",
         "invalid value \"apache\": expected one of \"python\", \"common\", \"combined\""},
        {"[log]\nerror = 2", 2, "log.error", "expected a string"},
        {"[log]\nerror = \"\"", 2, "log.error", "must not be empty"},
        {"[log]\nlevel = \"warning\"", 2, "log.level",
         "invalid value \"warning\": expected one of \"debug\", \"info\", \"warn\", \"error\""},
        {"[log]\nlevel = 3", 2, "log.level", "expected one of \"debug\", \"info\", \"warn\", \"error\""},
    });
}

TEST_CASE("unknown keys are errors, with the nearest valid name when it looks like a typo", "[config][load]") {
    check_errors({
        {"workres = 4", 1, "workres", "unknown key 'workres'; did you mean 'workers'?"},
        {"# x\nbanana = 1", 2, "banana", "unknown key 'banana'"},
        {"[filez]\nroot = \"/\"", 1, "filez", "unknown key 'filez'; did you mean 'files'?"},
        {"[files]\nroot = \"/a\"\nindex_page = []", 3, "files.index_page",
         "unknown key 'index_page'; did you mean 'index_pages'?"},
        {"[http]\nmax_bdy = 1", 2, "http.max_bdy", "unknown key 'max_bdy'; did you mean 'max_body'?"},
        {"[http]\nmax_header_line = 300\nmax_hedaer_lines = 1", 3, "http.max_hedaer_lines",
         "unknown key 'max_hedaer_lines'; did you mean 'max_header_lines'?"},
        {"[http]\nmax_headers = 1", 2, "http.max_headers", "unknown key 'max_headers'"},  // 5 edits: too far
        {"[cgi]\ndirectory = []", 2, "cgi.directory", "unknown key 'directory'; did you mean 'directories'?"},
        {"[log]\nformat = \"python\"", 2, "log.format", "unknown key 'format'"},
        {"[mime]\ntype = {}", 2, "mime.type", "unknown key 'type'; did you mean 'types'?"},
        {"[[listen]]\nadress = \"::\"", 2, "listen[0].adress", "unknown key 'adress'; did you mean 'address'?"},
        {"[files.extra]\nx = 1", 1, "files.extra", "unknown key 'extra'"},
        {"\"odd key\" = 1", 1, "\"odd key\"", "unknown key 'odd key'"},
        {"\"tab\\tkey\" = 1", 1, "\"tab\\x09key\"", "unknown key 'tab\\x09key'"},
        {"files.rot = \"/\"", 1, "files.rot", "unknown key 'rot'; did you mean 'root'?"},
    });
}

TEST_CASE("the first problem in file order is the one reported", "[config][load]") {
    const ConfigError e = error_of("zzz = 1\naaa = 2\n[http]\nmax_body = -1\n");
    CHECK(e.line == 1);
    CHECK(e.key == "zzz");
    const ConfigError f = error_of("[http]\nmax_body = 1\nmax_connections = 0\nkeepalive_timeout = 0\n");
    CHECK(f.line == 3);
    CHECK(f.key == "http.max_connections");
}

TEST_CASE("invalid UTF-8 is rejected before parsing, naming the line", "[config][load]") {
    struct Case {
        std::string text;
        int line;
        const char* message;
    };
    const Case cases[] = {
        {"user = \"caf\xC3\"\n", 1, "invalid UTF-8 (byte 0xC3)"},
        {"# ok\n# comment \xFF\n", 2, "invalid UTF-8 (byte 0xFF)"},
        {"a = 1\n\nb = '\xED\xA0\x80'\n", 3, "invalid UTF-8 (byte 0xED)"},
        {"x = \"\xC0\xAF\"", 1, "invalid UTF-8 (byte 0xC0)"},
        {"x = 1\n\xE2\x82", 2, "invalid UTF-8 (byte 0xE2)"},
        // The input that made toml11 3.7.1 read out of bounds (toolchain notes, §5).
        {"[9serber]\nrt ='5st =po\227'5ste n=1\242\n", 2, "invalid UTF-8 (byte 0x97)"},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const ConfigError e = error_of(c.text);
        CHECK(e.line == c.line);
        CHECK(e.key.empty());
        CHECK(e.message == c.message);
    }
    CHECK(load("user = \"caf\xC3\xA9\"").user == "caf\xC3\xA9");
}

TEST_CASE("TOML syntax errors name the line", "[config][load]") {
    struct Case {
        const char* text;
        int line;
        const char* message_part;
    };
    const Case cases[] = {
        {"workers = 4\n\nuser httpserve\n", 3, "missing key-value separator"},
        {"user = \"a\"\nuser = \"b\"\n", 2, "already exists"},
        {"[http]\n[files]\n[http]\n", 3, "already exists"},
        {"user = \"unterminated\n", 1, ""},
        {"# a\n# b\npid_file = 1979-13-01\n", 3, "invalid date"},
        {"x = [1, 2\n", 2, ""},  // toml11 notices at the end of the file
        {"[files\nroot = \"/\"\n", 1, ""},
        {"a = \"\\uD800\"\n", 1, ""},
        {"= 1\n", 1, ""},
    };
    for (const Case& c : cases) {
        INFO(c.text);
        const ConfigError e = error_of(c.text);
        CHECK(e.file == "test.toml");
        CHECK(e.line == c.line);
        CHECK(e.key.empty());
        CHECK(e.message.rfind("syntax error: ", 0) == 0);
        CHECK(e.message.find(c.message_part) != std::string::npos);
        CHECK(e.message.find('\n') == std::string::npos);  // one line
        CHECK(e.message.find("toml::") == std::string::npos);
    }
}

TEST_CASE("deeply nested arrays are refused instead of overflowing the stack", "[config][load]") {
    const std::string deep = "x = " + std::string(100000, '[') + std::string(100000, ']') + "\n";
    const ConfigError e = error_of("# a\n" + deep);
    CHECK(e.line == 2);
    CHECK(e.message == "arrays, tables or keys nested more than 32 deep");
    CHECK(error_of("x = " + std::string(32, '[') + std::string(32, ']')).key == "x");  // 32 is still parsed
    // Brackets inside strings and comments do not count.
    CHECK_THROWS_WITH(load("user = \"" + std::string(100, '[') + "\"\n# " + std::string(100, '{') + "\nbanana = 1"),
                      Catch::Contains("unknown key 'banana'"));
    CHECK_THROWS_WITH(load("user = '''" + std::string(100, '[') + "'''\nbanana = 1"),
                      Catch::Contains("unknown key 'banana'"));
    CHECK_THROWS_WITH(load("user = \"\"\"a\"\"\"\"\nbanana = " + std::string(100, '[')),
                      Catch::Contains("nested more than"));
}

TEST_CASE("keys with very many dotted parts are refused (toml11 is quadratic in them)", "[config][load]") {
    std::string key = "a";
    for (int i = 0; i < 20000; ++i) key += ".a";
    for (const std::string& text :
         {"\n" + key + " = 1", "\n[" + key + "]", "\n[[" + key + "]]", "\nx = { " + key + " = 1 }"}) {
        const ConfigError e = error_of(text);
        CHECK(e.line == 2);
        CHECK(e.message == "arrays, tables or keys nested more than 32 deep");
    }
    // Dots in values and strings do not count; a float has one.
    CHECK(error_of("x = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, "
                   "1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5]")
              .key == "x");
    CHECK(load("user = \"" + key + "\"").user == key);
    CHECK(error_of(std::string(32, 'a') + "." +
                   std::string("a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a") + " = 1")
              .message.find("unknown key") != std::string::npos);  // 32 dots is still parsed
}

TEST_CASE("a table with many keys loads in linear time", "[config][load]") {
    std::string text = "[mime.types]\n";
    for (int i = 0; i < 10000; ++i) text += "\".e" + std::to_string(i) + "\" = \"a/b\"\n";
    text += "\".x\" = \"bad\"\n";
    const ConfigError e = error_of(text);  // well under a second; quadratic took seconds
    CHECK(e.line == 10002);
    CHECK(e.key == "mime.types.\".x\"");
    // The first bad entry in the file is the one reported, wherever the hash table puts it.
    const ConfigError first =
        error_of("[mime.types]\n\".a\" = \"a/b\"\n\".z\" = \"z\"\n\".b\" = \"b\"\n\".y\" = \"y\"\n");
    CHECK(first.key == "mime.types.\".z\"");
}

TEST_CASE("relative paths are resolved against the config file's folder", "[config][load]") {
    CHECK(load("[files]\nroot = \"www\"").files.root == "/etc/httpserve/www");
    CHECK(load("[files]\nroot = \"./www/\"").files.root == "/etc/httpserve/www");
    CHECK(load("[files]\nroot = \"../www\"").files.root == "/etc/www");
    CHECK(load("[files]\nroot = \".\"").files.root == "/etc/httpserve");
    CHECK(load("[files]\nroot = \"/srv//www/\"").files.root == "/srv/www");
    CHECK(load("[files]\nroot = \"/\"").files.root == "/");
    CHECK(load("[log]\naccess = \"logs/access.log\"").log.access == "/etc/httpserve/logs/access.log");
    CHECK(load("[log]\nerror = \"error.log\"").log.error == "/etc/httpserve/error.log");
    CHECK(load("pid_file = \"run/h.pid\"").pid_file == "/etc/httpserve/run/h.pid");
    CHECK(load("[mime]\ntypes_file = \"mime.types\"").mime.types_file == "/etc/httpserve/mime.types");
    CHECK(load_config_text("[files]\nroot = \"www\"", "x.toml", "/other").files.root == "/other/www");
}

TEST_CASE("load_config_file: reading, folder of the file, errors", "[config][load]") {
    TempDir dir("config");
    const std::string file =
        dir.write("conf/site.toml", "[files]\nroot = \"public\"\n[log]\naccess = \"../logs/a.log\"\n");
    const Config c = load_config_file(file);
    CHECK(c.source_file == file);
    CHECK(c.files.root == (dir.path / "conf/public").string());
    CHECK(c.log.access == (dir.path / "logs/a.log").string());
    CHECK_FALSE(c.command_line_mode);

    SECTION("a relative path to the file is kept as given and resolved against the working folder") {
        Config r;
        in_folder(dir.path, [&] { r = load_config_file("conf/site.toml"); });
        CHECK(r.source_file == "conf/site.toml");
        CHECK(r.files.root == (dir.path / "conf/public").string());
    }
    SECTION("errors carry the path as given") {
        const std::string bad = dir.write("bad.toml", "\n[http]\nmax_body = \"lots\"\n");
        const ConfigError e = [&] {
            try {
                load_config_file(bad);
            } catch (const ConfigError& err) { return err; }
            FAIL("no error");
            throw;
        }();
        CHECK(e.file == bad);
        CHECK(e.line == 3);
        CHECK(e.key == "http.max_body");
        CHECK(std::string(e.what()) == bad + ":3: http.max_body: invalid size \"lots\": " + kSize);
    }
    SECTION("a missing file") {
        const std::string missing = (dir.path / "nope.toml").string();
        CHECK_THROWS_WITH(load_config_file(missing), missing + ": cannot read: No such file or directory");
    }
    SECTION("a folder") {
        CHECK_THROWS_WITH(load_config_file(dir.path.string()), dir.path.string() + ": cannot read: Is a directory");
    }
    SECTION("an unreadable file") {
        const std::string secret = dir.write("secret.toml", "");
        chmod(secret.c_str(), 0);
        if (geteuid() != 0) {  // root reads it anyway
            CHECK_THROWS_WITH(load_config_file(secret), secret + ": cannot read: Permission denied");
        }
    }
    SECTION("an empty file") { CHECK(load_config_file(dir.write("empty.toml", "")).files.root == "/var/www/html"); }
    SECTION("a file over 1MiB") {
        const std::string big = dir.write("big.toml", std::string(1u << 20, '#') + "\n");
        CHECK_THROWS_WITH(load_config_file(big), big + ": file is larger than 1MiB");
    }
    SECTION("invalid UTF-8 in a file") {
        const std::string bad = dir.write("utf8.toml", "a = 1\nb = \"\xF8\"\n");
        CHECK_THROWS_WITH(load_config_file(bad), bad + ":2: invalid UTF-8 (byte 0xF8)");
    }
}
