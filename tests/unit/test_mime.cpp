// Media types: expected values are SimpleHTTPRequestHandler.guess_type's under Python 3.14/3.15 (the
// mimetypes defaults of CPython's main branch).
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <string>

#include "worker/static/mime.hpp"

using namespace httpserve;

namespace {

// A mime.types file in /tmp, removed again when the test ends.
class TempTypesFile {
public:
    explicit TempTypesFile(const std::string& content) {
        char name[] = "/tmp/httpserve_mime_XXXXXX";
        const int fd = mkstemp(name);
        REQUIRE(fd >= 0);
        close(fd);
        path_ = name;
        std::ofstream(path_) << content;
    }
    ~TempTypesFile() { std::remove(path_.c_str()); }
    TempTypesFile(const TempTypesFile&) = delete;
    TempTypesFile& operator=(const TempTypesFile&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

bool readable(const char* path) { return std::ifstream(path).good(); }

}  // namespace

TEST_CASE("builtin table: Python 3.14/3.15 defaults", "[mime]") {
    const MimeTable t = MimeTable::builtin();
    CHECK(t.lookup("a.txt") == "text/plain");
    CHECK(t.lookup("x.html") == "text/html");
    CHECK(t.lookup("x.css") == "text/css");
    CHECK(t.lookup("x.js") == "text/javascript");  // 3.12+
    CHECK(t.lookup("x.mjs") == "text/javascript");
    CHECK(t.lookup("x.md") == "text/markdown");       // 3.13
    CHECK(t.lookup("x.webp") == "image/webp");        // 3.13
    CHECK(t.lookup("x.rtf") == "text/rtf");           // 3.13
    CHECK(t.lookup("x.rst") == "text/x-rst");         // 3.13
    CHECK(t.lookup("x.xml") == "text/xml");           // the system file says application/xml
    CHECK(t.lookup("x.woff") == "font/woff");         // 3.14 (not built in up to 3.13)
    CHECK(t.lookup("x.woff2") == "font/woff2");       // 3.14
    CHECK(t.lookup("x.otf") == "font/otf");           // 3.14
    CHECK(t.lookup("x.mkv") == "video/matroska");     // 3.14
    CHECK(t.lookup("x.mka") == "audio/matroska");     // 3.14
    CHECK(t.lookup("x.yaml") == "application/yaml");  // 3.14
    CHECK(t.lookup("x.docx") == "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    CHECK(t.lookup("x.odt") == "application/vnd.oasis.opendocument.text");
    CHECK(t.lookup("x.jp2") == "image/jp2");                 // 3.14
    CHECK(t.lookup("x.wav") == "audio/vnd.wave");            // 3.13: audio/x-wav
    CHECK(t.lookup("x.avi") == "video/vnd.avi");             // 3.13: video/x-msvideo
    CHECK(t.lookup("x.apk") == "application/octet-stream");  // non-strict only
    CHECK(t.lookup("x.c") == "text/plain");
    CHECK(t.lookup("x.sh") == "application/x-sh");
    CHECK(t.lookup("x.ico") == "image/vnd.microsoft.icon");
}

TEST_CASE("default_type answers unknown extensions and names without one", "[mime]") {
    MimeConfig config;
    config.types_file.clear();
    config.default_type = "text/html";  // python -m http.server --content-type text/html (3.15)
    const MimeTable t = MimeTable::load(config);
    CHECK(t.lookup("noext") == "text/html");
    CHECK(t.lookup("x.unknownext") == "text/html");
    CHECK(t.lookup("x.br") == "text/html");
    CHECK(t.lookup("x.bin") == "application/octet-stream");  // in the table: not "unknown"
    CHECK(t.lookup("a.txt") == "text/plain");
}

TEST_CASE("Python's four handler overrides", "[mime]") {
    const MimeTable t = MimeTable::builtin();
    CHECK(t.lookup("x.tar.gz") == "application/gzip");
    CHECK(t.lookup("x.txt.gz") == "application/gzip");
    CHECK(t.lookup("x.GZ") == "application/gzip");
    CHECK(t.lookup("x.Z") == "application/octet-stream");
    CHECK(t.lookup("x.z") == "application/octet-stream");
    CHECK(t.lookup("x.bz2") == "application/x-bzip2");
    CHECK(t.lookup("x.xz") == "application/x-xz");
    CHECK(t.lookup("x.XZ") == "application/x-xz");
}

TEST_CASE("splitext rules on the last component", "[mime]") {
    const MimeTable t = MimeTable::builtin();
    CHECK(t.lookup("x") == "application/octet-stream");
    CHECK(t.lookup("x.bin") == "application/octet-stream");
    CHECK(t.lookup(".bashrc") == "application/octet-stream");
    CHECK(t.lookup("..txt") == "application/octet-stream");  // only dots before it: no extension
    CHECK(t.lookup("a.") == "application/octet-stream");     // "." is the extension
    CHECK(t.lookup("/srv/www/dir.txt/README") == "application/octet-stream");
    CHECK(t.lookup("/srv/www/dir.d/a.html") == "text/html");
    CHECK(t.lookup("dir/.hidden.txt") == "text/plain");
    CHECK(t.lookup("") == "application/octet-stream");
    CHECK(t.lookup("x." + std::string(100, 'A')) == "application/octet-stream");
}

TEST_CASE("exact, then lower-cased", "[mime]") {
    const MimeTable t = MimeTable::builtin();
    CHECK(t.lookup("B.TXT") == "text/plain");
    CHECK(t.lookup("x.JPG") == "image/jpeg");
    CHECK(t.lookup("x.Html") == "text/html");
}

TEST_CASE("mimetypes suffix_map and encodings", "[mime]") {
    const MimeTable t = MimeTable::builtin();
    CHECK(t.lookup("x.tgz") == "application/x-tar");  // .tar.gz, gzip stripped
    CHECK(t.lookup("x.TGZ") == "application/x-tar");
    CHECK(t.lookup("x.txz") == "application/x-tar");
    CHECK(t.lookup("x.svgz") == "image/svg+xml");
    CHECK(t.lookup("x.css.br") == "text/css");  // brotli is an encoding
    CHECK(t.lookup("x.br") == "application/octet-stream");
    CHECK(t.lookup("x.css.BR") == "application/octet-stream");  // encodings are case-sensitive
    CHECK(t.lookup("x.tgz.br") == "application/octet-stream");  // no rewrite after the encoding
    CHECK(t.lookup("x.bz2.br") == "application/octet-stream");  // nor the handler overrides
    CHECK(t.lookup("x.gz.br") == "application/gzip");           // mimetypes' own .gz (3.14)
}

TEST_CASE("types file: later lines win, comments, unreadable upper-case entries", "[mime]") {
    const TempTypesFile file(
        "# comment line\n"
        "text/x-first\tfoo bar\n"
        "text/x-second   foo   # baz\n"
        "\n"
        "   \n"
        "#text/x-commented qux\n"
        "audio/AMR amr AMR\n"
        "application/x-mixed Mixed\n"
        "application/x-tarball tar tgz\n");
    MimeConfig config;
    config.types_file = file.path();
    const MimeTable t = MimeTable::load(config);
    CHECK(t.lookup("a.foo") == "text/x-second");
    CHECK(t.lookup("a.bar") == "text/x-first");
    CHECK(t.lookup("a.baz") == "application/octet-stream");
    CHECK(t.lookup("a.qux") == "application/octet-stream");
    CHECK(t.lookup("a.amr") == "audio/AMR");
    CHECK(t.lookup("a.AMR") == "audio/AMR");
    // Python lower-cases what it looks up, never what it read: "Mixed" cannot match.
    CHECK(t.lookup("a.Mixed") == "application/octet-stream");
    CHECK(t.lookup("a.mixed") == "application/octet-stream");
    // The built-in table is still there underneath.
    CHECK(t.lookup("a.html") == "text/html");
    // .tgz is rewritten to .tar before the lookup, whatever the file says about it.
    CHECK(t.lookup("a.tgz") == "application/x-tarball");
    CHECK(t.lookup("a.tgz.br") == "application/x-tarball");
}

TEST_CASE("config overrides and default type", "[mime]") {
    MimeConfig config;
    config.types_file = "/nonexistent/mime.types";  // missing: no exception
    config.default_type = "text/plain";
    config.types = {{".foo", "application/x-foo"},
                    {".gz", "application/x-gzip"},
                    {".br", "application/x-brotli"},
                    {".JS", "application/x-upper"}};
    MimeTable t = MimeTable::load(config);
    CHECK(t.lookup("a.foo") == "application/x-foo");
    CHECK(t.lookup("a.FOO") == "application/x-foo");
    CHECK(t.lookup("a.gz") == "application/x-gzip");
    CHECK(t.lookup("a.css.br") == "application/x-brotli");
    CHECK(t.lookup("a.JS") == "application/x-upper");
    CHECK(t.lookup("a.js") == "text/javascript");
    CHECK(t.lookup("noext") == "text/plain");
    t.set(".bar", "text/x-bar");
    CHECK(t.lookup("x.bar") == "text/x-bar");
}

TEST_CASE("Debian's /etc/mime.types gives the types observed from Python", "[mime]") {
    if (!readable("/etc/mime.types")) {
        WARN("no /etc/mime.types here; skipped");
        return;
    }
    const MimeTable t = MimeTable::load(MimeConfig{});
    CHECK(t.lookup("/srv/a.txt") == "text/plain");
    CHECK(t.lookup("/srv/B.TXT") == "text/plain");
    CHECK(t.lookup("x.html") == "text/html");
    CHECK(t.lookup("x.htm") == "text/html");
    CHECK(t.lookup("x.css") == "text/css");
    CHECK(t.lookup("x.js") == "text/javascript");
    CHECK(t.lookup("x.mjs") == "text/javascript");
    CHECK(t.lookup("x.json") == "application/json");
    CHECK(t.lookup("x.svg") == "image/svg+xml");
    CHECK(t.lookup("x.wasm") == "application/wasm");
    CHECK(t.lookup("x.webp") == "image/webp");
    CHECK(t.lookup("x.md") == "text/markdown");
    CHECK(t.lookup("test") == "application/octet-stream");
    CHECK(t.lookup("x.bin") == "application/octet-stream");
    CHECK(t.lookup("x.tar.gz") == "application/gzip");
    CHECK(t.lookup("x.xml") == "application/xml");
    CHECK(t.lookup("x.woff2") == "font/woff2");
    CHECK(t.lookup("x.png") == "image/png");
    CHECK(t.lookup("x.JPG") == "image/jpeg");
    CHECK(t.lookup("x.rtf") == "application/rtf");
    CHECK(t.lookup("x.tgz") == "application/x-tar");
    CHECK(t.lookup("x.c") == "text/x-csrc");
}
