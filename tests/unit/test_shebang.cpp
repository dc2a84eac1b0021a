// launcher/shebang: the #! line read as Linux's binfmt_script reads it. The expected values are what the
// kernel gives the interpreter for the same first bytes (checked against execve() on Linux 6.x).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "launcher/shebang.hpp"

using namespace httpserve;

namespace {

// The interpreter and its argument (if any) for `head`, or nothing when the kernel would not run it.
struct Line {
    std::string interpreter;
    std::optional<std::string> argument;
    bool operator==(const Line&) const = default;
};

std::optional<Line> parse(const std::string& head) {
    const Shebang s = parse_shebang(head.data(), head.size());
    if (!s.runs) return std::nullopt;
    Line line{head.substr(s.interpreter, s.interpreter_size), std::nullopt};
    if (s.has_argument) line.argument = head.substr(s.argument, s.argument_size);
    return line;
}

Line runs(std::string interpreter, std::optional<std::string> argument = std::nullopt) {
    return Line{std::move(interpreter), std::move(argument)};
}

}  // namespace

TEST_CASE("shebang: interpreter and one optional argument", "[shebang]") {
    CHECK(parse("#!/bin/sh\necho hi\n") == runs("/bin/sh"));
    CHECK(parse("#!/usr/bin/env python3\n") == runs("/usr/bin/env", "python3"));
    // Spaces and tabs after "#!" and at the end of the line are skipped; inside the argument they stay.
    CHECK(parse("#! \t/usr/bin/env  -S python3 -u \t\n") == runs("/usr/bin/env", "-S python3 -u"));
    CHECK(parse("#!/bin/sh -e\n") == runs("/bin/sh", "-e"));
    CHECK(parse("#!/bin/sh\t-e\n") == runs("/bin/sh", "-e"));
    CHECK(parse("#!/bin/sh   \n") == runs("/bin/sh"));
    CHECK(parse("#!relative/interp x\n") == runs("relative/interp", "x"));
    // A CR is part of the name (a script saved with CRLF fails to find "/bin/sh\r").
    CHECK(parse("#!/bin/sh\r\n") == runs("/bin/sh\r"));
    // Only the first line counts.
    CHECK(parse("#!/bin/sh\n#!/bin/bash -x\n") == runs("/bin/sh"));
}

TEST_CASE("shebang: not a #! line the kernel runs", "[shebang]") {
    CHECK_FALSE(parse(""));
    CHECK_FALSE(parse("#"));
    CHECK_FALSE(
        parse("\x7f"
              "ELF\x02\x01\x01"));
    CHECK_FALSE(parse(" #!/bin/sh\n"));
    CHECK_FALSE(parse("!#/bin/sh\n"));
    // No interpreter name: ENOEXEC.
    CHECK_FALSE(parse("#!\n"));
    CHECK_FALSE(parse("#!  \t \n"));
    // A NUL where the name starts: the kernel would try to run "".
    CHECK_FALSE(parse("#!"));
    CHECK_FALSE(parse("#!   "));
    CHECK_FALSE(parse(std::string("#!\0/bin/sh\n", 11)));
}

TEST_CASE("shebang: no newline within the buffer", "[shebang]") {
    // A file that ends without one: the NUL padding ends the line, trailing spaces are kept.
    CHECK(parse("#!/bin/sh") == runs("/bin/sh"));
    CHECK(parse("#!/bin/echo x y  ") == runs("/bin/echo", "x y  "));
    CHECK(parse("#!/bin/echo ") == runs("/bin/echo", ""));
    // A NUL before the newline hides the newline: the line ends at the NUL.
    CHECK(parse(std::string("#!/bin/sh\0 zz\n", 14)) == runs("/bin/sh"));
    CHECK(parse(std::string("#!/bin/sh zz\0 yy\n", 17)) == runs("/bin/sh", "zz"));

    const std::string long_name = "/" + std::string(300, 'a');
    SECTION("a name longer than the buffer may be cut short: not run") {
        CHECK_FALSE(parse("#!" + long_name + "\n"));
        CHECK_FALSE(parse("#!    " + long_name));
    }
    SECTION("a name that ends within the buffer, and an argument cut at its last byte but one") {
        const std::string head = "#!/bin/sh " + std::string(400, 'b') + "\n";
        CHECK(parse(head) == runs("/bin/sh", std::string(kShebangHeadSize - 1 - 10, 'b')));
    }
    SECTION("the buffer's last byte is cut, then trailing spaces") {
        std::string head = "#!/bin/sh x";
        head += std::string(kShebangHeadSize - head.size() - 1, ' ');
        head += "y";  // the 256th byte
        CHECK(parse(head) == runs("/bin/sh", "x"));
    }
    SECTION("a newline as the buffer's last byte still ends the line") {
        std::string head = "#!/bin/sh ";
        head += std::string(kShebangHeadSize - head.size() - 1, 'c');
        head += "\n";
        CHECK(parse(head) == runs("/bin/sh", std::string(kShebangHeadSize - 11, 'c')));
    }
    SECTION("bytes past the buffer are never read") {
        std::string head = "#!" + std::string(kShebangHeadSize - 2, ' ') + "/bin/sh\n";
        CHECK_FALSE(parse(head));
    }
}

TEST_CASE("shebang: usable at compile time", "[shebang]") {
    constexpr const char head[] = "#!/usr/bin/env python3\n";
    constexpr Shebang s = parse_shebang(head, sizeof head - 1);
    STATIC_REQUIRE(s.runs);
    STATIC_REQUIRE(s.interpreter == 2);
    STATIC_REQUIRE(s.interpreter_size == 12);
    STATIC_REQUIRE(s.has_argument);
    STATIC_REQUIRE(s.argument == 15);
    STATIC_REQUIRE(s.argument_size == 7);
}
