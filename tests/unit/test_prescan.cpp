// config/prescan: the bounds on what toml11 is handed, found by a lexer that skips strings and
// comments, each reported at its line with the statement's key.
#include <catch2/catch.hpp>

#include <string>

#include "config/prescan.hpp"

using namespace httpserve;

namespace {

std::string repeat(const std::string& piece, size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += piece;
    return out;
}

}  // namespace

TEST_CASE("prescan: an ordinary config is within every bound", "[config][prescan]") {
    const std::string text =
        "workers = 2\nuser = \"nobody\"  # [[[[ not brackets\n\n[[listen]]\nport = 8000\n"
        "[files]\nindex_pages = [\"index.html\", \"index.htm\"]\n"
        "[mime.types]\n\".wasm\" = \"application/wasm\"\n";
    CHECK_FALSE(prescan_toml(text));
    CHECK_FALSE(prescan_toml(""));
}

TEST_CASE("prescan: nesting and dotted keys beyond the bound", "[config][prescan]") {
    const std::string deep = "a = 1\nx = " + repeat("[", 33) + repeat("]", 33) + "\n";
    const auto problem = prescan_toml(deep);
    REQUIRE(problem);
    CHECK(problem->line == 2);
    CHECK(problem->key == "x");
    CHECK(problem->message == "arrays, tables or keys nested more than 32 deep");
    CHECK_FALSE(prescan_toml("x = " + repeat("[", 32) + repeat("]", 32) + "\n"));

    std::string dotted = "k";
    for (int i = 0; i < 33; ++i) dotted += ".k";
    REQUIRE(prescan_toml(dotted + " = 1\n"));
    CHECK(prescan_toml(dotted + " = 1\n")->message == "arrays, tables or keys nested more than 32 deep");
}

TEST_CASE("prescan: brackets and dots inside strings and comments do not count", "[config][prescan]") {
    const std::string brackets = repeat("[", 40) + repeat(".", 40);
    CHECK_FALSE(prescan_toml("a = \"" + brackets + "\"\n"));
    CHECK_FALSE(prescan_toml("a = '" + brackets + "'\n"));
    CHECK_FALSE(prescan_toml("a = \"\"\"\n" + brackets + "\n\"\"\"\n"));
    CHECK_FALSE(prescan_toml("a = '''" + brackets + "''''\n"));
    CHECK_FALSE(prescan_toml("# " + brackets + "\n"));
    CHECK_FALSE(prescan_toml("a = \"\\\"" + brackets + "\"\n"));
}

TEST_CASE("prescan: many values on one long line", "[config][prescan]") {
    // toml11 rereads the whole line for each value: 10000 values on a 40 KB line is 400 MB of reading.
    const std::string text = "[files]\nindex_pages = [" + repeat("\"a\",", 10000) + "]\n";
    const auto problem = prescan_toml(text);
    REQUIRE(problem);
    CHECK(problem->line == 2);
    CHECK(problem->key == "files.index_pages");
    CHECK(problem->message.find("too many values on long lines") == 0);
    // The same values one per line are cheap for that rule.
    const std::string lines = "[files]\nindex_pages = [\n" + repeat("\"a\",\n", 2000) + "]\n";
    CHECK_FALSE(prescan_toml(lines));
}

TEST_CASE("prescan: too many values, nested ones counted per level", "[config][prescan]") {
    const std::string many = "[[listen]]\nport = 1\n" + repeat("[[listen]]\nport = 1\n", 10000);
    const auto problem = prescan_toml(many);
    REQUIRE(problem);
    CHECK(problem->key == "listen.port");
    CHECK(problem->message == "more than 25000 values (a value counts once for each array or table around it)");
    CHECK(problem->line > 10000);

    // 5000 nested arrays 20 deep: 100000 copies for toml11, though only 5000 lines.
    const std::string nested = "x = [\n" + repeat(repeat("[", 20) + repeat("]", 20) + ",\n", 5000) + "]\n";
    REQUIRE(prescan_toml(nested));
    CHECK(prescan_toml(nested)->key == "x");
}
