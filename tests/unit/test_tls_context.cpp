// The pure pieces of TLS set-up: the [tls] table and the per-listener keys as the loader reads them,
// the session-ticket key rotation, the password file.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/load.hpp"
#include "tls/password_file.hpp"
#include "tls/ticket_keys.hpp"

using namespace httpserve;

namespace {

Config load(const std::string& text) { return load_config_text(text, "t.toml", "/etc/httpserve"); }

std::string error_of(const std::string& text) {
    try {
        load(text);
    } catch (const ConfigError& e) { return e.what(); }
    return "";
}

}  // namespace

TEST_CASE("tls table: defaults") {
    const Config c = load("");
    CHECK(c.tls.min_version == TlsVersion::Tls12);
    CHECK(c.tls.ciphers.empty());
    CHECK(c.tls.session_tickets);
    CHECK(c.tls.handshake_timeout == std::chrono::seconds(10));
    CHECK_FALSE(c.listen.front().tls());
}

TEST_CASE("tls table: keys are read") {
    const Config c = load(
        "[tls]\nmin_version = \"TLSv1.3\"\nciphers = \"ECDHE-ECDSA-AES128-GCM-SHA256\"\nsession_tickets = false\n"
        "handshake_timeout = \"3s\"\n");
    CHECK(c.tls.min_version == TlsVersion::Tls13);
    CHECK(c.tls.ciphers == "ECDHE-ECDSA-AES128-GCM-SHA256");
    CHECK_FALSE(c.tls.session_tickets);
    CHECK(c.tls.handshake_timeout == std::chrono::seconds(3));
}

TEST_CASE("tls table: bad values name file, line and key") {
    CHECK(error_of("[tls]\nmin_version = \"TLSv1.1\"\n") ==
          "t.toml:2: tls.min_version: invalid value \"TLSv1.1\": expected one of \"TLSv1.2\", \"TLSv1.3\"");
    CHECK(error_of("[tls]\nhandshake_timeout = 0\n") == "t.toml:2: tls.handshake_timeout: must be more than 0");
    CHECK(error_of("[tls]\nsession_tickets = \"yes\"\n") == "t.toml:2: tls.session_tickets: expected true or false");
    CHECK(error_of("[tls]\nciphers = \"a\\nb\"\n") == "t.toml:2: tls.ciphers: must not contain control characters");
    CHECK(error_of("[tls]\nmin_versoin = \"TLSv1.2\"\n") ==
          "t.toml:2: tls.min_versoin: unknown key 'min_versoin'; did you mean 'min_version'?");
}

TEST_CASE("listen entries: TLS paths are made absolute") {
    const Config c = load(
        "[[listen]]\nport = 8443\ntls_cert = \"cert.pem\"\ntls_key = \"/k/key.pem\"\ntls_password_file = \"pw\"\n"
        "[[listen]]\nport = 8000\n");
    REQUIRE(c.listen.size() == 2);
    CHECK(c.listen[0].tls());
    CHECK(c.listen[0].tls_cert == "/etc/httpserve/cert.pem");
    CHECK(c.listen[0].tls_key == "/k/key.pem");
    CHECK(c.listen[0].tls_password_file == "/etc/httpserve/pw");
    CHECK_FALSE(c.listen[1].tls());
}

TEST_CASE("listen entries: a TLS key or password without a certificate is an error") {
    CHECK(error_of("[[listen]]\nport = 8443\ntls_key = \"key.pem\"\n") ==
          "t.toml:3: listen[0].tls_key: needs tls_cert (the certificate) too");
    CHECK(error_of("[[listen]]\nport = 8443\ntls_password_file = \"pw\"\n") ==
          "t.toml:3: listen[0].tls_password_file: needs tls_cert (the certificate) too");
    CHECK(error_of("[[listen]]\nport = 8443\ntls_cert = 5\n") == "t.toml:3: listen[0].tls_cert: expected a string");
}

TEST_CASE("listen entries: the PROXY protocol is refused on a TLS listener (not built yet)") {
    CHECK(error_of("[[listen]]\nport = 8443\ntls_cert = \"c.pem\"\nproxy_protocol = true\n") ==
          "t.toml:4: listen[0].proxy_protocol: cannot be used on a TLS listener (tls_cert) yet");
}

TEST_CASE("ticket keys: a rotation keeps the previous key for decryption only") {
    const auto first = TicketKeys::fresh();
    REQUIRE(first->size() == 1);
    const auto second = first->rotated();
    const auto third = second->rotated();
    CHECK(second->size() == 2);
    CHECK(second->find(first->current().name.data()) != nullptr);
    CHECK(second->current().name != first->current().name);
    CHECK(third->find(second->current().name.data()) != nullptr);
    CHECK(third->find(first->current().name.data()) == nullptr);  // two rotations ago: gone
}

TEST_CASE("password file: the first line, stripped") {
    char path[] = "/tmp/httpserve-pw-XXXXXX";
    const int fd = ::mkstemp(path);
    REQUIRE(fd >= 0);
    ::close(fd);
    std::ofstream(path) << "  s3cret \r\nsecond line\n";
    CHECK(read_password_file(path) == "s3cret");
    std::ofstream(path) << "no newline";
    CHECK(read_password_file(path) == "no newline");
    std::remove(path);
    CHECK_THROWS_WITH(read_password_file(path), std::string(path) + ": No such file or directory");
}
