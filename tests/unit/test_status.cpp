// Reason phrases, explanations, the error page and python_repr, checked against Python 3.11-3.13.
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "worker/http/error_page.hpp"
#include "worker/http/status.hpp"

using namespace httpserve::http;

TEST_CASE("reason_phrase follows Python 3.13's HTTPStatus", "[status]") {
    CHECK(reason_phrase(100) == "Continue");
    CHECK(reason_phrase(200) == "OK");
    CHECK(reason_phrase(206) == "Partial Content");
    CHECK(reason_phrase(301) == "Moved Permanently");
    CHECK(reason_phrase(304) == "Not Modified");
    CHECK(reason_phrase(400) == "Bad Request");
    CHECK(reason_phrase(404) == "Not Found");
    CHECK(reason_phrase(408) == "Request Timeout");
    CHECK(reason_phrase(412) == "Precondition Failed");
    CHECK(reason_phrase(418) == "I'm a Teapot");
    CHECK(reason_phrase(431) == "Request Header Fields Too Large");
    CHECK(reason_phrase(500) == "Internal Server Error");
    CHECK(reason_phrase(501) == "Not Implemented");
    CHECK(reason_phrase(505) == "HTTP Version Not Supported");
    CHECK(reason_phrase(511) == "Network Authentication Required");
}

TEST_CASE("reason_phrase has the 3.13 renames", "[status]") {
    CHECK(reason_phrase(413) == "Content Too Large");
    CHECK(reason_phrase(414) == "URI Too Long");
    CHECK(reason_phrase(416) == "Range Not Satisfiable");
    CHECK(reason_phrase(422) == "Unprocessable Content");
}

TEST_CASE("reason_phrase is empty for unknown codes", "[status]") {
    CHECK(reason_phrase(0).empty());
    CHECK(reason_phrase(-1).empty());
    CHECK(reason_phrase(199).empty());
    CHECK(reason_phrase(306).empty());
    CHECK(reason_phrase(419).empty());
    CHECK(reason_phrase(509).empty());
    CHECK(reason_phrase(999).empty());
}

TEST_CASE("status_explain follows HTTPStatus.description", "[status]") {
    CHECK(status_explain(200) == "Request fulfilled, document follows");
    CHECK(status_explain(304) == "Document has not changed since given time");
    CHECK(status_explain(400) == "Bad request syntax or unsupported method");
    CHECK(status_explain(403) == "Request forbidden -- authorization will not help");
    CHECK(status_explain(404) == "Nothing matches the given URI");
    CHECK(status_explain(408) == "Request timed out; try again later");
    CHECK(status_explain(413) == "Content is too large");
    CHECK(status_explain(414) == "URI is too long");
    CHECK(status_explain(416) == "Cannot satisfy request range");
    CHECK(status_explain(418) == "Server refuses to brew coffee because it is a teapot.");
    CHECK(status_explain(429) == "The user has sent too many requests in a given amount of time (\"rate limiting\")");
    CHECK(status_explain(431) ==
          "The server is unwilling to process the request because its header fields are too large");
    CHECK(status_explain(501) == "Server does not support this operation");
    CHECK(status_explain(505) == "Cannot fulfill request");
    // Codes without a description in 3.13 have an empty one.
    CHECK(status_explain(102).empty());
    CHECK(status_explain(422).empty());
    CHECK(status_explain(507).empty());
}

TEST_CASE("status_explain is ??? for unknown codes", "[status]") {
    CHECK(status_explain(999) == "???");
    CHECK(status_explain(306) == "???");
    CHECK(status_explain(0) == "???");
}

// ---- error page ----

static const char kPage404[] =
    "<!DOCTYPE HTML>\n"
    "<html lang=\"en\">\n"
    "    <head>\n"
    "        <meta charset=\"utf-8\">\n"
    "        <style type=\"text/css\">\n"
    "            :root {\n"
    "                color-scheme: light dark;\n"
    "            }\n"
    "        </style>\n"
    "        <title>Error response</title>\n"
    "    </head>\n"
    "    <body>\n"
    "        <h1>Error response</h1>\n"
    "        <p>Error code: 404</p>\n"
    "        <p>Message: File not found.</p>\n"
    "        <p>Error code explanation: 404 - Nothing matches the given URI.</p>\n"
    "    </body>\n"
    "</html>\n";

TEST_CASE("render_error_page matches Python byte for byte", "[error_page]") {
    const std::string page = render_error_page(404, "File not found", "Nothing matches the given URI");
    CHECK(page == kPage404);
    CHECK(page.size() == 460);  // Content-Length Python 3.14 sends for HEAD /nonexist (3.11-3.13: 335)
}

TEST_CASE("render_error_page defaults message and explain like send_error", "[error_page]") {
    CHECK(render_error_page(404, "File not found", "") == kPage404);
    const std::string p = render_error_page(404, "", "");
    CHECK(p.find("<p>Message: Not Found.</p>") != std::string::npos);
    CHECK(p.find("<p>Error code explanation: 404 - Nothing matches the given URI.</p>") != std::string::npos);

    // send_error(999): message and explain both '???'.
    const std::string u = render_error_page(999, "", "");
    CHECK(u.find("<p>Error code: 999</p>") != std::string::npos);
    CHECK(u.find("<p>Message: ???.</p>") != std::string::npos);
    CHECK(u.find("<p>Error code explanation: 999 - ???.</p>") != std::string::npos);

    // 422 has an empty description in 3.13.
    CHECK(render_error_page(422, "", "").find("422 - .</p>") != std::string::npos);
}

TEST_CASE("render_error_page 431 with the http.client explanation", "[error_page]") {
    const std::string p = render_error_page(431, "Too many headers", "got more than 100 headers");
    CHECK(p.find("<p>Message: Too many headers.</p>") != std::string::npos);
    CHECK(p.find("<p>Error code explanation: 431 - got more than 100 headers.</p>") != std::string::npos);
}

TEST_CASE("render_error_page escapes & < > only, and writes Latin-1 text as UTF-8", "[error_page]") {
    // Python: html.escape(message, quote=False), then the page is encoded as UTF-8.
    const std::string page = render_error_page(400, "Bad request syntax ('GET /\xe9<x>&\"')", "");
    CHECK(page ==
          "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        <meta charset=\"utf-8\">\n"
          "        <style type=\"text/css\">\n            :root {\n                color-scheme: light dark;\n"
          "            }\n        </style>\n"
          "        <title>Error response</title>\n    </head>\n    <body>\n        <h1>Error response</h1>\n"
          "        <p>Error code: 400</p>\n"
          "        <p>Message: Bad request syntax ('GET /\xc3\xa9&lt;x&gt;&amp;\"').</p>\n"
          "        <p>Error code explanation: 400 - Bad request syntax or unsupported method.</p>\n"
          "    </body>\n</html>\n");
    CHECK(render_error_page(400, "x", "<b>\xff</b>").find("400 - &lt;b&gt;\xc3\xbf&lt;/b&gt;.</p>") !=
          std::string::npos);
}

TEST_CASE("html_escape", "[error_page]") {
    CHECK(html_escape("") == "");
    CHECK(html_escape("plain text") == "plain text");
    CHECK(html_escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d\"e'f");
    CHECK(html_escape("a&b<c>d\"e'f", true) == "a&amp;b&lt;c&gt;d&quot;e&#x27;f");
    CHECK(html_escape("&amp;") == "&amp;amp;");
    CHECK(html_escape(std::string("\0<", 2)) == std::string("\0&lt;", 5));
}

// ---- python_repr ----

TEST_CASE("python_repr quoting", "[python_repr]") {
    CHECK(python_repr("") == "''");
    CHECK(python_repr("GET / HTTP/1.0") == "'GET / HTTP/1.0'");
    CHECK(python_repr("FOO/1.0") == "'FOO/1.0'");
    CHECK(python_repr("it's") == "\"it's\"");
    CHECK(python_repr("say \"hi\"") == "'say \"hi\"'");
    CHECK(python_repr("a'b\"c") == "'a\\'b\"c'");
    CHECK(python_repr("a'b\"c\\") == "'a\\'b\"c\\\\'");
    CHECK(python_repr("\\") == "'\\\\'");
    CHECK(python_repr("'") == "\"'\"");
}

TEST_CASE("python_repr escapes", "[python_repr]") {
    CHECK(python_repr("\t\n\r") == "'\\t\\n\\r'");
    CHECK(python_repr(std::string("\0", 1)) == "'\\x00'");
    CHECK(python_repr("\x01\x0b\x0c\x1b\x1f") == "'\\x01\\x0b\\x0c\\x1b\\x1f'");
    CHECK(python_repr("\x7f\x80\x85\x9f\xa0") == "'\\x7f\\x80\\x85\\x9f\\xa0'");
    CHECK(python_repr("\xad") == "'\\xad'");
    CHECK(python_repr("GET /\r HTTP/1.1") == "'GET /\\r HTTP/1.1'");
    CHECK(python_repr("GET /a\xa0.txt HTTP/1.0") == "'GET /a\\xa0.txt HTTP/1.0'");
}

TEST_CASE("python_repr keeps printable Latin-1 literal", "[python_repr]") {
    CHECK(python_repr("\xa1\xe9\xff") == "'\xa1\xe9\xff'");
    CHECK(python_repr("\xad\xe9\xff\x7f\x80") == "'\\xad\xe9\xff\\x7f\\x80'");
    CHECK(python_repr(" ~") == "' ~'");
}

TEST_CASE("python_repr over every byte", "[python_repr]") {
    // Python: repr(bytes(range(256)).decode('latin-1'))
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    std::string expected = "'";
    for (int c = 0; c < 256; ++c) {
        char buf[8];
        if (c == '\t') expected += "\\t";
        else if (c == '\n') expected += "\\n";
        else if (c == '\r') expected += "\\r";
        else if (c == '\'' || c == '\\') {
            expected += '\\';
            expected += static_cast<char>(c);
        } else if (c < 0x20 || (c >= 0x7f && c <= 0xa0) || c == 0xad) {
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            expected += buf;
        } else expected += static_cast<char>(c);
    }
    expected += "'";
    CHECK(python_repr(all) == expected);
}
