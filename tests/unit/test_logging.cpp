// The error log's lines (common/logging.cpp): every message escaped, whatever its arguments.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "common/logging.hpp"
#include "support/temp_dir.hpp"

using namespace httpserve;

namespace {
std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}
}  // namespace

TEST_CASE("error log: a message's bytes are escaped, one line per message", "[logging]") {
    test_support::TempDir dir("logging");
    const std::string path = (dir.path / "error.log").string();
    setup_error_log(path, LogLevel::Debug);
    spdlog::warn("cgi: {} [pid {}] stderr: {}", "/cgi-bin/x\n[2026-01-01 00:00:00.000] [critical] FORGED", 7,
                 "\x1b[31mred\r\x7f\xC2\x9b\x9b\xFF caf\xC3\xA9 \\x41");
    set_log_role("worker 1");
    spdlog::error("{}", std::string("nul\0end\t", 8));
    const std::string log = read_all(path);
    setup_error_log("stderr", LogLevel::Warn);  // the rest of the tests log where they did

    const size_t first_end = log.find('\n');
    REQUIRE(first_end != std::string::npos);
    const std::string first = log.substr(0, first_end), second = log.substr(first_end + 1);
    CHECK_THAT(first, Catch::Matches(R"(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] \[warning\] \[\d+\] .*)"));
    CHECK_THAT(first, Catch::EndsWith("] cgi: /cgi-bin/x\\x0a[2026-01-01 00:00:00.000] [critical] FORGED [pid 7] "
                                      "stderr: \\x1b[31mred\\x0d\\x7f\\xc2\\x9b\\x9b\\xff caf\xC3\xA9 \\x41"));
    CHECK_THAT(second, Catch::Matches(R"(\[[^\]]+\] \[error\] \[worker 1 \d+\] nul\\x00end\\x09\n)"));
}
