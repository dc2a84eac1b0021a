// The command line: argparse-compatible parsing, usage/help text, and Config built from it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/cli.hpp"
#include "config/load.hpp"
#include "tests/unit/support/temp_dir.hpp"

using namespace httpserve;
namespace fs = std::filesystem;
using httpserve::test_support::in_folder;
using httpserve::test_support::TempDir;

namespace {

CommandLine parse(std::vector<std::string> args) {
    args.insert(args.begin(), "httpserve");
    std::vector<const char*> argv;
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    return parse_command_line(static_cast<int>(args.size()), argv.data());
}

std::string usage_error(std::vector<std::string> args) {
    try {
        parse(std::move(args));
    } catch (const UsageError& e) { return e.what(); }
    return "(no error)";
}

}  // namespace

TEST_CASE("no arguments: nothing set", "[cli]") {
    const CommandLine cli = parse({});
    CHECK_FALSE(cli.port);
    CHECK_FALSE(cli.bind);
    CHECK_FALSE(cli.directory);
    CHECK_FALSE(cli.cgi);
    CHECK_FALSE(cli.protocol);
    CHECK_FALSE(cli.config_file);
    CHECK_FALSE(cli.check_only);
    CHECK_FALSE(cli.show_version);
    CHECK_FALSE(cli.show_help);
    CHECK_FALSE(cli.signal_name);
}

TEST_CASE("argc 0 is survived", "[cli]") {
    const char* argv[] = {nullptr};
    CHECK_FALSE(parse_command_line(0, argv).port);
}

TEST_CASE("every option, short and long, in every spelling", "[cli]") {
    for (const auto& args : std::vector<std::vector<std::string>>{{"-b", "127.0.0.1"},
                                                                  {"-b127.0.0.1"},
                                                                  {"-b=127.0.0.1"},
                                                                  {"--bind", "127.0.0.1"},
                                                                  {"--bind=127.0.0.1"},
                                                                  {"--bi", "127.0.0.1"}}) {
        INFO(args[0]);
        CHECK(parse(args).bind == "127.0.0.1");
    }
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"-d", "/srv"}, {"-d/srv"}, {"--directory", "/srv"}, {"--directory=/srv"}, {"--dir", "/srv"}}) {
        CHECK(parse(args).directory == "/srv");
    }
    for (const auto& args : std::vector<std::vector<std::string>>{{"-p", "HTTP/1.0"},
                                                                  {"-pHTTP/1.0"},
                                                                  {"--protocol", "HTTP/1.0"},
                                                                  {"--protocol=HTTP/1.0"},
                                                                  {"--proto=HTTP/1.0"}}) {
        CHECK(parse(args).protocol == "HTTP/1.0");
    }
    for (const auto& args : std::vector<std::vector<std::string>>{{"-c", "/etc/h.toml"},
                                                                  {"-c/etc/h.toml"},
                                                                  {"--config", "/etc/h.toml"},
                                                                  {"--config=/etc/h.toml"},
                                                                  {"--conf", "/etc/h.toml"}}) {
        CHECK(parse(args).config_file == "/etc/h.toml");
    }
    CHECK(parse({"--cgi"}).cgi);
    CHECK(parse({"--cg"}).cgi);
    CHECK(parse({"-t"}).check_only);
    CHECK(parse({"--test"}).check_only);
    CHECK(parse({"--version"}).show_version);
    CHECK(parse({"--vers"}).show_version);
    CHECK(parse({"-h"}).show_help);
    CHECK(parse({"--help"}).show_help);
    CHECK(parse({"8080"}).port == 8080);
}

TEST_CASE("options in any order, port anywhere", "[cli]") {
    const CommandLine a = parse({"8080", "--cgi", "-b", "::1", "-d", "/srv", "-p", "HTTP/1.0", "-c", "f.toml", "-t"});
    const CommandLine b = parse({"-t", "-c", "f.toml", "-p", "HTTP/1.0", "-d", "/srv", "-b", "::1", "--cgi", "8080"});
    const CommandLine c = parse({"--cgi", "-b", "::1", "8080", "-d", "/srv", "-t", "-p", "HTTP/1.0", "-c", "f.toml"});
    for (const CommandLine* cli : {&a, &b, &c}) {
        CHECK(cli->port == 8080);
        CHECK(cli->cgi);
        CHECK(cli->bind == "::1");
        CHECK(cli->directory == "/srv");
        CHECK(cli->protocol == "HTTP/1.0");
        CHECK(cli->config_file == "f.toml");
        CHECK(cli->check_only);
    }
}

TEST_CASE("clustered short flags, repeated options, values that look odd", "[cli]") {
    const CommandLine t = parse({"-tc", "f.toml"});
    CHECK(t.check_only);
    CHECK(t.config_file == "f.toml");
    CHECK(parse({"-tcf.toml"}).config_file == "f.toml");
    CHECK(parse({"-b", "a", "-b", "b"}).bind == "b");  // the last one wins, as in argparse
    CHECK(parse({"-b", "-1"}).bind == "-1");           // a negative number is a value, not an option
    CHECK(parse({"-b", "-"}).bind == "-");
    CHECK(parse({"--bind="}).bind == "");
    CHECK(parse({"-d", "dir with spaces"}).directory == "dir with spaces");
}

TEST_CASE("-- ends the options", "[cli]") {
    CHECK(parse({"--", "8000"}).port == 8000);
    CHECK(parse({"-b", "x", "--", "81"}).port == 81);
    CHECK(usage_error({"--", "-b"}) == "argument port: invalid int value: '-b'");
    CHECK(usage_error({"--", "80", "--cgi"}) == "unrecognized arguments: --cgi");
}

TEST_CASE("port values", "[cli]") {
    CHECK(parse({"0"}).port == 0);
    CHECK(parse({"65535"}).port == 65535);
    CHECK(parse({"00080"}).port == 80);
    CHECK(parse({"+80"}).port == 80);  // Python's int() takes a sign
    CHECK(parse({"-0"}).port == 0);
    CHECK(usage_error({"abc"}) == "argument port: invalid int value: 'abc'");
    CHECK(usage_error({""}) == "argument port: invalid int value: ''");
    CHECK(usage_error({"80x"}) == "argument port: invalid int value: '80x'");
    CHECK(usage_error({"8.0"}) == "argument port: invalid int value: '8.0'");
    CHECK(usage_error({"-"}) == "argument port: invalid int value: '-'");
    CHECK(usage_error({"70000"}) == "argument port: 70000 is not in 0..65535");
    CHECK(usage_error({"65536"}) == "argument port: 65536 is not in 0..65535");
    CHECK(usage_error({"-1"}) == "argument port: -1 is not in 0..65535");
    CHECK(usage_error({"99999999999999999999999"}) == "argument port: 99999999999999999999999 is not in 0..65535");
    CHECK(parse({"000000000000000000000065535"}).port == 65535);
}

TEST_CASE("usage errors word for word as argparse", "[cli]") {
    CHECK(usage_error({"80", "81"}) == "unrecognized arguments: 81");
    CHECK(usage_error({"80", "x", "y"}) == "unrecognized arguments: x y");
    CHECK(usage_error({"--foo"}) == "unrecognized arguments: --foo");
    CHECK(usage_error({"--foo=1", "-x", "80", "81"}) == "unrecognized arguments: --foo=1 -x 81");
    CHECK(usage_error({"-b"}) == "argument -b/--bind: expected one argument");
    CHECK(usage_error({"--bind"}) == "argument -b/--bind: expected one argument");
    CHECK(usage_error({"-b", "--cgi"}) == "argument -b/--bind: expected one argument");
    CHECK(usage_error({"-b", "--"}) == "argument -b/--bind: expected one argument");
    CHECK(usage_error({"-d"}) == "argument -d/--directory: expected one argument");
    CHECK(usage_error({"-p"}) == "argument -p/--protocol: expected one argument");
    CHECK(usage_error({"-c"}) == "argument -c/--config: expected one argument");
    CHECK(usage_error({"-p", "HTTP/2.0"}) ==
          "argument -p/--protocol: invalid choice: 'HTTP/2.0' (choose from 'HTTP/1.0', 'HTTP/1.1')");
    CHECK(usage_error({"--protocol=http/1.1"}) ==
          "argument -p/--protocol: invalid choice: 'http/1.1' (choose from 'HTTP/1.0', 'HTTP/1.1')");
    CHECK(usage_error({"--cgi=yes"}) == "argument --cgi: ignored explicit argument 'yes'");
    CHECK(usage_error({"-tx"}) == "argument -t/--test: ignored explicit argument 'x'");
    CHECK(usage_error({"-t=x"}) == "argument -t/--test: ignored explicit argument 'x'");
    CHECK(usage_error({"--c"}) == "ambiguous option: --c could match --cgi, --content-type, --config");
    CHECK(usage_error({"--c=x"}) == "ambiguous option: --c could match --cgi, --content-type, --config");
    CHECK(usage_error({"--con", "x"}) == "ambiguous option: --con could match --content-type, --config");
    CHECK(usage_error({"--he"}) == "ambiguous option: --he could match --help, --header");
}

TEST_CASE("-H NAME VALUE: two arguments each time, kept in order (Python 3.15)", "[cli]") {
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    CHECK(parse({"-H", "X-A", "1"}).headers == Pairs{{"X-A", "1"}});
    CHECK(parse({"--header", "X-A", "1", "-H", "X-A", "2", "--head", "Cache-Control", "no-store, max-age=0"}).headers ==
          Pairs{{"X-A", "1"}, {"X-A", "2"}, {"Cache-Control", "no-store, max-age=0"}});
    CHECK(parse({"-tH", "X-A", ""}).headers == Pairs{{"X-A", ""}});  // an empty value is a value
    const CommandLine with_port = parse({"-H", "X-A", "8080", "9000"});
    CHECK(with_port.headers == Pairs{{"X-A", "8080"}});
    CHECK(with_port.port == 9000);
    CHECK(parse({"-H", "X-Neg", "-5"}).headers == Pairs{{"X-Neg", "-5"}});
    CHECK(parse({}).headers.empty());
}

TEST_CASE("-H errors: argparse's, then what a header may not be", "[cli]") {
    CHECK(usage_error({"-H"}) == "argument -H/--header: expected 2 arguments");
    CHECK(usage_error({"-H", "X-A"}) == "argument -H/--header: expected 2 arguments");
    CHECK(usage_error({"-H", "X-A", "--cgi"}) == "argument -H/--header: expected 2 arguments");
    CHECK(usage_error({"--header=X-A", "1"}) == "argument -H/--header: expected 2 arguments");
    CHECK(usage_error({"-HX-A", "1"}) == "argument -H/--header: expected 2 arguments");
    // Python sends these as they are (a CR/LF splits its response); httpserve refuses them at start.
    CHECK(usage_error({"-H", "X-A", "a\r\nSet-Cookie: x=1"}) ==
          "argument -H/--header: a header value must not contain CR, LF or NUL");
    CHECK(usage_error({"-H", "X-A", "a\nb"}) == "argument -H/--header: a header value must not contain CR, LF or NUL");
    CHECK(usage_error({"-H", "X A", "1"}) ==
          "argument -H/--header: a header name is letters, digits and !#$%&'*+-.^_`|~ only");
    CHECK(usage_error({"-H", "X-A:", "1"}) ==
          "argument -H/--header: a header name is letters, digits and !#$%&'*+-.^_`|~ only");
    CHECK(usage_error({"-H", "", "1"}) == "argument -H/--header: a header name must not be empty");
    CHECK(usage_error({"-H", "content-length", "1"}) == "argument -H/--header: Content-Length is set by the server");
    CHECK(usage_error({"-H", "Transfer-Encoding", "chunked"}) ==
          "argument -H/--header: Transfer-Encoding is set by the server");
    CHECK(usage_error({"-H", "Connection", "close"}) == "argument -H/--header: Connection is set by the server");
    CHECK(usage_error({"-H", "Content-Type", "text/plain"}) == "(no error)");  // Python sends both
}

TEST_CASE("--content-type TYPE (Python 3.15)", "[cli]") {
    CHECK(parse({"--content-type", "text/html"}).content_type == "text/html");
    CHECK(parse({"--content-type=text/plain; charset=utf-8"}).content_type == "text/plain; charset=utf-8");
    CHECK(parse({"--content", "text/plain"}).content_type == "text/plain");
    CHECK_FALSE(parse({}).content_type);
    CHECK(usage_error({"--content-type"}) == "argument --content-type: expected one argument");
    CHECK(usage_error({"--content-type", "html"}) ==
          "argument --content-type: expected a media type like \"type/subtype\"");
    CHECK(usage_error({"--content-type", "text/html\r\nX: y"}) ==
          "argument --content-type: expected a media type like \"type/subtype\"");
}

TEST_CASE("-h and --version stop parsing, like argparse's exiting actions", "[cli]") {
    const CommandLine help = parse({"-h", "--foo", "abc"});
    CHECK(help.show_help);
    CHECK(parse({"--foo", "-h"}).show_help);  // unrecognized arguments are only reported at the end
    CHECK(parse({"--version", "x", "y"}).show_version);
    CHECK(parse({"-th"}).show_help);
    CHECK(usage_error({"abc", "-h"}) == "argument port: invalid int value: 'abc'");  // converted before -h is seen
}

TEST_CASE("-s SIGNAL: one of reload, stop, quit, reopen (argparse choices)", "[cli]") {
    for (const char* name : {"reload", "stop", "quit", "reopen"}) {
        INFO(name);
        CHECK(parse({"-s", name}).signal_name == name);
    }
    CHECK(parse({"-sreload"}).signal_name == "reload");
    CHECK(parse({"-s=quit"}).signal_name == "quit");
    const CommandLine with_config = parse({"-s", "stop", "-c", "/etc/x.toml"});
    CHECK(with_config.signal_name == "stop");
    CHECK(with_config.config_file == "/etc/x.toml");
    CHECK(parse({"-t", "-s", "reopen"}).signal_name == "reopen");
    CHECK(usage_error({"-s", "x"}) ==
          "argument -s: invalid choice: 'x' (choose from 'reload', 'stop', 'quit', 'reopen')");
    CHECK(usage_error({"-s", "RELOAD"}) ==
          "argument -s: invalid choice: 'RELOAD' (choose from 'reload', 'stop', 'quit', 'reopen')");
    CHECK(usage_error({"-s"}) == "argument -s: expected one argument");
    CHECK(usage_error({"-s", "-t"}) == "argument -s: expected one argument");
    CHECK(usage_error({"--s"}) == "unrecognized arguments: --s");  // no long form
    CHECK(usage_error({"--signal=reload"}) == "unrecognized arguments: --signal=reload");
}

TEST_CASE("usage and help text", "[cli]") {
    CHECK(usage_text() ==
          "usage: httpserve [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH]\n"
          "                 [--tls-key PATH] [--tls-password-file PATH] [-H HEADER VALUE]\n"
          "                 [--content-type CONTENT_TYPE] [-c FILE] [-t] [-s SIGNAL] [--version] [port]\n");
    const std::string help = help_text();
    CHECK(help.rfind(usage_text(), 0) == 0);
    for (const char* part :
         {"positional arguments:",
          "options:",
          "bind to this port (default: 8000)",
          "show this help message and exit",
          "run as CGI server",
          "-b ADDRESS, --bind ADDRESS",
          "bind to this address (default: all interfaces)",
          "-d DIRECTORY, --directory DIRECTORY",
          "serve this directory (default: current directory)",
          "-p VERSION, --protocol VERSION",
          "conform to this HTTP version (default: HTTP/1.1)",
          "-c FILE, --config FILE",
          "read this configuration file (daemon mode)",
          "-t, --test",
          "check the configuration and exit",
          "-s SIGNAL",
          "reload, stop,",
          "--version",
          "-H HEADER VALUE, --header HEADER VALUE",
          "add a custom response header",
          "--content-type CONTENT_TYPE",
          "Content-Type for files whose type cannot be guessed (default:",
          "print the version and exit",
          "--tls-cert PATH       path to the TLS certificate chain file",
          "--tls-key PATH        path to the TLS key file",
          "--tls-password-file PATH\n                        path to the password file for the TLS key"}) {
        INFO(part);
        CHECK(help.find(part) != std::string::npos);
    }
    CHECK(help.back() == '\n');
}

TEST_CASE("--tls-*: Python 3.14's options and checks", "[cli]") {
    const CommandLine cli = parse({"--tls-cert", "c.pem", "--tls-key=k.pem", "--tls-pass", "pw"});
    CHECK(cli.tls_cert == "c.pem");
    CHECK(cli.tls_key == "k.pem");
    CHECK(cli.tls_password_file == "pw");  // a unique prefix, as argparse allows
    CHECK(usage_error({"--tls-key", "k"}) == "--tls-key requires --tls-cert to be set");
    CHECK(usage_error({"--tls-password-file", "pw"}) == "--tls-password-file requires --tls-cert to be set");
    CHECK(usage_error({"--tls-password-file", "pw", "--tls-key", "k"}) == "--tls-key requires --tls-cert to be set");
    CHECK(usage_error({"--tls-cert"}) == "argument --tls-cert: expected one argument");
    CHECK(usage_error({"--tls"}) == "ambiguous option: --tls could match --tls-cert, --tls-key, --tls-password-file");
    CHECK(parse({"--tls-key", "k", "--help"}).show_help);  // -h acts first, like argparse
}

TEST_CASE("build_config: --tls-* on the listener, paths made absolute, the password file read", "[cli]") {
    TempDir dir("cli-tls");
    const std::string pw = dir.write("pw", "secret\n");
    in_folder(dir.path, [&] {
        const Config c = build_config(parse({"--tls-cert", "c.pem", "--tls-password-file", "pw", "-d", "."}));
        REQUIRE(c.listen.size() == 1);
        CHECK(c.listen[0].tls_cert == (dir.path / "c.pem").string());
        CHECK(c.listen[0].tls_key.empty());
        CHECK(c.listen[0].tls_password_file == pw);
        try {
            build_config(parse({"--tls-cert", "c.pem", "--tls-password-file", "missing", "-d", "."}));
            FAIL("no error");
        } catch (const UsageError& e) {
            CHECK(std::string(e.what()) ==
                  "Failed to read TLS password file: [Errno 2] No such file or directory: 'missing'");
        }
    });
    const std::string file =
        dir.write("site.toml", "[[listen]]\nport = 81\ntls_cert = \"/a.pem\"\n[[listen]]\nport = 82\n");
    const Config kept = build_config(parse({"-c", file, "-b", "127.0.0.1"}));
    REQUIRE(kept.listen.size() == 1);
    CHECK(kept.listen[0].tls_cert == "/a.pem");  // -b keeps the first entry's TLS settings
    const Config over = build_config(parse({"-c", file, "--tls-cert", "/b.pem"}));
    REQUIRE(over.listen.size() == 1);
    CHECK(over.listen[0].port == 81);
    CHECK(over.listen[0].tls_cert == "/b.pem");
}

TEST_CASE("build_config without -c: Python's defaults", "[cli]") {
    TempDir dir("cli");
    in_folder(dir.path, [&] {
        const Config c = build_config(parse({}));
        CHECK(c.command_line_mode);
        CHECK(c.source_file.empty());
        CHECK(c.files.root == fs::current_path().string());
        REQUIRE(c.listen.size() == 1);
        CHECK(c.listen[0] == ListenAddress{"::", 8000});
        CHECK(c.log.access == "stderr");
        CHECK(c.log.access_format == AccessLogFormat::Python);
        CHECK(c.log.error == "stderr");
        CHECK_FALSE(c.cgi.enabled);
        CHECK(c.http.protocol == "HTTP/1.1");
        CHECK(c.user == "nobody");
        CHECK(c.group == "nogroup");
        CHECK_FALSE(c.user_explicit);
        CHECK_FALSE(c.cgi.user_explicit);
        CHECK(c.workers == 0);
    });
}

TEST_CASE("build_config without -c: flags", "[cli]") {
    TempDir dir("cli");
    fs::create_directory(dir.path / "site");
    const Config c = build_config(
        parse({"-b", "127.0.0.1", "9000", "-d", (dir.path / "site/").string(), "--cgi", "-p", "HTTP/1.0"}));
    CHECK(c.listen == std::vector<ListenAddress>{{"127.0.0.1", 9000}});
    CHECK(c.files.root == (dir.path / "site").string());
    CHECK(c.cgi.enabled);
    CHECK(c.http.protocol == "HTTP/1.0");
    CHECK(build_config(parse({"0"})).listen[0] == ListenAddress{"::", 0});
    CHECK(build_config(parse({"-b", "::1"})).listen[0] == ListenAddress{"::1", 8000});

    SECTION("a relative -d is made absolute against the working folder") {
        in_folder(dir.path, [&] {
            CHECK(build_config(parse({"-d", "site"})).files.root == (dir.path / "site").string());
        });
        in_folder(dir.path / "site", [&] {
            CHECK(build_config(parse({"-d", "."})).files.root == (dir.path / "site").string());
        });
    }
    SECTION("-d must be an existing folder") {
        const std::string missing = (dir.path / "missing").string();
        CHECK_THROWS_WITH(build_config(parse({"-d", missing})),
                          "argument -d/--directory: '" + missing + "' is not a directory");
        const std::string file = dir.write("file.txt", "x");
        CHECK_THROWS_WITH(build_config(parse({"-d", file})),
                          "argument -d/--directory: '" + file + "' is not a directory");
        CHECK_THROWS_AS(build_config(parse({"-d", missing})), UsageError);
    }
}

TEST_CASE("build_config with -c: the file, with flags laid over it", "[cli]") {
    TempDir dir("cli");
    fs::create_directory(dir.path / "public");
    fs::create_directory(dir.path / "other");
    const std::string file = dir.write("site.toml", R"toml(
workers = 3
user = "www"
[[listen]]
address = "10.0.0.1"
port = 81
[[listen]]
address = "10.0.0.2"
port = 82
[files]
root = "public"
[cgi]
enabled = false
[http]
protocol = "HTTP/1.0"
[log]
access_format = "common"
)toml");

    SECTION("no flags: the file as it is") {
        const Config c = build_config(parse({"-c", file}));
        CHECK_FALSE(c.command_line_mode);
        CHECK(c.source_file == file);
        CHECK(c.workers == 3);
        CHECK(c.user_explicit);
        CHECK(c.listen == std::vector<ListenAddress>{{"10.0.0.1", 81}, {"10.0.0.2", 82}});
        CHECK(c.files.root == (dir.path / "public").string());
        CHECK(c.http.protocol == "HTTP/1.0");
        CHECK(c.log.access_format == AccessLogFormat::Common);
        CHECK_FALSE(c.cgi.enabled);
    }
    SECTION("a port replaces the listeners with one, on the file's first address") {
        CHECK(build_config(parse({"-c", file, "8080"})).listen == std::vector<ListenAddress>{{"10.0.0.1", 8080}});
    }
    SECTION("a bind address replaces the listeners with one, on the file's first port") {
        CHECK(build_config(parse({"-c", file, "-b", "::1"})).listen == std::vector<ListenAddress>{{"::1", 81}});
    }
    SECTION("both") {
        CHECK(build_config(parse({"-b", "::", "-c", file, "0"})).listen == std::vector<ListenAddress>{{"::", 0}});
    }
    SECTION("-d, --cgi and -p") {
        const Config c =
            build_config(parse({"-c", file, "-d", (dir.path / "other").string(), "--cgi", "-p", "HTTP/1.1"}));
        CHECK(c.files.root == (dir.path / "other").string());
        CHECK(c.cgi.enabled);
        CHECK(c.http.protocol == "HTTP/1.1");
        CHECK(c.listen.size() == 2);
        CHECK_FALSE(c.command_line_mode);
    }
    SECTION("a -d that is not a folder") {
        CHECK_THROWS_AS(build_config(parse({"-c", file, "-d", (dir.path / "nope").string()})), UsageError);
    }
    SECTION("a file without [[listen]] gets the default listener under the flags") {
        const std::string bare = dir.write("bare.toml", "");
        CHECK(build_config(parse({"-c", bare, "-b", "127.0.0.1"})).listen ==
              std::vector<ListenAddress>{{"127.0.0.1", 8000}});
        CHECK(build_config(parse({"-c", bare})).log.access_format == AccessLogFormat::Combined);
    }
    SECTION("errors from the file are ConfigErrors") {
        CHECK_THROWS_AS(build_config(parse({"-c", (dir.path / "missing.toml").string()})), ConfigError);
        const std::string bad = dir.write("bad.toml", "workres = 2\n");
        CHECK_THROWS_WITH(build_config(parse({"-c", bad})),
                          bad + ":1: workres: unknown key 'workres'; did you mean 'workers'?");
    }
}
