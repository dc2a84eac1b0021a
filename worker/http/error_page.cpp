// Python's send_error body (DEFAULT_ERROR_MESSAGE of 3.14: light and dark colour schemes) and the two
// string helpers it needs.
#include "worker/http/error_page.hpp"

#include "common/escape.hpp"
#include "common/utf8.hpp"
#include "worker/http/status.hpp"

namespace httpserve::http {

std::string html_escape(std::string_view s, bool quote) {
    std::string out;
    out.reserve(s.size() + 16);
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"':
                if (quote) out += "&quot;";
                else out.push_back(c);
                break;
            case '\'':
                if (quote) out += "&#x27;";
                else out.push_back(c);
                break;
            default: out.push_back(c);
        }
    }
    return out;
}

std::string python_repr(std::string_view latin1) {
    const char quote = python_repr_quote(latin1);
    std::string out;
    out.reserve(latin1.size() + 2);
    out.push_back(quote);
    for (char c : latin1) append_python_repr_latin1(out, static_cast<unsigned char>(c), quote);
    out.push_back(quote);
    return out;
}

std::string render_error_page(int code, std::string_view message, std::string_view explain) {
    // Python's send_error defaults: the HTTPStatus phrase and description, '???' for unknown codes.
    if (message.empty()) {
        message = reason_phrase(code);
        if (message.empty()) message = "???";
    }
    if (explain.empty()) explain = status_explain(code);

    const std::string code_text = std::to_string(code);
    std::string page;
    page.reserve(440 + message.size() + explain.size());
    page +=
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
        "        <p>Error code: ";
    page += code_text;
    page += "</p>\n        <p>Message: ";
    // The texts are Latin-1 (as in the status line: a repr'd request line keeps bytes like \xe9
    // literal); Python encodes the page as UTF-8, so each byte >= 0x80 becomes two bytes.
    append_latin1_as_utf8(page, html_escape(message));
    page += ".</p>\n        <p>Error code explanation: ";
    page += code_text;
    page += " - ";
    append_latin1_as_utf8(page, html_escape(explain));
    page +=
        ".</p>\n"
        "    </body>\n"
        "</html>\n";
    return page;
}

}  // namespace httpserve::http
