// CGI environment: Python's run_cgi values (expected values from CPython 3.11.7), built from scratch,
// plus the request's other headers as HTTP_*.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "worker/cgi/environment.hpp"
#include "worker/http/request_parser.hpp"

using namespace httpserve;
using namespace httpserve::cgi;

namespace {

using Env = std::map<std::string, std::string>;

// Parses `head` (a request head without the final empty line), builds the environment for the
// script its target names (fake tree: only the CGI directory is a directory) and checks it is
// well formed: NAME=value entries, each name once.
Env env_for(std::string_view head, std::string_view target = "/cgi-bin/env.py",
            std::optional<uint64_t> content_length = std::nullopt, std::string_view root = "/srv/www",
            std::string_view protocol = "HTTP/1.1", bool https = false) {
    const std::string buffer = std::string(head) + "\r\n";
    http::Request req;
    http::ParseError err;
    REQUIRE(http::parse_request(buffer, {}, req, err) == http::ParseStatus::Complete);
    const CgiDispatch d = dispatch_cgi(target, {"/cgi-bin"}, [](std::string_view rel) { return rel == "cgi-bin"; });
    REQUIRE(d.kind == CgiDispatchKind::Script);
    const CgiEnvironmentInput in{req,         d.script, root,     "192.0.2.7",    "httpserve/0.1.0",
                                 "localhost", 8000,     protocol, content_length, https};
    Env env;
    for (const std::string& entry : build_cgi_environment(in)) {
        const size_t eq = entry.find('=');
        REQUIRE(eq != std::string::npos);
        REQUIRE(eq > 0);
        INFO("variable: " << entry.substr(0, eq));
        REQUIRE(env.count(entry.substr(0, eq)) == 0);
        env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return env;
}

std::optional<std::string> get(const Env& env, const std::string& name) {
    const auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
}

}  // namespace

TEST_CASE("environment: Python's variables for a plain GET", "[cgi]") {
    const Env env = env_for("GET /cgi-bin/env.py/extra/p%20ath?q=a+b&c=%20d HTTP/1.1\r\nHost: example.com\r\n",
                            "/cgi-bin/env.py/extra/p%20ath?q=a+b&c=%20d");
    const Env expected{
        {"PATH", "/usr/local/bin:/usr/bin:/bin"},
        {"GATEWAY_INTERFACE", "CGI/1.1"},
        {"SERVER_SOFTWARE", "httpserve/0.1.0"},
        {"SERVER_NAME", "localhost"},
        {"SERVER_PORT", "8000"},
        {"SERVER_PROTOCOL", "HTTP/1.1"},
        {"REQUEST_METHOD", "GET"},
        {"PATH_INFO", "/extra/p ath"},
        {"PATH_TRANSLATED", "/srv/www/extra/p ath"},
        {"SCRIPT_NAME", "/cgi-bin/env.py"},
        {"QUERY_STRING", "q=a+b&c=%20d"},
        {"REMOTE_ADDR", "192.0.2.7"},
        {"REMOTE_HOST", ""},
        {"CONTENT_TYPE", "text/plain"},  // email.message's default, as Python passes it
        {"CONTENT_LENGTH", ""},
        {"HTTP_ACCEPT", ""},
        {"HTTP_COOKIE", ""},
        {"HTTP_USER_AGENT", ""},
        {"HTTP_REFERER", ""},
        {"HTTP_HOST", "example.com"},
    };
    CHECK(env == expected);
}

TEST_CASE("environment: nothing from the server's own environment", "[cgi]") {
    ::setenv("HTTPSERVE_CGI_TEST_LEAK", "leak", 1);
    ::setenv("HTTP_USER_AGENT", "server-side", 1);  // Python's setdefault would keep this one
    const bool had_preload = ::getenv("LD_PRELOAD") != nullptr;
    ::setenv("LD_PRELOAD", "/tmp/evil.so", 0);
    const Env env = env_for("GET /cgi-bin/env.py HTTP/1.0\r\n");  // no Host: no HTTP_HOST either
    ::unsetenv("HTTPSERVE_CGI_TEST_LEAK");
    ::unsetenv("HTTP_USER_AGENT");
    if (!had_preload) ::unsetenv("LD_PRELOAD");  // later tests start real processes
    CHECK_FALSE(get(env, "HTTPSERVE_CGI_TEST_LEAK"));
    CHECK_FALSE(get(env, "LD_PRELOAD"));
    CHECK_FALSE(get(env, "HOME"));
    CHECK(get(env, "HTTP_USER_AGENT") == "");
    CHECK(get(env, "PATH") == "/usr/local/bin:/usr/bin:/bin");
    const std::set<std::string> meta{
        "PATH",           "GATEWAY_INTERFACE", "SERVER_SOFTWARE", "SERVER_NAME", "SERVER_PORT",  "SERVER_PROTOCOL",
        "REQUEST_METHOD", "PATH_INFO",         "PATH_TRANSLATED", "SCRIPT_NAME", "QUERY_STRING", "REMOTE_ADDR",
        "REMOTE_HOST",    "CONTENT_TYPE",      "CONTENT_LENGTH",  "HTTP_ACCEPT", "HTTP_COOKIE",  "HTTP_USER_AGENT",
        "HTTP_REFERER"};
    for (const auto& [name, value] : env) {
        INFO(name);
        CHECK(meta.count(name) == 1);
    }
}

TEST_CASE("environment: PATH_TRANSLATED as translate_path gives it", "[cgi]") {
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n"), "PATH_TRANSLATED") == "/srv/www");  // empty PATH_INFO: the root
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py/"), "PATH_TRANSLATED") == "/srv/www/");
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py/a/b/"), "PATH_TRANSLATED") == "/srv/www/a/b/");
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py/%252e%252e/x"), "PATH_TRANSLATED") ==
          "/srv/www/x");
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py/x", std::nullopt, "/srv/www/"),
              "PATH_TRANSLATED") == "/srv/www/x");
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py/x", std::nullopt, "/"), "PATH_TRANSLATED") ==
          "/x");
    CHECK(get(env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py", std::nullopt, "/"), "PATH_TRANSLATED") ==
          "/");
}

TEST_CASE("environment: method, protocol and body length", "[cgi]") {
    Env env = env_for(
        "POST /cgi-bin/env.py HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        "Content-Length: 7\r\n",
        "/cgi-bin/env.py", 7, "/srv/www", "HTTP/1.1");
    CHECK(get(env, "REQUEST_METHOD") == "POST");
    CHECK(get(env, "SERVER_PROTOCOL") == "HTTP/1.1");  // the server's, not the request's HTTP/1.0
    CHECK(get(env, "CONTENT_TYPE") == "application/x-www-form-urlencoded");
    CHECK(get(env, "CONTENT_LENGTH") == "7");
    CHECK_FALSE(get(env, "HTTP_CONTENT_TYPE"));
    CHECK_FALSE(get(env, "HTTP_CONTENT_LENGTH"));

    // A chunked body: the de-chunked length, and no HTTP_TRANSFER_ENCODING.
    env =
        env_for("POST /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n", "/cgi-bin/env.py", 12345);
    CHECK(get(env, "CONTENT_LENGTH") == "12345");
    CHECK_FALSE(get(env, "HTTP_TRANSFER_ENCODING"));

    env = env_for("POST /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n", "/cgi-bin/env.py", 0);
    CHECK(get(env, "CONTENT_LENGTH") == "0");
    CHECK(get(env, "CONTENT_TYPE") == "text/plain");

    env = env_for("HEAD /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nContent-Type:\r\n");
    CHECK(get(env, "REQUEST_METHOD") == "HEAD");
    CHECK(get(env, "CONTENT_TYPE") == "");  // present but empty: Python passes it as it is
    CHECK(get(env, "CONTENT_LENGTH") == "");
}

TEST_CASE("environment: Authorization gives AUTH_TYPE and REMOTE_USER with Python's rules", "[cgi]") {
    struct Case {
        std::string_view value;
        std::optional<std::string> auth_type, remote_user;
    };
    const std::optional<std::string> none;
    const Case cases[] = {
        {"Basic dXNlcjpwYXNz", "Basic", "user"},
        {"basic dXNlcjpwYXNz", "basic", "user"},
        {"BASIC dXNlcjpwYXNz", "BASIC", "user"},
        {"Basic dXNlcjpwYTpzcw==", "Basic", none},  // "user:pa:ss": a ':' in the password
        {"Basic !!!!", "Basic", none},              // nothing decodes: "" has no ':'
        {"Basic dXNlcg==", "Basic", none},          // "user": no ':'
        {"Bearer abc", "Bearer", none},             // any scheme is AUTH_TYPE
        {"Digest dXNlcjpwYXNz", "Digest", none},
        {"Basic", none, none},  // not exactly two words
        {"Basic dXNlcjpwYXNz extra", none, none},
        {"Basic  \t dXNlcjpwYXNz", "Basic", "user"},
        {"Basic dXNl*cjp$wYXNz", "Basic", "user"},  // lenient: non-alphabet characters skipped
        {"Basic dXNlcjpwYXN", "Basic", none},       // Incorrect padding
        {"Basic OnBhc3M=", "Basic", ""},            // ":pass": an empty user
        {"Basic dXNlcjo=", "Basic", "user"},
        {"Basic dXNlcjo", "Basic", none},
        {"Basic dXNlcjo==garbage", "Basic", "user"},  // data ends at the padding
        {"Basic 6Tpw", "Basic", none},                // "\xe9:p" is not ASCII
        {"Basic dXNlcjpwYXNz====", "Basic", "user"},
        {"Basic =dXNlcjpwYXNz", "Basic", "user"},
        {"Basic dXNlcj=pwYXNz", "Basic", "user"},
        {"Basic\xA0"
         "dXNlcjpwYXNz",
         "Basic", "user"},                          // NBSP splits in a Latin-1 str
        {"Basic d\xE9XNlcjpwYXNz", "Basic", none},  // credentials not ASCII
        {"Basic YQ", "Basic", none},
    };
    for (const Case& c : cases) {
        INFO("Authorization: " << std::string(c.value));
        const BasicAuthVars vars = auth_variables(c.value);
        CHECK(vars.auth_type == c.auth_type);
        CHECK(vars.remote_user == c.remote_user);
    }

    Env env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXNlcjpwYXNz\r\n");
    CHECK(get(env, "AUTH_TYPE") == "Basic");
    CHECK(get(env, "REMOTE_USER") == "user");
    CHECK_FALSE(get(env, "HTTP_AUTHORIZATION"));
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXNlcjpwYTpzcw==\r\n");
    CHECK(get(env, "AUTH_TYPE") == "Basic");
    CHECK_FALSE(get(env, "REMOTE_USER"));
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer abc\r\n");
    CHECK(get(env, "AUTH_TYPE") == "Bearer");
    CHECK_FALSE(get(env, "REMOTE_USER"));
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization:\r\n");  // empty: nothing
    CHECK_FALSE(get(env, "AUTH_TYPE"));
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nProxy-Authorization: Basic dXNlcjpwYXNz\r\n");
    CHECK_FALSE(get(env, "AUTH_TYPE"));
    CHECK_FALSE(get(env, "HTTP_PROXY_AUTHORIZATION"));
    // The first Authorization counts.
    env = env_for(
        "GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization: Basic dXNlcjpwYXNz\r\nAuthorization: Bearer x\r\n");
    CHECK(get(env, "AUTH_TYPE") == "Basic");
    // A NUL decoded from the credentials cannot be passed (Python's execve would fail).
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAuthorization: Basic AGE6Yg==\r\n");  // "\0a:b"
    CHECK(get(env, "AUTH_TYPE") == "Basic");
    CHECK_FALSE(get(env, "REMOTE_USER"));
}

TEST_CASE("environment: binascii's lenient base64 decoder", "[cgi]") {
    // Generated with base64.decodebytes (CPython 3.11.7); nullopt where it raises binascii.Error.
    const std::pair<std::string_view, std::optional<std::string>> cases[] = {
        {"YQ=x=", std::optional<std::string>(std::string("a\x0c"
                                                         "",
                                                         2))},
        {"YQ==", std::optional<std::string>(std::string("a", 1))},
        {"YQ=", std::nullopt},
        {"YWI=", std::optional<std::string>(std::string("ab", 2))},
        {"YWJj", std::optional<std::string>(std::string("abc", 3))},
        {"YWJjZA", std::nullopt},
        {"YWJjZA=", std::nullopt},
        {"YWJjZA==", std::optional<std::string>(std::string("abcd", 4))},
        {"=YQ==", std::optional<std::string>(std::string("a", 1))},
        {"Y=Q==", std::optional<std::string>(std::string("a", 1))},
        {"==", std::optional<std::string>(std::string("", 0))},
        {"Y", std::nullopt},
        {"YQ==YQ==", std::optional<std::string>(std::string("a", 1))},
        {"YWI=YQ==", std::optional<std::string>(std::string("ab", 2))},
        {"YW=I", std::nullopt},
        {"\x0a"
         "=\x0a"
         ".//=",
         std::nullopt},
        {"ba.=/-*.a", std::optional<std::string>(std::string("m\xaf"
                                                             "\xda"
                                                             "",
                                                             3))},
        {"/", std::nullopt},
        {"aB=.", std::nullopt},
        {"-A*+/- *-a*", std::optional<std::string>(std::string("\x03"
                                                               "\xef"
                                                               "\xda"
                                                               "",
                                                               3))},
        {"", std::optional<std::string>(std::string("", 0))},
        {"BAAbb*A.", std::nullopt},
        {"1/*\x0a"
         "b=b",
         std::optional<std::string>(std::string("\xd7"
                                                "\xf6"
                                                "",
                                                2))},
        {"0/A-B/-0+=", std::optional<std::string>(std::string("\xd3"
                                                              "\xf0"
                                                              "\x01"
                                                              "\xff"
                                                              "O",
                                                              5))},
        {" ", std::optional<std::string>(std::string("", 0))},
        {"1.b=", std::nullopt},
        {"AB*.", std::nullopt},
        {"+", std::nullopt},
        {"\x0a"
         "",
         std::optional<std::string>(std::string("", 0))},
        {"+BA\x0a"
         "",
         std::nullopt},
        {"AbbA/+ ++B", std::nullopt},
        {"-b.-01B01", std::nullopt},
        {"", std::optional<std::string>(std::string("", 0))},
        {".Bab B", std::optional<std::string>(std::string("\x05"
                                                          "\xa6"
                                                          "\xc1"
                                                          "",
                                                          3))},
        {"", std::optional<std::string>(std::string("", 0))},
        {"", std::optional<std::string>(std::string("", 0))},
        {"./a-=b/", std::optional<std::string>(std::string("\xfd"
                                                           "\xa6"
                                                           "\xff"
                                                           "",
                                                           3))},
        {"b .a+-+B", std::nullopt},
        {"+bA0\x0a"
         ".",
         std::optional<std::string>(std::string("\xf9"
                                                "\xb0"
                                                "4",
                                                3))},
        {"0Aba+\x0a"
         "*-*",
         std::nullopt},
        {"A", std::nullopt},
        {"b/", std::nullopt},
        {"A.*1", std::nullopt},
        {"+BBB", std::optional<std::string>(std::string("\xf8"
                                                        "\x10"
                                                        "A",
                                                        3))},
        {"*-b", std::nullopt},
        {"", std::optional<std::string>(std::string("", 0))},
        {"11*/a*/\x0a"
         "*",
         std::nullopt},
        {"\x0a"
         "+",
         std::nullopt},
        {"-a", std::nullopt},
        {"b\x0a"
         "*b",
         std::nullopt},
        {"ba -=b-+/*B", std::nullopt},
        {"ABBA=0", std::nullopt},
        {"  +", std::nullopt},
        {"+\x0a"
         "*/",
         std::nullopt},
        {"=a B", std::nullopt},
    };
    for (const auto& [input, expected] : cases) {
        INFO("input: " << std::string(input));
        CHECK(lenient_base64_decode(input) == expected);
    }
}

TEST_CASE("environment: Accept, Cookie, User-Agent and Referer as Python joins them", "[cgi]") {
    Env env = env_for(
        "GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAccept: text/html\r\nAccept: text/plain\r\n"
        "Cookie: a=1\r\nCookie:\r\nCookie: b=2\r\nUser-Agent: ua/1\r\nUser-Agent: ua/2\r\n"
        "Referer: http://r/\r\n");
    CHECK(get(env, "HTTP_ACCEPT") == "text/html,text/plain");
    CHECK(get(env, "HTTP_COOKIE") == "a=1, b=2");
    CHECK(get(env, "HTTP_USER_AGENT") == "ua/1");
    CHECK(get(env, "HTTP_REFERER") == "http://r/");

    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\naccept: */*\r\nACCEPT: a/b, c/d\r\n");
    CHECK(get(env, "HTTP_ACCEPT") == "*/*,a/b, c/d");
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nAccept:\r\nAccept: x/y\r\n");
    CHECK(get(env, "HTTP_ACCEPT") == ",x/y");  // ','.join keeps empty values
    env = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nCookie:\r\n");
    CHECK(get(env, "HTTP_COOKIE") == "");
}

TEST_CASE("environment: other headers become HTTP_*, never Proxy", "[cgi]") {
    const Env env = env_for(
        "GET /cgi-bin/env.py HTTP/1.1\r\n"
        "Host: example.com:8000\r\n"
        "Proxy: http://evil.example:3128/\r\n"  // httpoxy
        "X-Forwarded-For: 10.0.0.1\r\n"
        "x-forwarded-for: 10.0.0.2\r\n"
        "X-Under_Score: no\r\n"  // '_' would alias X-Under-Score
        "X.Dot: no\r\n"
        "X-Under-Score: yes\r\n"
        "If-None-Match: \"abc\"\r\n"
        "Accept-Language: fr, en;q=0.5\r\n"
        "X-Latin1: caf\xE9\r\n"
        "DNT: 1\r\n");
    CHECK_FALSE(get(env, "HTTP_PROXY"));
    CHECK(get(env, "HTTP_HOST") == "example.com:8000");
    CHECK(get(env, "HTTP_X_FORWARDED_FOR") == "10.0.0.1, 10.0.0.2");
    CHECK(get(env, "HTTP_X_UNDER_SCORE") == "yes");
    CHECK_FALSE(get(env, "HTTP_X_DOT"));
    CHECK_FALSE(get(env, "HTTP_X.DOT"));
    CHECK(get(env, "HTTP_IF_NONE_MATCH") == "\"abc\"");
    CHECK(get(env, "HTTP_ACCEPT_LANGUAGE") == "fr, en;q=0.5");
    CHECK(get(env, "HTTP_X_LATIN1") == "caf\xE9");  // the bytes as received
    CHECK(get(env, "HTTP_DNT") == "1");
    for (const auto& [name, value] : env) {
        INFO(name);
        CHECK(name.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == std::string::npos);
    }
    // Python-joined headers are not duplicated by the generic rule.
    const Env plain = env_for("GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\nproxy: x\r\nPROXY: y\r\n");
    CHECK_FALSE(get(plain, "HTTP_PROXY"));
}

TEST_CASE("environment: the query and names reach the script unchanged", "[cgi]") {
    Env env = env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py?a=b?c=d");
    CHECK(get(env, "QUERY_STRING") == "a=b?c=d");
    env = env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py?k=aa%2F%2Fbb&//q//p//=//a//b//");
    CHECK(get(env, "QUERY_STRING") == "k=aa%2F%2Fbb&//q//p//=//a//b//");
    env = env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/env.py?q=\xC3\xA9");
    CHECK(get(env, "QUERY_STRING") == "q=\xC3\xA9");  // raw bytes (Python would re-encode them)
    env = env_for("GET / HTTP/1.1\r\nHost: h\r\n", "/cgi-bin/%C3%A9.py/%C3%A9");
    CHECK(get(env, "SCRIPT_NAME") == "/cgi-bin/\xC3\xA9.py");
    CHECK(get(env, "PATH_INFO") == "/\xC3\xA9");
    CHECK(get(env, "PATH_TRANSLATED") == "/srv/www/\xC3\xA9");
}

TEST_CASE("cgi environment: HTTPS=on for a request that came over TLS, nothing otherwise", "[cgi][environment]") {
    const std::string head = "GET /cgi-bin/env.py HTTP/1.1\r\nHost: h\r\n";
    const Env tls = env_for(head, "/cgi-bin/env.py", std::nullopt, "/srv/www", "HTTP/1.1", true);
    CHECK(tls.at("HTTPS") == "on");
    CHECK(env_for(head).count("HTTPS") == 0);
}
