// The extra response headers of [[headers]] and -H, compiled once per worker: which rules a request
// path matches, and the header lines they add. On a name two matching rules both set, the later rule
// wins; within one rule every pair is sent.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "config/path_glob.hpp"

namespace httpserve {

class HeaderRules {
public:
    explicit HeaderRules(const std::vector<HeaderRule>& rules);

    bool empty() const { return rules_.empty(); }

    // Appends the "Name: value\r\n" lines for a request target: its path decoded and normalised as
    // for finding the file ("/a/../b%20c?q" is "/b c"; a directory keeps its trailing '/'). A target
    // that maps to no file (a NUL in it) gets none.
    void append_for_target(std::string_view target, std::string& headers) const;
    // The same for a path already decoded and normalised.
    void append_for_path(std::string_view path, std::string& headers) const;

private:
    struct Rule {
        PathGlob glob;
        std::vector<std::pair<std::string, std::string>> set;
    };
    std::vector<Rule> rules_;
    bool everywhere_ = true;  // every rule matches every path ("*"): the lines never change
    std::string everywhere_lines_;
    mutable std::vector<char> matched_;  // scratch: which rules the current path matches
};

// The decoded, normalised path HeaderRules matches for a request target ("/" + map_path's result).
std::string header_rule_path(std::string_view target, bool* ok);

}  // namespace httpserve
