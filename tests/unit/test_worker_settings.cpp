// settings_from: what a worker derives once from the Config (timeouts, limits, persistence).
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "worker/worker_settings.hpp"

using namespace httpserve;
using namespace std::chrono_literals;

namespace {

Config with_lines(uint64_t request_line, uint64_t header_line) {
    Config c;
    c.http.max_request_line = request_line;
    c.http.max_header_line = header_line;
    return c;
}

}  // namespace

TEST_CASE("worker settings: timeouts and limits are the configured ones", "[worker][settings]") {
    Config c;
    c.http.header_timeout = 3s;
    c.http.body_timeout = 4s;
    c.http.send_timeout = 5s;
    c.http.keepalive_timeout = 6s;
    c.http.max_body = 12345;
    c.http.max_request_line = 1000;
    c.http.max_header_lines = 7;
    c.http.max_header_line = 2000;
    c.http.max_connections = 42;
    const WorkerSettings s = settings_from(c);
    CHECK(s.header_timeout == 3s);
    CHECK(s.body_timeout == 4s);
    CHECK(s.send_timeout == 5s);
    CHECK(s.keepalive_timeout == 6s);
    CHECK(s.max_body == 12345u);
    CHECK(s.limits.max_request_line == 1000u);
    CHECK(s.limits.max_header_lines == 7u);
    CHECK(s.limits.max_header_line == 2000u);
    CHECK(s.max_connections == 42u);
}

TEST_CASE("worker settings: the defaults", "[worker][settings]") {
    const WorkerSettings s = settings_from(Config{});
    CHECK(s.header_timeout == 20s);
    CHECK(s.body_timeout == 60s);
    CHECK(s.send_timeout == 60s);
    CHECK(s.keepalive_timeout == 75s);
    CHECK(s.max_body == 16u << 20);
    CHECK(s.limits.max_request_line == 65536u);
    CHECK(s.limits.max_header_lines == 99u);
    CHECK(s.limits.max_header_line == 65536u);
    CHECK(s.max_head_bytes == 1u << 20);
    CHECK(s.shortest_line_limit == 65536u);
    CHECK(s.max_connections == 10000u);
    CHECK(s.protocol == "HTTP/1.1");
    CHECK(s.persistent);
}

TEST_CASE("worker settings: max_head_bytes is 1 MiB, or more when one line may be longer", "[worker][settings]") {
    CHECK(settings_from(with_lines(100, 100)).max_head_bytes == 1u << 20);
    CHECK(settings_from(with_lines(512 * 1024, 512 * 1024)).max_head_bytes == 1u << 20);  // exactly 1 MiB
    CHECK(settings_from(with_lines(512 * 1024, 512 * 1024 + 1)).max_head_bytes == (1u << 20) + 1);
    CHECK(settings_from(with_lines(2u << 20, 100)).max_head_bytes == (2u << 20) + 100);
    CHECK(settings_from(with_lines(100, 3u << 20)).max_head_bytes == (3u << 20) + 100);
}

TEST_CASE("worker settings: shortest_line_limit is the smaller line limit", "[worker][settings]") {
    CHECK(settings_from(with_lines(1000, 2000)).shortest_line_limit == 1000u);
    CHECK(settings_from(with_lines(3000, 2000)).shortest_line_limit == 2000u);
    CHECK(settings_from(with_lines(500, 500)).shortest_line_limit == 500u);
}

TEST_CASE("worker settings: persistence follows the protocol", "[worker][settings]") {
    Config c;
    c.http.protocol = "HTTP/1.1";
    WorkerSettings s = settings_from(c);
    CHECK(s.persistent);
    CHECK(s.protocol == "HTTP/1.1");

    c.http.protocol = "HTTP/1.0";
    s = settings_from(c);
    CHECK_FALSE(s.persistent);
    CHECK(s.protocol == "HTTP/1.0");
}

TEST_CASE("worker settings: a value, not a view of the Config", "[worker][settings]") {
    Config c;
    const WorkerSettings s = settings_from(c);
    c.http.protocol = "HTTP/1.0";
    c.http.header_timeout = 1s;
    c.http.max_request_line = 10;
    CHECK(s.protocol == "HTTP/1.1");
    CHECK(s.persistent);
    CHECK(s.header_timeout == 20s);
    CHECK(s.limits.max_request_line == 65536u);
}
