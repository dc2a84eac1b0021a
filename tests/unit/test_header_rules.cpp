// [[headers]] and -H: which rules a path matches and the lines they add.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "worker/static/header_rules.hpp"

using namespace httpserve;

namespace {

std::string lines(const std::vector<HeaderRule>& rules, const std::string& target) {
    std::string out;
    HeaderRules(rules).append_for_target(target, out);
    return out;
}

}  // namespace

TEST_CASE("header rules: matching paths, later rules win on a name", "[header_rules]") {
    const std::vector<HeaderRule> rules{
        {"/api/*", {{"Access-Control-Allow-Origin", "*"}, {"Cache-Control", "no-store"}}},
        {"*.json", {{"cache-control", "max-age=60"}, {"X-Json", "1"}}},
    };
    CHECK(lines(rules, "/api/x") == "Access-Control-Allow-Origin: *\r\nCache-Control: no-store\r\n");
    CHECK(lines(rules, "/api/x.json") ==
          "Access-Control-Allow-Origin: *\r\ncache-control: max-age=60\r\nX-Json: 1\r\n");
    CHECK(lines(rules, "/other.json") == "cache-control: max-age=60\r\nX-Json: 1\r\n");
    CHECK(lines(rules, "/index.html").empty());
    CHECK(HeaderRules({}).empty());
}

TEST_CASE("header rules: the decoded, normalised path", "[header_rules]") {
    const std::vector<HeaderRule> rules{{"/api/*", {{"X-A", "1"}}}, {"/sp ace/", {{"X-S", "1"}}}};
    CHECK(lines(rules, "/api/x?q=1#f") == "X-A: 1\r\n");
    CHECK(lines(rules, "/%61pi/x") == "X-A: 1\r\n");          // decoded
    CHECK(lines(rules, "/public/../api/x") == "X-A: 1\r\n");  // normalised: the file served
    CHECK(lines(rules, "//api/x") == "X-A: 1\r\n");           // Python's "//" fix
    CHECK(lines(rules, "/api/../secret") == "");
    CHECK(lines(rules, "/sp%20ace/") == "X-S: 1\r\n");  // a directory keeps its slash
    CHECK(lines(rules, "/sp%20ace/%2e/") == "X-S: 1\r\n");
    CHECK(lines(rules, "/api/%00") == "");  // maps to no file
    CHECK(header_rule_path("/", nullptr) == "/");
    CHECK(header_rule_path("/a/b/", nullptr) == "/a/b/");
}

TEST_CASE("header rules: -H pairs (match \"*\") keep repeated names", "[header_rules]") {
    const std::vector<HeaderRule> rules{{"/x/*", {{"X-A", "file"}, {"X-B", "file"}}},
                                        {"*", {{"X-A", "1"}, {"X-A", "2"}}}};
    CHECK(lines(rules, "/x/y") == "X-B: file\r\nX-A: 1\r\nX-A: 2\r\n");
    CHECK(lines({{"*", {{"Link", "<a>"}, {"Link", "<b>"}}}}, "/%00") == "Link: <a>\r\nLink: <b>\r\n");
}
