// CGI meta-variables: Python's run_cgi values (http/server.py), RFC 3875 §4.1 for the rest.
#include "worker/cgi/environment.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "common/ascii.hpp"
#include "common/python_space.hpp"

namespace httpserve::cgi {

namespace {

// text.split() of a Latin-1 string (Python decodes header bytes as ISO-8859-1).
std::vector<std::string_view> py_split(std::string_view s) {
    std::vector<std::string_view> words;
    for_each_python_word(s, [&words](std::string_view w) { words.push_back(w); });
    return words;
}

// binascii's table: the value of a base64 character, or 64 for anything else.
constexpr std::array<unsigned char, 256> make_base64_table() {
    std::array<unsigned char, 256> t{};
    for (auto& v : t) v = 64;
    constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < alphabet.size(); ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
    return t;
}
constexpr std::array<unsigned char, 256> kBase64 = make_base64_table();

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

// Header names that become HTTP_* beyond Python's four. Letters, digits and '-' only: '_' would let
// "X_Foo" pose as "X-Foo" (both HTTP_X_FOO), and other token characters have no variable spelling.
bool exportable_header_name(std::string_view name) {
    if (name.empty()) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    });
}

// Headers never passed as HTTP_*:
//  - Proxy: httpoxy (CVE-2016-5385), HTTP_PROXY would be taken as the script's outgoing proxy;
//  - Authorization, Proxy-Authorization: credentials (RFC 3875 §4.1.18), AUTH_TYPE/REMOTE_USER
//    carry what Python derives from them;
//  - Content-Type, Content-Length: already CONTENT_TYPE/CONTENT_LENGTH (the latter is what the
//    script gets on stdin, which differs for a chunked body);
//  - Transfer-Encoding: hop-by-hop; the body reaches the script de-chunked;
//  - Accept, Cookie, User-Agent, Referer: set with Python's rules below.
bool excluded_header(std::string_view name) {
    static constexpr std::array<std::string_view, 10> excluded = {
        "proxy",  "authorization", "proxy-authorization", "content-type", "content-length", "transfer-encoding",
        "accept", "cookie",        "user-agent",          "referer"};
    return std::any_of(excluded.begin(), excluded.end(), [&](std::string_view e) { return iequals_ascii(name, e); });
}

std::string header_variable(std::string_view name) {
    std::string var = "HTTP_";
    for (char c : name) var.push_back(c == '-' ? '_' : ascii_upper(c));
    return var;
}

// PATH_TRANSLATED as translate_path returns it: os.path.join(root, words...) + '/' if the path had one.
std::string path_translated(std::string_view root, const CgiScript& s) {
    std::string out(root);
    while (out.size() > 1 && out.back() == '/') out.pop_back();
    if (!s.path_translated_relative.empty()) {
        if (!out.empty() && out.back() != '/') out.push_back('/');
        out.append(s.path_translated_relative);
    }
    if (s.path_translated_trailing_slash) out.push_back('/');
    return out;
}

}  // namespace

std::optional<std::string> lenient_base64_decode(std::string_view s) {
    // CPython's binascii_a2b_base64_impl with strict_mode = 0.
    std::string out;
    out.reserve(s.size() / 4 * 3 + 3);
    int quad_pos = 0;
    int pads = 0;
    unsigned leftchar = 0;
    for (char ch : s) {
        if (ch == '=') {
            // Enough padding after two or three data characters ends the data; other '=' are ignored.
            if (quad_pos >= 2 && quad_pos + ++pads >= 4) return out;
            continue;
        }
        const unsigned v = kBase64[static_cast<unsigned char>(ch)];
        if (v >= 64) continue;  // not in the alphabet: skipped
        pads = 0;
        switch (quad_pos) {
            case 0:
                quad_pos = 1;
                leftchar = v;
                break;
            case 1:
                quad_pos = 2;
                out.push_back(static_cast<char>(((leftchar << 2) | (v >> 4)) & 0xFF));
                leftchar = v & 0x0F;
                break;
            case 2:
                quad_pos = 3;
                out.push_back(static_cast<char>(((leftchar << 4) | (v >> 2)) & 0xFF));
                leftchar = v & 0x03;
                break;
            default:
                quad_pos = 0;
                out.push_back(static_cast<char>(((leftchar << 6) | v) & 0xFF));
                leftchar = 0;
                break;
        }
    }
    if (quad_pos != 0) return std::nullopt;
    return out;
}

BasicAuthVars auth_variables(std::string_view authorization) {
    BasicAuthVars vars;
    const std::vector<std::string_view> words = py_split(authorization);
    if (words.size() != 2) return vars;
    vars.auth_type = std::string(words[0]);
    if (!iequals_ascii(words[0], "basic")) return vars;
    // .encode('ascii') of the credentials, then .decode('ascii') of what they decode to.
    const auto non_ascii = [](char c) { return static_cast<unsigned char>(c) >= 0x80; };
    if (std::any_of(words[1].begin(), words[1].end(), non_ascii)) return vars;
    const std::optional<std::string> decoded = lenient_base64_decode(words[1]);
    if (!decoded || std::any_of(decoded->begin(), decoded->end(), non_ascii)) return vars;
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos || decoded->find(':', colon + 1) != std::string::npos) return vars;
    vars.remote_user = decoded->substr(0, colon);
    return vars;
}

std::vector<std::string> build_cgi_environment(const CgiEnvironmentInput& in) {
    const http::Request& req = in.request;
    std::vector<std::string> env;
    env.reserve(32 + req.headers.size());
    auto set = [&](std::string_view name, std::string_view value) {
        std::string entry(name);
        entry.push_back('=');
        entry.append(value);
        env.push_back(std::move(entry));
    };
    // Every value of a header (case-insensitive name), in order.
    auto all_values = [&](std::string_view name) {
        std::vector<std::string_view> values;
        for (const http::Header& h : req.headers)
            if (iequals_ascii(h.name, name)) values.push_back(h.value);
        return values;
    };
    auto first_value = [&](std::string_view name) -> std::string_view {
        const http::Header* h = req.find(name);
        return h ? h->value : std::string_view();
    };
    // A NUL cannot be carried by execve (Python's fails); the request parser never lets one through,
    // this only keeps a hand-made Request from truncating a variable.
    auto set_checked = [&](std::string_view name, std::string_view value) {
        if (!has_nul(value)) set(name, value);
    };

    set("PATH", "/usr/local/bin:/usr/bin:/bin");
    set("GATEWAY_INTERFACE", "CGI/1.1");
    set("SERVER_SOFTWARE", in.server_software);
    set("SERVER_NAME", in.server_name);
    set("SERVER_PORT", std::to_string(in.server_port));
    set("SERVER_PROTOCOL", in.server_protocol);
    set("REQUEST_METHOD", req.method);
    set_checked("PATH_INFO", in.script.path_info);
    set_checked("PATH_TRANSLATED", path_translated(in.root, in.script));
    set_checked("SCRIPT_NAME", in.script.script_name);
    set_checked("QUERY_STRING", in.script.query);
    set("REMOTE_ADDR", in.remote_addr);
    set("REMOTE_HOST", "");  // Python never resolves it, and setdefault("") makes it always present

    // Python: `if authorization:` on the first Authorization header.
    if (const std::string_view authorization = first_value("authorization"); !authorization.empty()) {
        const BasicAuthVars auth = auth_variables(authorization);
        if (auth.auth_type) set_checked("AUTH_TYPE", *auth.auth_type);
        if (auth.remote_user) set_checked("REMOTE_USER", *auth.remote_user);
    }

    // The first Content-Type as sent, even empty; without one, email.message's get_content_type()
    // default "text/plain" (what Python really passes, also for a GET without a body).
    const http::Header* content_type = req.find("content-type");
    set_checked("CONTENT_TYPE", content_type ? content_type->value : std::string_view("text/plain"));
    // The length of what the script can read on stdin; "" without a body (Python: the header's
    // value if non-empty, else ""). For a chunked body Python has no header and passes "".
    set("CONTENT_LENGTH", in.content_length ? std::to_string(*in.content_length) : std::string());

    // HTTP_ACCEPT: ','.join(get_all('accept')), always present.
    std::string accept;
    bool first_accept = true;
    for (std::string_view v : all_values("accept")) {
        if (!first_accept) accept.push_back(',');
        accept.append(v);
        first_accept = false;
    }
    set_checked("HTTP_ACCEPT", accept);
    // HTTP_COOKIE: ', '.join of the non-empty Cookie values, "" when none.
    std::string cookie;
    for (std::string_view v : all_values("cookie")) {
        if (v.empty()) continue;
        if (!cookie.empty()) cookie.append(", ");
        cookie.append(v);
    }
    set_checked("HTTP_COOKIE", cookie);
    // The first User-Agent and Referer, "" when absent (Python's setdefault).
    set_checked("HTTP_USER_AGENT", first_value("user-agent"));
    set_checked("HTTP_REFERER", first_value("referer"));

    // Beyond Python (RFC 3875 §4.1.18): the other headers, repeated ones joined with ", ".
    std::vector<std::pair<std::string, std::string>> extra;
    for (const http::Header& h : req.headers) {
        if (!exportable_header_name(h.name) || excluded_header(h.name) || has_nul(h.value)) continue;
        std::string var = header_variable(h.name);
        auto it = std::find_if(extra.begin(), extra.end(), [&](const auto& e) { return e.first == var; });
        if (it == extra.end()) {
            extra.emplace_back(std::move(var), std::string(h.value));
        } else {
            it->second.append(", ");
            it->second.append(h.value);
        }
    }
    for (const auto& [var, value] : extra) set(var, value);
    if (in.https) set("HTTPS", "on");
    return env;
}

}  // namespace httpserve::cgi
