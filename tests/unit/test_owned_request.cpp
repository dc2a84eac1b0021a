// OwnedRequest: a parsed request copied out of its buffer keeps every field, owns every byte its
// views show, and stays valid when moved; format_request_line.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/support/parsed_request.hpp"
#include "worker/http/owned_request.hpp"
#include "worker/http/request_parser.hpp"

using namespace httpserve::http;
using httpserve::test::parsed;

namespace {

bool inside(std::string_view view, const std::string& buffer) {
    return view.data() >= buffer.data() && view.data() < buffer.data() + buffer.size();
}

}  // namespace

TEST_CASE("owned request: a copy outlives the buffer it was parsed from", "[owned_request]") {
    auto buffer = std::make_unique<std::string>(
        "POST  /cgi-bin/x?a=1 HTTP/1.0\r\nHost: h\r\nContent-Length: 3\r\nConnection: keep-alive\r\n"
        "X-Empty:\r\n\r\nabc");
    const Request source = parsed(*buffer);
    const OwnedRequest owned(source, "POST  /cgi-bin/x?a=1 HTTP/1.0");
    for (const Header& h : owned.request().headers) {
        CHECK_FALSE(inside(h.name, *buffer));
        CHECK_FALSE(inside(h.value, *buffer));
    }
    CHECK_FALSE(inside(owned.request().method, *buffer));
    CHECK_FALSE(inside(owned.request().target, *buffer));
    buffer->assign(buffer->size(), '#');  // what the views pointed into is gone
    buffer.reset();

    const Request& r = owned.request();
    CHECK(r.method == "POST");
    CHECK(r.target == "/cgi-bin/x?a=1");
    CHECK(owned.line() == "POST  /cgi-bin/x?a=1 HTTP/1.0");
    CHECK(r.version_major == 1);
    CHECK(r.version_minor == 0);
    CHECK_FALSE(r.http09);
    REQUIRE(r.headers.size() == 4);
    CHECK(r.headers[0].name == "Host");
    CHECK(r.headers[0].value == "h");
    CHECK(r.headers[1].name == "Content-Length");
    CHECK(r.headers[1].value == "3");
    CHECK(r.headers[3].name == "X-Empty");
    CHECK(r.headers[3].value.empty());
    CHECK(r.body == BodyFraming::ContentLength);
    CHECK(r.content_length == 3);
    CHECK(r.connection == ConnectionToken::KeepAlive);
    CHECK(r.head_length == source.head_length);
    REQUIRE(r.find("content-length") != nullptr);
    CHECK(r.find("content-length")->value == "3");
}

TEST_CASE("owned request: moving keeps the views valid", "[owned_request]") {
    const std::string head = "GET /a HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n";  // short: no SSO trap either
    std::optional<OwnedRequest> first;
    {
        const std::string copy = head;
        first.emplace(parsed(copy), "GET /a HTTP/1.1");
    }
    std::vector<OwnedRequest> moved;
    moved.push_back(std::move(*first));
    first.reset();
    moved.emplace_back(parsed("GET /b HTTP/1.1\r\nHost: h\r\n\r\n"), "GET /b HTTP/1.1");  // may reallocate
    const Request& r = moved[0].request();
    CHECK(r.target == "/a");
    CHECK(moved[0].line() == "GET /a HTTP/1.1");
    REQUIRE(r.headers.size() == 3);
    CHECK(r.headers[2].name == "B");
    CHECK(r.headers[2].value == "2");
    CHECK(moved[1].request().target == "/b");

    OwnedRequest assigned;
    assigned = std::move(moved[0]);
    CHECK(assigned.request().headers[1].value == "1");
    CHECK(assigned.request().method == "GET");
}

TEST_CASE("owned request: an HTTP/0.9 request and an empty one", "[owned_request]") {
    const OwnedRequest old(parsed("GET /x\r\n"), "GET /x");
    CHECK(old.request().http09);
    CHECK(old.request().headers.empty());
    CHECK(old.request().target == "/x");

    const OwnedRequest empty(Request{}, "");
    CHECK(empty.request().method.empty());
    CHECK(empty.line().empty());
}

TEST_CASE("format_request_line: method, target and the request's version", "[owned_request]") {
    CHECK(format_request_line("GET", "/a?b", parsed("GET /x HTTP/1.1\r\nHost: h\r\n\r\n")) == "GET /a?b HTTP/1.1");
    CHECK(format_request_line("POST", "/c", parsed("GET /x HTTP/1.0\r\n\r\n")) == "POST /c HTTP/1.0");
    CHECK(format_request_line("GET", "/c", parsed("GET /x HTTP/01.01\r\nHost: h\r\n\r\n")) == "GET /c HTTP/1.1");
    CHECK(format_request_line("GET", "/c", parsed("GET /x HTTP/0.9\r\n\r\n")) == "GET /c HTTP/0.9");
    CHECK(format_request_line("GET", "/c", parsed("GET /x\r\n")) == "GET /c");
}
