// The access log's lines in each format (worker/access_log.cpp), written to a pipe and read back.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "common/unique_fd.hpp"
#include "worker/access_log.hpp"

using namespace httpserve;

namespace {

// The text AccessLog writes for `record` in `format`, without the client and time ("... - - [t] ").
std::string logged(AccessLogFormat format, const AccessRecord& record) {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
    const UniqueFd read_end(fds[0]), write_end(fds[1]);
    AccessLog log(write_end.get(), format);
    log.add(record, 0);
    log.flush();
    std::string out(65536, '\0');
    const ssize_t n = ::read(read_end.get(), out.data(), out.size());
    REQUIRE(n > 0);
    out.resize(static_cast<size_t>(n));
    std::string lines;
    for (size_t start = 0; start < out.size();) {
        const size_t end = out.find('\n', start);
        REQUIRE(end != std::string::npos);
        const size_t bracket = out.find("] ", start);
        REQUIRE(bracket < end);
        lines.append(out, bracket + 2, end + 1 - (bracket + 2));
        start = end + 1;
    }
    return lines;
}

AccessRecord record(std::string_view client, std::string_view request_line, int status, uint64_t bytes) {
    AccessRecord r;
    r.client = client;
    r.request_line = request_line;
    r.status = status;
    r.bytes = bytes;
    return r;
}

// ESC, DEL, C1 controls raw and as UTF-8, ill-formed UTF-8, é, a backslash and a quote.
constexpr std::string_view hostile = "a\x1b[2J\x7f\x85\x9b\xC2\x9b\xFF\xC3\xA9\\\"z";

}  // namespace

TEST_CASE("access log: request-line bytes escaped alike in every format", "[access_log]") {
    const std::string line = std::string("GET /") + std::string(hostile) + " HTTP/1.1";
    const AccessRecord r = record("127.0.0.1", line, 200, 5);
    const std::string escaped = "a\\x1b[2J\\x7f\\x85\\x9b\\xc2\\x9b\\xff\xC3\xA9\\\\";
    CHECK(logged(AccessLogFormat::Python, r) == "\"GET /" + escaped + "\"z HTTP/1.1\" 200 -\n");
    CHECK(logged(AccessLogFormat::Common, r) == "\"GET /" + escaped + "\\\"z HTTP/1.1\" 200 5\n");
}

TEST_CASE("access log: Referer and User-Agent escaped in the combined format", "[access_log]") {
    AccessRecord r = record("::1", "GET / HTTP/1.1", 404, 0);
    r.referer = hostile;
    r.user_agent = "\xE2\x82\x1b\x85";  // a truncated sequence, ESC, a stray C1 byte
    CHECK(logged(AccessLogFormat::Combined, r) ==
          "\"GET / HTTP/1.1\" 404 - \"a\\x1b[2J\\x7f\\x85\\x9b\\xc2\\x9b\\xff\xC3\xA9\\\\\\\"z\" "
          "\"\\xe2\\x82\\x1b\\x85\"\n");
}

TEST_CASE("access log: Python's error line escapes its message", "[access_log]") {
    AccessRecord r = record("127.0.0.1", "", 400, 0);
    r.error_message = "Bad request syntax ('GET /\\x1b')\r\n\x9b";
    CHECK(logged(AccessLogFormat::Python, r) ==
          "code 400, message Bad request syntax ('GET /\\\\x1b')\\x0d\\x0a\\x9b\n\"\" 400 -\n");
}
