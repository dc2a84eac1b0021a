// libFuzzer target: arbitrary request targets through the UTF-8 decoder and the path-mapping and
// quoting functions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "common/dotfiles.hpp"
#include "common/utf8.hpp"
#include "tests/unit/utf8_table.hpp"
#include "worker/static/listing.hpp"
#include "worker/static/path_map.hpp"

using namespace httpserve;

namespace {

void check(bool condition) {
    if (!condition) std::abort();
}

bool is_substring_of(std::string_view part, std::string_view whole) {
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

bool plain_ascii(std::string_view s) {
    for (char c : s)
        if (c == '%' || c == '\0' || static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

void check_relative(const MappedPath& m) {
    const std::string_view rel = m.relative;
    check(rel.empty() || (rel.front() != '/' && rel.back() != '/'));
    check(rel.find('\0') == std::string_view::npos);
    size_t start = 0;
    while (start <= rel.size() && !rel.empty()) {
        size_t end = rel.find('/', start);
        if (end == std::string_view::npos) end = rel.size();
        const std::string_view part = rel.substr(start, end - start);
        check(!part.empty() && part != "." && part != "..");
        start = end + 1;
    }
}

bool is_special_scheme_prefix(std::string_view s, size_t* length) {
    for (std::string_view scheme : {"http:", "https:", "ws:", "wss:", "ftp:", "file:"}) {
        if (s.size() < scheme.size()) continue;
        bool same = true;
        for (size_t i = 0; i < scheme.size() && same; ++i)
            same = (s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i]) == scheme[i];
        if (same) {
            *length = scheme.size();
            return true;
        }
    }
    return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);

    // The one UTF-8 decoder against Table 3-7 (a different algorithm): same verdict, and each
    // ill-formed step is the maximal subpart there.
    check(is_valid_utf8(input) == testing::table_valid_utf8(input));
    for (size_t i = 0; i < input.size();) {
        const Utf8Step step = decode_utf8(input, i);
        check(step.valid ? testing::table_sequence_length(input, i) == step.length
                         : testing::table_sequence_length(input, i) == 0 &&
                               testing::table_maximal_subpart(input, i) == step.length);
        i += step.length;
    }

    // split_target: views into the input (or the literal "/" of an absolute-form target).
    const TargetParts parts = split_target(input);
    check(is_substring_of(parts.query, input) && is_substring_of(parts.fragment, input));
    check(is_substring_of(parts.path, input) || parts.path == "/");
    check(parts.path.find('#') == std::string_view::npos && parts.path.find('?') == std::string_view::npos);
    check(parts.query.find('#') == std::string_view::npos);
    check(parts.has_query || parts.query.empty());
    check(parts.has_fragment || parts.fragment.empty());

    // collapse_leading_slashes: idempotent, never "//..." afterwards.
    const std::string collapsed = collapse_leading_slashes(input);
    check(collapsed.rfind("//", 0) != 0);
    check(collapse_leading_slashes(collapsed) == collapsed);

    // percent_decode: always valid UTF-8 (raw bytes are Latin-1 characters), at most 2 bytes per
    // input byte, identity on plain ASCII.
    const std::string decoded = percent_decode(input);
    check(testing::table_valid_utf8(decoded));
    check(decoded.size() <= 2 * input.size());
    if (plain_ascii(input)) check(decoded == input);
    // percent_decode_path: valid UTF-8 too when the input has no %-escapes at all (raw bytes are
    // Latin-1 then), and never longer than 2 bytes per input byte.
    const std::string fs_decoded = percent_decode_path(input);
    check(fs_decoded.size() <= 2 * input.size());
    if (input.find('%') == std::string_view::npos) check(testing::table_valid_utf8(fs_decoded));

    // map_path: no empty, ".", ".." components, no leading or trailing '/', no NUL when ok.
    for (std::string_view raw : {input, parts.path}) {
        bool ok = false;
        const MappedPath m = map_path(raw, &ok);
        if (ok) {
            check_relative(m);
            // Mapping is stable: the relative path of a plain result maps to itself.
            if (plain_ascii(m.relative)) {
                bool again_ok = false;
                const MappedPath again = map_path("/" + m.relative + "/", &again_ok);
                check(again_ok && again.relative == m.relative && again.trailing_slash);
            }
        } else {
            check(m.relative.empty());
        }
        (void)has_dot_component(m.relative);
    }

    // directory_redirect_location: never a network-path reference or a "/\" that browsers read as
    // one; a special scheme only with the authority the target itself named.
    const std::string location = directory_redirect_location(input);
    check(!location.empty());
    check(location.rfind("//", 0) != 0 && location.rfind("/\\", 0) != 0 && location.rfind("\\", 0) != 0);
    size_t scheme_length = 0;
    if (is_special_scheme_prefix(location, &scheme_length)) {
        check(location.compare(scheme_length, 2, "//") == 0);
        const size_t authority_end = location.find_first_of("/?#", scheme_length + 2);
        check(authority_end != scheme_length + 2);  // non-empty authority
        // The target (less what urlsplit strips) has the same authority right after its scheme.
        std::string_view trimmed = input;
        while (!trimmed.empty() && static_cast<unsigned char>(trimmed[0]) <= 0x20) trimmed.remove_prefix(1);
        std::string target(trimmed);
        std::erase_if(target, [](char c) { return c == '\t' || c == '\r' || c == '\n'; });
        const std::string_view authority =
            std::string_view(location).substr(scheme_length, authority_end - scheme_length);
        check(target.find(authority) == scheme_length);
    }

    // url_quote: only safe characters and %XX.
    const std::string quoted = url_quote(input);
    for (size_t i = 0; i < quoted.size(); ++i) {
        const char c = quoted[i];
        const bool safe = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                          c == '.' || c == '-' || c == '~' || c == '/';
        if (!safe) {
            check(c == '%' && i + 2 < quoted.size());
            i += 2;
        }
    }
    if (testing::table_valid_utf8(input)) check(percent_decode(quoted) == input);

    // A listing's href for any file name decodes back to exactly that name (undecodable bytes go
    // through %ED%B2%80..%ED%B3%BF), and the title is escaped.
    const std::string body = render_listing(input, {ListingEntry{std::string(input), false, false}});
    const std::string_view title_open = "<title>Directory listing for ";
    const size_t title_start = body.find(title_open) + title_open.size();
    const size_t title_end = body.find("</title>", title_start);
    check(title_end != std::string::npos);
    const std::string_view title = std::string_view(body).substr(title_start, title_end - title_start);
    check(title.find('<') == std::string_view::npos && title.find('>') == std::string_view::npos);
    const std::string_view href_open = "<li><a href=\"";
    const size_t href_start = body.find(href_open, title_end) + href_open.size();
    const size_t href_end = body.find('"', href_start);
    check(href_end != std::string::npos);
    check(percent_decode_path(std::string_view(body).substr(href_start, href_end - href_start)) == input);
    return 0;
}
