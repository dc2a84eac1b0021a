// A shell-style pattern matched against a URL path ([[headers]] match), compiled once. Python's
// fnmatch.fnmatchcase rules: '*' matches any run of characters, '/' included; '?' one character;
// "[seq]" one character of seq (ranges like a-z; a ']' first is literal), "[!seq]" one not in it.
// Nothing is escaped: "[*]" matches a literal '*'. Case-sensitive. Characters are bytes: a path's
// non-ASCII letters are matched as their UTF-8 bytes, so '?' stands for one ASCII character.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

class PathGlob {
public:
    // nullopt, with `error` set, for a pattern that cannot be read (an unclosed '[').
    static std::optional<PathGlob> compile(std::string_view pattern, std::string* error = nullptr);

    bool matches(std::string_view path) const;
    const std::string& pattern() const { return pattern_; }

private:
    struct Token {
        bool star = false;     // '*'
        std::bitset<256> set;  // otherwise: the bytes this position accepts
    };
    std::string pattern_;
    std::vector<Token> tokens_;
};

}  // namespace httpserve
