#include "config/path_glob.hpp"

namespace httpserve {

std::optional<PathGlob> PathGlob::compile(std::string_view pattern, std::string* error) {
    PathGlob glob;
    glob.pattern_ = std::string(pattern);
    size_t i = 0;
    while (i < pattern.size()) {
        Token token;
        const unsigned char c = static_cast<unsigned char>(pattern[i]);
        if (c == '*') {
            ++i;
            if (!glob.tokens_.empty() && glob.tokens_.back().star) continue;  // "**" is "*"
            token.star = true;
        } else if (c == '?') {
            ++i;
            token.set.set();
        } else if (c == '[') {
            size_t j = i + 1;
            const bool negate = j < pattern.size() && pattern[j] == '!';
            if (negate) ++j;
            const size_t first = j;
            // A ']' right after "[" or "[!" belongs to the set.
            while (j < pattern.size() && (pattern[j] != ']' || j == first)) ++j;
            if (j >= pattern.size()) {
                if (error) *error = "unclosed '[' in \"" + std::string(pattern) + "\"";
                return std::nullopt;
            }
            for (size_t k = first; k < j; ++k) {
                const unsigned char lo = static_cast<unsigned char>(pattern[k]);
                if (k + 2 < j && pattern[k + 1] == '-') {
                    const unsigned char hi = static_cast<unsigned char>(pattern[k + 2]);
                    for (unsigned v = lo; v <= hi; ++v) token.set.set(v);
                    k += 2;
                } else {
                    token.set.set(lo);
                }
            }
            if (negate) token.set.flip();
            i = j + 1;
        } else {
            token.set.set(c);
            ++i;
        }
        glob.tokens_.push_back(token);
    }
    return glob;
}

bool PathGlob::matches(std::string_view path) const {
    // Greedy with one backtracking point: the last '*' seen takes one more character on a mismatch.
    // Enough because a '*' matches anything, so an earlier one never needs to give anything back.
    size_t t = 0;
    size_t s = 0;
    size_t star = std::string::npos;
    size_t resume = 0;
    while (s < path.size()) {
        if (t < tokens_.size() && tokens_[t].star) {
            star = t++;
            resume = s;
        } else if (t < tokens_.size() && tokens_[t].set.test(static_cast<unsigned char>(path[s]))) {
            ++t;
            ++s;
        } else if (star != std::string::npos) {
            t = star + 1;
            s = ++resume;
        } else {
            return false;
        }
    }
    while (t < tokens_.size() && tokens_[t].star) ++t;
    return t == tokens_.size();
}

}  // namespace httpserve
