// The one immutable value the master builds from the command line and the TOML file, and hands to
// every worker. Defaults here are the documented ones (docs/httpserve.toml.5, packaging/httpserve.toml).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/log_level.hpp"
#include "config/cidr.hpp"

namespace httpserve {

using Duration = std::chrono::milliseconds;

enum class SymlinkPolicy { Follow, InsideRoot, Never };
enum class DotfilePolicy { Serve, Deny };
enum class ListingStyle { Python, Rich };
enum class AccessLogFormat { Python, Common, Combined };
// Content codings a precompressed sidecar may have: foo.br, foo.zst, foo.gz. At equal q-values the
// client gets them in this order of preference, whatever order the config lists them in.
enum class ContentCoding { Brotli, Zstd, Gzip };

// The loopback networks: the PROXY protocol sources trusted by default (a balancer on the same host),
// and who may read the status endpoint by default.
std::vector<Cidr> default_proxy_trusted();

struct ListenAddress {
    ListenAddress() = default;
    // The socket alone; every other setting keeps its default.
    ListenAddress(std::string address_, uint16_t port_) : address(std::move(address_)), port(port_) {}

    std::string address = "::";  // "::" is dual-stack; may also be a host name
    uint16_t port = 8000;
    std::string tls_cert;           // PEM certificate chain (absolute); set = this listener speaks HTTPS
    std::string tls_key;            // PEM private key; "" = the key is in tls_cert
    std::string tls_password_file;  // its first line is the key's password; "" = none
    bool tls() const { return !tls_cert.empty(); }
    // Every connection must begin with a PROXY v1 or v2 header (never guessed), sent from one of
    // `proxy_trusted` within `proxy_timeout`; its source address is then the client's.
    bool proxy_protocol = false;
    std::vector<Cidr> proxy_trusted = default_proxy_trusted();
    Duration proxy_timeout = std::chrono::seconds(5);
    bool operator==(const ListenAddress&) const = default;
};

enum class TlsVersion { Tls12, Tls13 };

// [tls]: what every TLS listener shares.
struct TlsConfig {
    TlsVersion min_version = TlsVersion::Tls12;
    std::string ciphers;  // OpenSSL's TLS 1.2 cipher list; "" = a modern default
    bool session_tickets = true;
    Duration handshake_timeout = std::chrono::seconds(10);
};

struct FilesConfig {
    std::string root = "/var/www/html";  // absolute after loading
    std::vector<std::string> index_pages{"index.html", "index.htm"};
    bool directory_listing = true;
    ListingStyle listing = ListingStyle::Python;  // "rich": sizes, times, sorting, JSON
    SymlinkPolicy symlinks = SymlinkPolicy::Follow;
    DotfilePolicy dotfiles = DotfilePolicy::Serve;
    std::vector<ContentCoding> precompressed;  // sidecars looked for; empty (the default): none
};

struct MimeConfig {
    std::string types_file = "/etc/mime.types";
    std::string default_type = "application/octet-stream";
    std::map<std::string, std::string> types;  // ".ext" -> media type overrides
};

// Extra headers for the static answers (200, 206) to the paths `match` selects: a glob (config/
// path_glob.hpp) on the decoded, normalised request path. The command line's -H pairs are one more
// rule, matching "*", after the file's. On a name two matching rules both set, the later rule wins;
// within one rule every pair is sent (-H X a -H X b sends both, as Python does).
struct HeaderRule {
    std::string match;
    std::vector<std::pair<std::string, std::string>> set;  // name, value; checked by header_field_problem
};

struct CgiConfig {
    bool enabled = false;
    std::vector<std::string> directories{"/cgi-bin", "/htbin"};
    std::string user = "nobody";
    std::string group = "nogroup";
    bool user_explicit = false;  // set in the file: a switch that cannot be made is a 403
    Duration timeout = std::chrono::seconds(60);
    unsigned max_processes = 64;
    uint64_t max_memory = 0;                   // bytes of address space per script process; 0 = no limit
    Duration max_cpu_time = Duration::zero();  // CPU time per script process (whole seconds); 0 = no limit
};

struct HttpConfig {
    std::string protocol = "HTTP/1.1";  // "HTTP/1.0" disables persistent connections
    Duration keepalive_timeout = std::chrono::seconds(75);
    Duration header_timeout = std::chrono::seconds(20);
    Duration body_timeout = std::chrono::seconds(60);
    Duration send_timeout = std::chrono::seconds(60);
    uint64_t max_request_line = 65536;
    unsigned max_header_lines = 99;
    uint64_t max_header_line = 65536;
    uint64_t max_body = 16ull * 1024 * 1024;
    unsigned max_connections = 10000;

    bool persistent_connections() const { return protocol == "HTTP/1.1"; }
};

struct LogConfig {
    std::string access = "stderr";  // path, "stderr", "stdout" or "off"
    AccessLogFormat access_format = AccessLogFormat::Combined;
    std::string error = "stderr";  // path or "stderr"
    LogLevel level = LogLevel::Info;
};

// The operators' status endpoint: answered by the workers themselves on the normal listeners.
struct StatusConfig {
    std::string path;  // "" = off; else an absolute URL path ("/.well-known/httpserve-status")
    std::vector<Cidr> allow = default_proxy_trusted();  // who may read it; others get 404
};

struct Config {
    unsigned workers = 0;  // 0 = "auto": one per CPU
    std::string user = "httpserve";
    std::string group = "httpserve";
    bool user_explicit = false;  // `user` given in the file; else a missing account falls back to nobody
    std::string pid_file;
    Duration shutdown_timeout = std::chrono::seconds(30);
    std::vector<ListenAddress> listen{ListenAddress{}};
    std::vector<HeaderRule> headers;  // [[headers]], then -H

    TlsConfig tls;
    FilesConfig files;
    MimeConfig mime;
    CgiConfig cgi;
    HttpConfig http;
    LogConfig log;
    StatusConfig status;

    std::string source_file;         // the TOML file this came from; "" in command-line mode
    bool command_line_mode = false;  // no -c: behave like `python -m http.server`

    unsigned effective_workers() const;  // resolves "auto"
};

}  // namespace httpserve
