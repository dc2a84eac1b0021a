#include "config/cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "config/header_field.hpp"
#include "config/load.hpp"

namespace httpserve {

namespace {

namespace fs = std::filesystem;

constexpr const char* kProtocols[] = {"HTTP/1.0", "HTTP/1.1"};
constexpr const char* kSignalNames[] = {"reload", "stop", "quit", "reopen"};

// One option as argparse knows it: its spellings, and what it sets in the CommandLine: a flag, a
// value (that must be one of `choices` when there are any), or a pair appended each time it is given
// (nargs=2, action='append').
struct Option {
    char short_name;        // '\0' when there is only a long form
    const char* long_name;  // nullptr when there is only a short form
    bool CommandLine::*flag = nullptr;
    std::optional<std::string> CommandLine::*value = nullptr;
    std::span<const char* const> choices = {};
    std::vector<std::pair<std::string, std::string>> CommandLine::*pairs = nullptr;

    bool takes_value() const { return value != nullptr; }
    bool takes_pair() const { return pairs != nullptr; }
    // argparse names an option in errors by all its spellings: "-b/--bind".
    std::string display() const {
        std::string s = short_name ? std::string("-") + short_name : "";
        if (long_name) s += (s.empty() ? "--" : "/--") + std::string(long_name);
        return s;
    }
};

constexpr Option kOptions[] = {
    {'h', "help", &CommandLine::show_help},
    {'\0', "cgi", &CommandLine::cgi},
    {'b', "bind", nullptr, &CommandLine::bind},
    {'d', "directory", nullptr, &CommandLine::directory},
    {'p', "protocol", nullptr, &CommandLine::protocol, kProtocols},
    {'H', "header", nullptr, nullptr, {}, &CommandLine::headers},
    {'\0', "content-type", nullptr, &CommandLine::content_type},
    {'\0', "tls-cert", nullptr, &CommandLine::tls_cert},
    {'\0', "tls-key", nullptr, &CommandLine::tls_key},
    {'\0', "tls-password-file", nullptr, &CommandLine::tls_password_file},
    {'c', "config", nullptr, &CommandLine::config_file},
    {'t', "test", &CommandLine::check_only},
    {'\0', "version", &CommandLine::show_version},
    {'s', nullptr, nullptr, &CommandLine::signal_name, kSignalNames},  // like nginx: short form only
};

const Option* find_short(char c) {
    for (const Option& o : kOptions) {
        if (o.short_name == c) return &o;
    }
    return nullptr;
}

// argparse accepts any unambiguous prefix of a long option ("--dir" for "--directory").
const Option* find_long(const std::string& name, const std::string& spelled) {
    std::vector<const Option*> matches;
    for (const Option& o : kOptions) {
        if (!o.long_name) continue;
        if (name == o.long_name) return &o;
        if (std::string_view(o.long_name).substr(0, name.size()) == name) matches.push_back(&o);
    }
    if (matches.size() > 1) {
        std::string list;
        for (const Option* o : matches) list += (list.empty() ? "--" : ", --") + std::string(o->long_name);
        throw UsageError("ambiguous option: " + spelled + " could match " + list);
    }
    return matches.empty() ? nullptr : matches.front();
}

// argparse reads "-5" as a (negative) value, not as an option.
bool looks_like_negative_number(const std::string& arg) {
    return arg.size() > 1 && arg[0] == '-' &&
           std::all_of(arg.begin() + 1, arg.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; }) &&
           arg.find_first_of("0123456789") != std::string::npos;
}

bool looks_like_option(const std::string& arg) {
    return arg.size() > 1 && arg[0] == '-' && !looks_like_negative_number(arg);
}

// Python's int(): an optional sign, then decimal digits. Python then wraps 70000 to 4464 silently;
// we refuse anything a socket cannot have.
uint16_t parse_port(const std::string& text) {
    const size_t start = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
    const std::string_view digits = std::string_view(text).substr(start);
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw UsageError("argument port: invalid int value: '" + text + "'");
    }
    uint32_t value = 0;
    for (char c : digits) {
        value = value * 10 + static_cast<uint32_t>(c - '0');
        if (value > 65535) break;  // stop before a long digit string can overflow
    }
    if (value > 65535 || (text[0] == '-' && value != 0))
        throw UsageError("argument port: " + text + " is not in 0..65535");
    return static_cast<uint16_t>(value);
}

void apply(CommandLine& cli, const Option& option, const std::string& value) {
    if (option.flag) {
        cli.*option.flag = true;
        return;
    }
    if (option.value == &CommandLine::content_type) {
        if (const std::string problem = media_type_problem(value); !problem.empty())
            throw UsageError("argument " + option.display() + ": " + problem);
    }
    const auto& choices = option.choices;
    if (!choices.empty() && std::find(choices.begin(), choices.end(), value) == choices.end()) {
        std::string list;
        for (const char* c : choices) list += (list.empty() ? "'" : ", '") + std::string(c) + "'";
        throw UsageError("argument " + option.display() + ": invalid choice: '" + value + "' (choose from " + list +
                         ")");
    }
    cli.*option.value = value;
}

std::string existing_directory(const std::string& directory) {
    std::error_code ec;
    fs::path path = fs::absolute(fs::path(directory), ec);
    if (ec || !fs::is_directory(path, ec)) {
        throw UsageError("argument -d/--directory: '" + directory + "' is not a directory");
    }
    std::string normal = path.lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
    return normal;
}

// Python reads the password file while parsing the arguments: a file it cannot read is a usage
// error. Its words: "Failed to read TLS password file: [Errno 2] No such file or directory: 'pw'".
void check_password_file(const std::string& path) {
    std::ifstream in(path);
    if (in) return;
    const int error = errno;
    throw UsageError("Failed to read TLS password file: [Errno " + std::to_string(error) + "] " + std::strerror(error) +
                     ": '" + path + "'");
}

std::string absolute_path(const std::string& path) {
    std::error_code ec;
    const fs::path p = fs::absolute(fs::path(path), ec);
    return ec ? path : p.lexically_normal().string();
}

void apply_tls_options(const CommandLine& cli, ListenAddress& listener) {
    if (!cli.tls_cert) return;
    listener.tls_cert = absolute_path(*cli.tls_cert);
    listener.tls_key = cli.tls_key ? absolute_path(*cli.tls_key) : "";
    listener.tls_password_file = "";
    if (cli.tls_password_file) {
        check_password_file(*cli.tls_password_file);
        listener.tls_password_file = absolute_path(*cli.tls_password_file);
    }
}

std::string current_directory() {
    std::error_code ec;
    const fs::path cwd = fs::current_path(ec);
    if (ec) throw UsageError("cannot get the current directory: " + ec.message());
    return cwd.string();
}

// -H and --content-type, in both modes: -H is one more header rule for every path, after the file's
// (so it wins on a name both set); --content-type replaces [mime] default_type.
void apply_response_options(const CommandLine& cli, Config& config) {
    if (!cli.headers.empty()) config.headers.push_back(HeaderRule{"*", cli.headers});
    if (cli.content_type) config.mime.default_type = *cli.content_type;
}

}  // namespace

CommandLine parse_command_line(int argc, const char* const* argv) {
    CommandLine cli;
    std::vector<std::string> args(argv + (argc > 0 ? 1 : 0), argv + std::max(argc, 0));
    std::vector<std::string> unrecognized;
    bool options_ended = false;
    bool port_seen = false;

    // The value of an option: attached ("-bX", "--bind=X") or the next argument, which must not
    // itself look like an option (argparse's rule).
    const auto take_value = [&](const Option& option, size_t& i, const std::optional<std::string>& attached) {
        if (attached) return *attached;
        if (i + 1 >= args.size() || looks_like_option(args[i + 1])) {
            throw UsageError("argument " + option.display() + ": expected one argument");
        }
        return args[++i];
    };
    // The two values of a pair option: never attached ("-HX", "--header=X"), the next two arguments,
    // neither looking like an option.
    const auto take_pair = [&](const Option& option, size_t& i, bool attached) {
        if (attached || i + 2 >= args.size() || looks_like_option(args[i + 1]) || looks_like_option(args[i + 2])) {
            throw UsageError("argument " + option.display() + ": expected 2 arguments");
        }
        std::pair<std::string, std::string> pair{args[i + 1], args[i + 2]};
        i += 2;
        if (const std::string problem = header_field_problem(pair.first, pair.second); !problem.empty())
            throw UsageError("argument " + option.display() + ": " + problem);
        (cli.*option.pairs).push_back(std::move(pair));
    };
    // -h and --version act at once, like argparse, which prints and exits before looking further.
    const auto stops = [&] { return cli.show_help || cli.show_version; };

    for (size_t i = 0; i < args.size() && !stops(); ++i) {
        const std::string& arg = args[i];
        if (options_ended || !looks_like_option(arg)) {
            if (port_seen) {
                unrecognized.push_back(arg);
            } else {
                cli.port = parse_port(arg);
                port_seen = true;
            }
        } else if (arg == "--") {
            options_ended = true;
        } else if (arg.rfind("--", 0) == 0) {
            const size_t equals = arg.find('=');
            const std::string name = arg.substr(2, equals == std::string::npos ? std::string::npos : equals - 2);
            const Option* option = find_long(name, arg.substr(0, equals));
            if (!option) {
                unrecognized.push_back(arg);
                continue;
            }
            std::optional<std::string> attached;
            if (equals != std::string::npos) attached = arg.substr(equals + 1);
            if (option->takes_pair()) {
                take_pair(*option, i, attached.has_value());
                continue;
            }
            if (!option->takes_value() && attached) {
                throw UsageError("argument " + option->display() + ": ignored explicit argument '" + *attached + "'");
            }
            apply(cli, *option, option->takes_value() ? take_value(*option, i, attached) : "");
        } else {
            // A cluster of short options: "-t", "-bADDR", "-b=ADDR", "-tc FILE".
            const Option* previous = nullptr;
            for (size_t k = 1; k < arg.size() && !stops(); ++k) {
                const Option* option = find_short(arg[k]);
                if (!option && previous) {
                    // "-tx" / "-t=x": argparse treats the rest as a value the flag does not take.
                    const std::string rest = arg.substr(arg[k] == '=' && k == 2 ? k + 1 : k);
                    throw UsageError("argument " + previous->display() + ": ignored explicit argument '" + rest + "'");
                }
                if (!option) {
                    unrecognized.push_back(arg);
                    break;
                }
                if (option->takes_pair()) {
                    take_pair(*option, i, k + 1 < arg.size());
                    break;
                }
                if (!option->takes_value()) {
                    apply(cli, *option, "");
                    previous = option;
                    continue;
                }
                std::optional<std::string> attached;
                if (k + 1 < arg.size()) attached = arg.substr(arg[k + 1] == '=' ? k + 2 : k + 1);
                apply(cli, *option, take_value(*option, i, attached));
                break;
            }
        }
    }
    if (!stops() && !unrecognized.empty()) {
        std::string list;
        for (const std::string& u : unrecognized) list += (list.empty() ? "" : " ") + u;
        throw UsageError("unrecognized arguments: " + list);
    }
    // Python 3.14's checks, in its order, after parsing.
    if (!stops() && !cli.tls_cert) {
        if (cli.tls_key) throw UsageError("--tls-key requires --tls-cert to be set");
        if (cli.tls_password_file) throw UsageError("--tls-password-file requires --tls-cert to be set");
    }
    return cli;
}

std::string usage_text() {
    return "usage: httpserve [-h] [--cgi] [-b ADDRESS] [-d DIRECTORY] [-p VERSION] [--tls-cert PATH]\n"
           "                 [--tls-key PATH] [--tls-password-file PATH] [-H HEADER VALUE]\n"
           "                 [--content-type CONTENT_TYPE] [-c FILE] [-t] [-s SIGNAL] [--version] [port]\n";
}

std::string help_text() {
    return usage_text() +
           "\n"
           "positional arguments:\n"
           "  port                  bind to this port (default: 8000)\n"
           "\n"
           "options:\n"
           "  -h, --help            show this help message and exit\n"
           "  --cgi                 run as CGI server\n"
           "  -b ADDRESS, --bind ADDRESS\n"
           "                        bind to this address (default: all interfaces)\n"
           "  -d DIRECTORY, --directory DIRECTORY\n"
           "                        serve this directory (default: current directory)\n"
           "  -p VERSION, --protocol VERSION\n"
           "                        conform to this HTTP version (default: HTTP/1.1)\n"
           "  --tls-cert PATH       path to the TLS certificate chain file\n"
           "  --tls-key PATH        path to the TLS key file\n"
           "  --tls-password-file PATH\n"
           "                        path to the password file for the TLS key\n"
           "  -H HEADER VALUE, --header HEADER VALUE\n"
           "                        add a custom response header to successful answers (can be\n"
           "                        given several times)\n"
           "  --content-type CONTENT_TYPE\n"
           "                        Content-Type for files whose type cannot be guessed (default:\n"
           "                        application/octet-stream)\n"
           "  -c FILE, --config FILE\n"
           "                        read this configuration file (daemon mode)\n"
           "  -t, --test            check the configuration and exit\n"
           "  -s SIGNAL             send a signal to the running master (named in pid_file): reload, stop,\n"
           "                        quit or reopen\n"
           "  --version             print the version and exit\n";
}

Config build_config(const CommandLine& cli) {
    Config config;
    if (!cli.config_file) {
        // `python -m http.server`: its defaults, its log format, our HTTP/1.1.
        config.command_line_mode = true;
        config.files.root = cli.directory ? existing_directory(*cli.directory) : current_directory();
        config.listen = {ListenAddress{cli.bind.value_or("::"), cli.port.value_or(8000)}};
        apply_tls_options(cli, config.listen.front());
        config.log.access = "stderr";
        config.log.access_format = AccessLogFormat::Python;
        config.cgi.enabled = cli.cgi;
        config.http.protocol = cli.protocol.value_or("HTTP/1.1");
        apply_response_options(cli, config);
        // Started as root, Python's mode serves as `nobody` (no `httpserve` account is looked up).
        config.user = "nobody";
        config.group = "nogroup";
        return config;
    }

    // Daemon mode: the file, with whatever the command line says on top.
    config = load_config_file(*cli.config_file);
    if (cli.port || cli.bind || cli.tls_cert) {
        // One listener: the first entry (its TLS settings included) with the command line on top.
        ListenAddress first = config.listen.front();
        first.address = cli.bind.value_or(first.address);
        first.port = cli.port.value_or(first.port);
        apply_tls_options(cli, first);
        config.listen = {first};
    }
    if (cli.directory) config.files.root = existing_directory(*cli.directory);
    if (cli.cgi) config.cgi.enabled = true;
    if (cli.protocol) config.http.protocol = *cli.protocol;
    apply_response_options(cli, config);
    return config;
}

}  // namespace httpserve
