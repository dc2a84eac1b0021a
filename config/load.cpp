#include "config/load.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <toml.hpp>
#include <tuple>
#include <utility>
#include <vector>

#include "common/escape.hpp"
#include "common/unique_fd.hpp"
#include "common/utf8.hpp"
#include "config/cidr.hpp"
#include "config/enum_names.hpp"
#include "config/header_field.hpp"
#include "config/path_glob.hpp"
#include "config/prescan.hpp"
#include "config/suggest.hpp"
#include "config/units.hpp"

namespace httpserve {

namespace {

std::string format_error(const std::string& file, int line, const std::string& key, const std::string& message) {
    std::string text = file;
    if (line > 0) text += ":" + std::to_string(line);
    text += ": ";
    if (!key.empty()) text += key + ": ";
    return text + message;
}

}  // namespace

ConfigError::ConfigError(std::string file_, int line_, std::string key_, std::string message_)
    : std::runtime_error(format_error(file_, line_, key_, message_)),
      file(std::move(file_)),
      line(line_),
      key(std::move(key_)),
      message(std::move(message_)) {}

namespace {

namespace fs = std::filesystem;

// A real config is a few KiB; the other bounds on what toml11 is handed are in config/prescan.hpp.
constexpr size_t kMaxFileSize = 1u << 20;
constexpr Duration kMaxDuration = std::chrono::hours(24 * 30);  // keeps deadline arithmetic far from overflow
// A PROXY header comes in the balancer's first packet; under a second only invites spurious closes.
constexpr Duration kMinProxyTimeout = std::chrono::seconds(1);

// User text inside a one-line error: control bytes escaped, long values shortened.
std::string printable(std::string_view text, size_t max_length = 80) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (out.size() >= max_length) {
            out += "...";
            break;
        }
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            append_backslash_x(out, c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string in_quotes(std::string_view text) { return "\"" + printable(text) + "\""; }

// A key as TOML would write it in a dotted path: bare when it can be, quoted otherwise.
std::string key_text(std::string_view key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
    return bare ? std::string(key) : in_quotes(key);
}

std::string join_key(const std::string& prefix, std::string_view key) {
    return prefix.empty() ? key_text(key) : prefix + "." + key_text(key);
}

std::string format_size(uint64_t bytes) {
    static constexpr std::pair<uint64_t, const char*> units[] = {
        {1ull << 30, "GiB"}, {1ull << 20, "MiB"}, {1ull << 10, "KiB"}};
    for (const auto& [size, name] : units) {
        if (bytes != 0 && bytes % size == 0) return std::to_string(bytes / size) + name;
    }
    return std::to_string(bytes);
}

int line_of_offset(std::string_view text, size_t offset) {
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(offset), '\n'));
}

// toml11's messages look like:
//   [error] toml::parse_key_value_pair: missing key-value separator `=`
//    --> file.toml
//      |
//    3 | c d
//      |  ^--- should be `=`
// The last numbered source line is the offending one (for "defined twice", the second definition).
int syntax_error_line(const std::string& what) {
    std::istringstream lines(what);
    std::string text;
    int line = 0;
    while (std::getline(lines, text)) {
        size_t i = text.find_first_not_of(' ');
        if (i == std::string::npos || !std::isdigit(static_cast<unsigned char>(text[i]))) continue;
        size_t end = i;
        while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end]))) ++end;
        if (end - i > 9 || text.compare(end, 2, " |") != 0) continue;
        line = std::stoi(text.substr(i, end - i));
    }
    return line;
}

// First line of toml11's message without "[error] toml::function_name: ". Some messages carry no
// text there ("[error] toml::parse_hexadecimal_integer"); the note under the source line then says it.
std::string syntax_error_summary(const std::string& what) {
    std::string first = what.substr(0, what.find('\n'));
    if (first.rfind("[error] ", 0) == 0) first.erase(0, 8);
    if (first.rfind("toml::", 0) == 0) {
        const size_t colon = first.find(':', 6);
        first.erase(0, colon == std::string::npos ? first.size() : colon + 1);
    }
    first.erase(0, first.find_first_not_of(' ') == std::string::npos ? first.size() : first.find_first_not_of(' '));
    if (first.empty()) {
        const size_t note = what.rfind("^--- ");
        if (note != std::string::npos) first = what.substr(note + 5, what.find('\n', note) - note - 5);
    }
    if (first.empty()) first = "invalid TOML";
    return "syntax error: " + printable(first, 160);
}

// The checks on each element of a string array: what is wrong with it, or "".
std::string index_page_problem(const std::string& page) {
    if (page.empty()) return "must not be empty";
    if (page.find('/') != std::string::npos) return "must be a file name, without '/'";
    return "";
}

std::string cgi_directory_problem(const std::string& folder) {
    if (folder.empty() || folder[0] != '/') return "must start with '/', like \"/cgi-bin\"";
    if (folder.back() == '/') return "must not end with '/'";
    return "";
}

class Loader {
public:
    Loader(std::string file, std::string base_dir) : file_(std::move(file)), base_dir_(std::move(base_dir)) {}

    Config load(std::string_view text) {
        size_t bad = 0;
        if (!is_valid_utf8(text, &bad)) {
            bad = std::min(bad, text.size() - 1);  // the validator promises this; stay safe regardless
            std::string message = "invalid UTF-8 (byte 0x";
            append_hex(message, static_cast<unsigned char>(text[bad]), 2, HexCase::Upper);
            throw ConfigError(file_, line_of_offset(text, bad), "", message + ")");
        }
        if (const std::optional<PrescanProblem> problem = prescan_toml(text)) {
            throw ConfigError(file_, problem->line, printable(problem->key), problem->message);
        }
        const toml::value root = parse(text);

        Config config;
        read_table(root, "", top_level_fields(config));
        config.source_file = file_;
        config.command_line_mode = false;
        return config;
    }

private:
    using Handler = std::function<void(const toml::value&, const std::string& key)>;
    struct Field {
        std::string name;
        Handler apply;
    };

    toml::value parse(std::string_view text) const {
        std::istringstream stream{std::string(text)};
        try {
            return toml::parse(stream, file_);
        } catch (const toml::exception& e) {
            int line = syntax_error_line(e.what());
            if (line == 0) line = static_cast<int>(e.location().line());
            throw ConfigError(file_, line, "", syntax_error_summary(e.what()));
        }
    }

    // Where a value starts in the file. value.location() would do, but it counts the newlines from the
    // start of the file on every call: quadratic over a table with many keys.
    static size_t source_offset(const toml::value& value) {
        const auto* region = dynamic_cast<const toml::detail::region*>(toml::detail::get_region(value));
        if (!region) return std::numeric_limits<size_t>::max();  // not from the file: sort last
        return static_cast<size_t>(region->first() - region->begin());
    }

    [[noreturn]] void fail(const toml::value& value, const std::string& key, const std::string& message) const {
        throw ConfigError(file_, static_cast<int>(value.location().line()), key, message);
    }

    struct Entry {
        const std::string* name;
        const toml::value* value;
        size_t offset;
    };

    // A table's entries in the order they appear in the file, so that the first problem reported is
    // the first one a reader meets (toml11 keeps tables in an unordered_map).
    static std::vector<Entry> in_file_order(const toml::value& table) {
        std::vector<Entry> entries;
        for (const auto& [name, value] : table.as_table()) entries.push_back({&name, &value, source_offset(value)});
        std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
            return std::tie(a.offset, *a.name) < std::tie(b.offset, *b.name);
        });
        return entries;
    }

    void read_table(const toml::value& table, const std::string& prefix, const std::vector<Field>& fields) const {
        for (const Entry& entry : in_file_order(table)) {
            const std::string key = join_key(prefix, *entry.name);
            const auto field =
                std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == *entry.name; });
            if (field == fields.end()) {
                std::vector<std::string> names;
                for (const Field& f : fields) names.push_back(f.name);
                std::string message = "unknown key '" + printable(*entry.name) + "'";
                if (const std::string near = nearest_name(*entry.name, names); !near.empty()) {
                    message += "; did you mean '" + near + "'?";
                }
                fail(*entry.value, key, message);
            }
            field->apply(*entry.value, key);
        }
    }

    // ---- typed readers: each checks the type, then the range, and names the key on failure ----

    const toml::value& table(const toml::value& v, const std::string& key) const {
        if (!v.is_table()) fail(v, key, "expected a table");
        return v;
    }

    bool boolean(const toml::value& v, const std::string& key) const {
        if (!v.is_boolean()) fail(v, key, "expected true or false");
        return v.as_boolean();
    }

    std::string string(const toml::value& v, const std::string& key) const {
        if (!v.is_string()) fail(v, key, "expected a string");
        return v.as_string().str;
    }

    std::string non_empty_string(const toml::value& v, const std::string& key) const {
        std::string s = string(v, key);
        if (s.empty()) fail(v, key, "must not be empty");
        return s;
    }

    int64_t integer(const toml::value& v, const std::string& key, int64_t min, int64_t max) const {
        if (!v.is_integer()) fail(v, key, "expected an integer");
        const int64_t n = v.as_integer();
        if (n < min || n > max) {
            fail(v, key,
                 "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                     std::to_string(n) + ")");
        }
        return n;
    }

    // A size or a duration: an integer in the plain unit (bytes, seconds) or a string with a unit
    // ("16MiB", "30s"). `what` and `expected` word the errors; the caller checks the range.
    template <typename Parse, typename FromInteger>
    auto with_unit(const toml::value& v, const std::string& key, const std::string& what, const std::string& expected,
                   Parse parse, FromInteger from_integer) const {
        if (v.is_string()) {
            const auto parsed = parse(v.as_string().str);
            if (!parsed) fail(v, key, "invalid " + what + " " + in_quotes(v.as_string().str) + ": " + expected);
            return *parsed;
        }
        if (!v.is_integer()) fail(v, key, expected);
        if (v.as_integer() < 0) fail(v, key, "must not be negative");
        return from_integer(v.as_integer());
    }

    uint64_t size(const toml::value& v, const std::string& key, uint64_t min, uint64_t max) const {
        static const std::string expected = "expected a size like 16MiB or an integer";
        const uint64_t bytes =
            with_unit(v, key, "size", expected, parse_size, [](int64_t n) { return static_cast<uint64_t>(n); });
        if (bytes < min || bytes > max) {
            fail(v, key,
                 "must be between " + format_size(min) + " and " + format_size(max) + " (got " + std::to_string(bytes) +
                     ")");
        }
        return bytes;
    }

    // `allow_zero`: shutdown_timeout may be 0 (stop at once); every other timeout must be positive.
    Duration duration(const toml::value& v, const std::string& key, bool allow_zero = false) const {
        constexpr int64_t max_seconds = std::chrono::duration_cast<std::chrono::seconds>(kMaxDuration).count();
        static const std::string expected = "expected a duration like 30s, 500ms, 5m, 1h or an integer (seconds)";
        const Duration d = with_unit(v, key, "duration", expected, parse_duration, [&](int64_t seconds) -> Duration {
            // Checked in seconds: the conversion to milliseconds could overflow.
            if (seconds > max_seconds) fail(v, key, "must be at most 30 days");
            return std::chrono::seconds(seconds);
        });
        if (d > kMaxDuration) fail(v, key, "must be at most 30 days");
        if (!allow_zero && d.count() == 0) fail(v, key, "must be more than 0");
        return d;
    }

    static std::string choice_list(const std::vector<std::string>& choices) {
        std::string list;
        for (const std::string& c : choices) list += (list.empty() ? "" : ", ") + in_quotes(c);
        return list;
    }

    std::string choice(const toml::value& v, const std::string& key, const std::vector<std::string>& choices) const {
        if (!v.is_string()) fail(v, key, "expected one of " + choice_list(choices));
        const std::string& s = v.as_string().str;
        if (std::find(choices.begin(), choices.end(), s) == choices.end()) {
            fail(v, key, "invalid value " + in_quotes(s) + ": expected one of " + choice_list(choices));
        }
        return s;
    }

    // One of the words in an enum's table (config/enum_names.hpp).
    template <typename Enum, size_t N>
    Enum enumeration(const toml::value& v, const std::string& key, const EnumName<Enum> (&names)[N]) const {
        std::vector<std::string> words;
        for (const auto& [value, name] : names) words.push_back(name);
        const std::string s = choice(v, key, words);
        for (const auto& [value, name] : names) {
            if (s == name) return value;
        }
        return names[0].value;  // not reached: choice() accepted one of the words
    }

    template <typename Check>
    std::vector<std::string> string_array(const toml::value& v, const std::string& key, Check check_element) const {
        if (!v.is_array()) fail(v, key, "expected an array of strings");
        std::vector<std::string> out;
        const auto& elements = v.as_array();
        for (size_t i = 0; i < elements.size(); ++i) {
            const std::string element_key = key + "[" + std::to_string(i) + "]";
            out.push_back(string(elements[i], element_key));
            if (const std::string problem = check_element(out.back()); !problem.empty())
                fail(elements[i], element_key, problem);
        }
        return out;
    }

    // A list of content codings, each at most once.
    std::vector<ContentCoding> codings(const toml::value& v, const std::string& key) const {
        if (!v.is_array()) fail(v, key, "expected an array of strings");
        std::vector<ContentCoding> out;
        const auto& elements = v.as_array();
        for (size_t i = 0; i < elements.size(); ++i) {
            const std::string element_key = key + "[" + std::to_string(i) + "]";
            const ContentCoding coding = enumeration(elements[i], element_key, kContentCodingNames);
            if (std::find(out.begin(), out.end(), coding) != out.end())
                fail(elements[i], element_key, std::string("\"") + to_string(coding) + "\" is listed twice");
            out.push_back(coding);
        }
        return out;
    }

    // Relative paths are relative to the config file's folder, so a config works wherever it lives.
    std::string absolute(const std::string& path) const {
        fs::path p(path);
        if (p.is_relative()) {
            std::error_code ec;
            const fs::path base = base_dir_.empty() ? fs::current_path(ec) : fs::path(base_dir_);
            p = base / p;
        }
        std::string normal = p.lexically_normal().string();
        while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
        return normal;
    }

    std::string path(const toml::value& v, const std::string& key) const { return absolute(non_empty_string(v, key)); }

    // CIDR networks ("10.0.0.0/8", "::1/128", or single addresses).
    std::vector<Cidr> networks(const toml::value& v, const std::string& key) const {
        std::vector<Cidr> out;
        string_array(v, key, [&](const std::string& text) {
            std::string problem;
            if (auto network = parse_cidr(text, problem)) out.push_back(*network);
            return problem;
        });
        return out;
    }

    // A path where "" means none.
    std::string optional_path(const toml::value& v, const std::string& key) const {
        const std::string s = string(v, key);
        return s.empty() ? s : absolute(s);
    }

    std::vector<ListenAddress> listen(const toml::value& v, const std::string& key) const {
        if (!v.is_array()) fail(v, key, "expected an array of tables ([[listen]])");
        const auto& entries = v.as_array();
        if (entries.empty()) fail(v, key, "needs at least one entry");
        std::vector<ListenAddress> out;
        std::map<std::pair<std::string, uint16_t>, size_t> seen;  // address and port -> first index
        for (size_t i = 0; i < entries.size(); ++i) {
            const std::string entry_key = key + "[" + std::to_string(i) + "]";
            ListenAddress address;
            read_table(
                table(entries[i], entry_key), entry_key,
                {
                    {"address",
                     [&](const toml::value& a, const std::string& k) { address.address = non_empty_string(a, k); }},
                    {"port",
                     [&](const toml::value& p, const std::string& k) {
                         address.port = static_cast<uint16_t>(integer(p, k, 0, 65535));
                     }},
                    {"tls_cert",
                     [&](const toml::value& p, const std::string& k) { address.tls_cert = optional_path(p, k); }},
                    {"tls_key",
                     [&](const toml::value& p, const std::string& k) { address.tls_key = optional_path(p, k); }},
                    {"tls_password_file",
                     [&](const toml::value& p, const std::string& k) {
                         address.tls_password_file = optional_path(p, k);
                     }},
                    {"proxy_protocol",
                     [&](const toml::value& b, const std::string& k) { address.proxy_protocol = boolean(b, k); }},
                    {"proxy_trusted",
                     [&](const toml::value& a, const std::string& k) { address.proxy_trusted = networks(a, k); }},
                    {"proxy_timeout",
                     [&](const toml::value& d, const std::string& k) {
                         address.proxy_timeout = duration(d, k);
                         if (address.proxy_timeout < kMinProxyTimeout) fail(d, k, "must be at least 1s");
                     }},
                });
            // A key or a password without a certificate would be silently plain HTTP.
            for (const auto& [name, value] :
                 {std::pair{"tls_key", &address.tls_key}, std::pair{"tls_password_file", &address.tls_password_file}}) {
                if (!value->empty() && address.tls_cert.empty())
                    fail(entries[i].at(name), join_key(entry_key, name), "needs tls_cert (the certificate) too");
            }
            // The PROXY header precedes the TLS handshake on the wire; reading both is not built yet.
            if (address.proxy_protocol && address.tls()) {
                fail(entries[i].at("proxy_protocol"), join_key(entry_key, "proxy_protocol"),
                     "cannot be used on a TLS listener (tls_cert) yet");
            }
            // Two identical sockets cannot both be bound; say so here rather than at start-up.
            const auto [same, added] = seen.try_emplace({address.address, address.port}, i);
            if (!added)
                fail(entries[i], entry_key,
                     "same address and port as " + key + "[" + std::to_string(same->second) + "]");
            out.push_back(address);
        }
        return out;
    }

    // [[headers]]: match = "glob", set = { Name = "value", ... }, both required.
    std::vector<HeaderRule> header_rules(const toml::value& v, const std::string& key) const {
        if (!v.is_array()) fail(v, key, "expected an array of tables ([[headers]])");
        const auto& entries = v.as_array();
        std::vector<HeaderRule> out;
        for (size_t i = 0; i < entries.size(); ++i) {
            const std::string entry_key = key + "[" + std::to_string(i) + "]";
            HeaderRule rule;
            bool has_match = false;
            bool has_set = false;
            read_table(table(entries[i], entry_key), entry_key,
                       {
                           {"match",
                            [&](const toml::value& m, const std::string& k) {
                                rule.match = non_empty_string(m, k);
                                has_match = true;
                                if (rule.match[0] != '/' && rule.match[0] != '*')
                                    fail(m, k,
                                         "a pattern must start with '/' or '*': it is matched against the "
                                         "request path, like \"/api/*\"");
                                std::string error;
                                if (!PathGlob::compile(rule.match, &error)) fail(m, k, error);
                            }},
                           {"set",
                            [&](const toml::value& t, const std::string& k) {
                                rule.set = header_set(table(t, k), k);
                                has_set = true;
                            }},
                       });
            if (!has_match) fail(entries[i], entry_key, "needs match = \"/path/pattern*\"");
            if (!has_set) fail(entries[i], entry_key, "needs set = { \"Header-Name\" = \"value\" }");
            out.push_back(std::move(rule));
        }
        return out;
    }

    std::vector<std::pair<std::string, std::string>> header_set(const toml::value& v, const std::string& key) const {
        std::vector<std::pair<std::string, std::string>> out;
        for (const Entry& entry : in_file_order(v)) {
            const std::string entry_key = join_key(key, *entry.name);
            std::string value = string(*entry.value, entry_key);
            if (const std::string problem = header_field_problem(*entry.name, value); !problem.empty())
                fail(*entry.value, entry_key, problem);
            out.emplace_back(*entry.name, std::move(value));
        }
        return out;
    }

    // "type/subtype", parameters allowed; it goes into a Content-Type header, so no control bytes.
    std::string media_type(const toml::value& v, const std::string& key) const {
        std::string s = string(v, key);
        if (const std::string problem = media_type_problem(s); !problem.empty()) fail(v, key, problem);
        return s;
    }

    std::map<std::string, std::string> mime_types(const toml::value& v, const std::string& key) const {
        std::map<std::string, std::string> out;
        for (const Entry& entry : in_file_order(v)) {
            const std::string& extension = *entry.name;
            const toml::value& type = *entry.value;
            const std::string entry_key = join_key(key, extension);
            if (extension.size() < 2 || extension[0] != '.' || extension.find('/') != std::string::npos) {
                fail(type, entry_key, "an extension must start with '.', like \".wasm\"");
            }
            out[extension] = media_type(type, entry_key);
        }
        return out;
    }

    // ---- the schema: one list of fields per table, in the order of the spec ----

    std::vector<Field> top_level_fields(Config& c) const {
        return {
            {"workers",
             [&](const toml::value& v, const std::string& key) {
                 if (v.is_string() && v.as_string().str == "auto") {
                     c.workers = 0;
                 } else if (v.is_integer()) {
                     c.workers = static_cast<unsigned>(integer(v, key, 1, 1024));
                 } else {
                     fail(v, key, "expected \"auto\" or an integer between 1 and 1024");
                 }
             }},
            {"user",
             [&](const toml::value& v, const std::string& key) {
                 c.user = non_empty_string(v, key);
                 c.user_explicit = true;
             }},
            {"group", [&](const toml::value& v, const std::string& key) { c.group = non_empty_string(v, key); }},
            {"pid_file", [&](const toml::value& v, const std::string& key) { c.pid_file = optional_path(v, key); }},
            {"shutdown_timeout",
             [&](const toml::value& v, const std::string& key) { c.shutdown_timeout = duration(v, key, true); }},
            {"listen", [&](const toml::value& v, const std::string& key) { c.listen = listen(v, key); }},
            {"headers", [&](const toml::value& v, const std::string& key) { c.headers = header_rules(v, key); }},
            {"tls",
             [&](const toml::value& v, const std::string& key) { read_table(table(v, key), key, tls_fields(c.tls)); }},
            {"files", [&](const toml::value& v,
                          const std::string& key) { read_table(table(v, key), key, files_fields(c.files)); }},
            {"mime", [&](const toml::value& v,
                         const std::string& key) { read_table(table(v, key), key, mime_fields(c.mime)); }},
            {"cgi",
             [&](const toml::value& v, const std::string& key) { read_table(table(v, key), key, cgi_fields(c.cgi)); }},
            {"http", [&](const toml::value& v,
                         const std::string& key) { read_table(table(v, key), key, http_fields(c.http)); }},
            {"log",
             [&](const toml::value& v, const std::string& key) { read_table(table(v, key), key, log_fields(c.log)); }},
            {"status", [&](const toml::value& v,
                           const std::string& key) { read_table(table(v, key), key, status_fields(c.status)); }},
        };
    }

    std::vector<Field> tls_fields(TlsConfig& t) const {
        return {
            {"min_version", [&](const toml::value& v,
                                const std::string& key) { t.min_version = enumeration(v, key, kTlsVersionNames); }},
            {"ciphers",
             [&](const toml::value& v, const std::string& key) {
                 t.ciphers = string(v, key);
                 // OpenSSL checks the list itself when the contexts are built; this keeps it one line.
                 if (std::any_of(t.ciphers.begin(), t.ciphers.end(),
                                 [](char ch) { return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; }))
                     fail(v, key, "must not contain control characters");
             }},
            {"session_tickets",
             [&](const toml::value& v, const std::string& key) { t.session_tickets = boolean(v, key); }},
            {"handshake_timeout",
             [&](const toml::value& v, const std::string& key) { t.handshake_timeout = duration(v, key); }},
        };
    }

    std::vector<Field> files_fields(FilesConfig& f) const {
        return {
            {"root", [&](const toml::value& v, const std::string& key) { f.root = path(v, key); }},
            {"index_pages", [&](const toml::value& v,
                                const std::string& key) { f.index_pages = string_array(v, key, index_page_problem); }},
            {"directory_listing",
             [&](const toml::value& v, const std::string& key) { f.directory_listing = boolean(v, key); }},
            {"listing", [&](const toml::value& v,
                            const std::string& key) { f.listing = enumeration(v, key, kListingStyleNames); }},
            {"symlinks", [&](const toml::value& v,
                             const std::string& key) { f.symlinks = enumeration(v, key, kSymlinkPolicyNames); }},
            {"dotfiles", [&](const toml::value& v,
                             const std::string& key) { f.dotfiles = enumeration(v, key, kDotfilePolicyNames); }},
            {"precompressed", [&](const toml::value& v, const std::string& key) { f.precompressed = codings(v, key); }},
        };
    }

    std::vector<Field> mime_fields(MimeConfig& m) const {
        return {
            {"types_file",  // "" = use only the built-in table
             [&](const toml::value& v, const std::string& key) { m.types_file = optional_path(v, key); }},
            {"default_type",
             [&](const toml::value& v, const std::string& key) { m.default_type = media_type(v, key); }},
            {"types", [&](const toml::value& v, const std::string& key) { m.types = mime_types(table(v, key), key); }},
        };
    }

    std::vector<Field> cgi_fields(CgiConfig& g) const {
        return {
            {"enabled", [&](const toml::value& v, const std::string& key) { g.enabled = boolean(v, key); }},
            {"directories",
             [&](const toml::value& v, const std::string& key) {
                 g.directories = string_array(v, key, cgi_directory_problem);
             }},
            {"user",
             [&](const toml::value& v, const std::string& key) {
                 g.user = non_empty_string(v, key);
                 g.user_explicit = true;
             }},
            {"group", [&](const toml::value& v, const std::string& key) { g.group = non_empty_string(v, key); }},
            {"timeout", [&](const toml::value& v, const std::string& key) { g.timeout = duration(v, key); }},
            {"max_processes",
             [&](const toml::value& v, const std::string& key) {
                 g.max_processes = static_cast<unsigned>(integer(v, key, 1, 100000));
             }},
            {"max_memory",
             [&](const toml::value& v, const std::string& key) {
                 g.max_memory = size(v, key, 0, 1ull << 44);
                 if (g.max_memory > 0 && g.max_memory < (1u << 20))
                     fail(v, key, "must be 0 (no limit) or at least 1MiB");
             }},
            {"max_cpu_time",
             [&](const toml::value& v, const std::string& key) { g.max_cpu_time = duration(v, key, true); }},
        };
    }

    std::vector<Field> http_fields(HttpConfig& h) const {
        constexpr uint64_t line_min = 256, line_max = 16u << 20;
        return {
            {"protocol",
             [&](const toml::value& v, const std::string& key) {
                 h.protocol = choice(v, key, {"HTTP/1.0", "HTTP/1.1"});
             }},
            {"keepalive_timeout",
             [&](const toml::value& v, const std::string& key) { h.keepalive_timeout = duration(v, key); }},
            {"header_timeout",
             [&](const toml::value& v, const std::string& key) { h.header_timeout = duration(v, key); }},
            {"body_timeout", [&](const toml::value& v, const std::string& key) { h.body_timeout = duration(v, key); }},
            {"send_timeout", [&](const toml::value& v, const std::string& key) { h.send_timeout = duration(v, key); }},
            {"max_request_line",
             [&](const toml::value& v, const std::string& key) {
                 h.max_request_line = size(v, key, line_min, line_max);
             }},
            {"max_header_lines",
             [&](const toml::value& v, const std::string& key) {
                 h.max_header_lines = static_cast<unsigned>(integer(v, key, 1, 10000));
             }},
            {"max_header_line", [&](const toml::value& v,
                                    const std::string& key) { h.max_header_line = size(v, key, line_min, line_max); }},
            {"max_body",
             [&](const toml::value& v, const std::string& key) { h.max_body = size(v, key, 0, 1ull << 40); }},
            {"max_connections",
             [&](const toml::value& v, const std::string& key) {
                 h.max_connections = static_cast<unsigned>(integer(v, key, 1, 1000000));
             }},
        };
    }

    std::vector<Field> log_fields(LogConfig& l) const {
        return {
            {"access",
             [&](const toml::value& v, const std::string& key) {
                 const std::string s = non_empty_string(v, key);
                 l.access = (s == "stderr" || s == "stdout" || s == "off") ? s : absolute(s);
             }},
            {"access_format",
             [&](const toml::value& v, const std::string& key) {
                 l.access_format = enumeration(v, key, kAccessLogFormatNames);
             }},
            {"error",
             [&](const toml::value& v, const std::string& key) {
                 const std::string s = non_empty_string(v, key);
                 l.error = s == "stderr" ? s : absolute(s);
             }},
            {"level",
             [&](const toml::value& v, const std::string& key) { l.level = enumeration(v, key, kLogLevelNames); }},
        };
    }

    std::vector<Field> status_fields(StatusConfig& st) const {
        return {
            {"path",
             [&](const toml::value& v, const std::string& key) {
                 st.path = string(v, key);
                 if (st.path.empty()) return;
                 // Compared with the decoded request path: a query, fragment or "." segment could never match.
                 if (st.path.front() != '/') fail(v, key, "must be empty (off) or start with '/'");
                 if (st.path.find_first_of("?#") != std::string::npos) fail(v, key, "must not contain '?' or '#'");
                 for (const char ch : st.path) {
                     if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
                         fail(v, key, "must not contain control characters");
                 }
                 if (st.path.find("/./") != std::string::npos || st.path.find("/../") != std::string::npos ||
                     st.path.find("//") != std::string::npos)
                     fail(v, key, "must be a plain path (no empty, '.' or '..' segments)");
             }},
            {"allow", [&](const toml::value& v, const std::string& key) { st.allow = networks(v, key); }},
        };
    }

    std::string file_;
    std::string base_dir_;
};

std::string read_file(const std::string& path) {
    const auto cannot_read = [&](int error) {
        return ConfigError(path, 0, "", std::string("cannot read: ") + std::strerror(error));
    };
    // O_NONBLOCK: opening a FIFO must not wait for a writer; anything but a regular file is refused.
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd) throw cannot_read(errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) throw cannot_read(errno);
    if (S_ISDIR(st.st_mode)) throw cannot_read(EISDIR);
    if (!S_ISREG(st.st_mode)) throw ConfigError(path, 0, "", "not a regular file");
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw cannot_read(errno);
        if (n == 0) break;
        text.append(buffer, static_cast<size_t>(n));
        if (text.size() > kMaxFileSize) {
            throw ConfigError(path, 0, "", "file is larger than " + format_size(kMaxFileSize));
        }
    }
    return text;
}

}  // namespace

Config load_config_file(const std::string& path) {
    const std::string text = read_file(path);
    std::error_code ec;
    fs::path folder = fs::absolute(fs::path(path), ec).parent_path();
    if (ec) folder = fs::path(path).parent_path();
    return load_config_text(text, path, folder.string());
}

Config load_config_text(std::string_view text, const std::string& file_name, const std::string& base_dir) {
    return Loader(file_name, base_dir).load(text);
}

}  // namespace httpserve
