#include "worker/static/header_rules.hpp"

#include "common/ascii.hpp"
#include "worker/static/path_map.hpp"

namespace httpserve {

namespace {

void append_line(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    out.append(value);
    out.append("\r\n");
}

}  // namespace

std::string header_rule_path(std::string_view target, bool* ok) {
    // As FileHandler::handle finds the file: the "//" fix, then the path without query and fragment.
    std::string collapsed;
    if (target.size() >= 2 && target[0] == '/' && target[1] == '/') {
        collapsed = collapse_leading_slashes(target);
        target = collapsed;
    }
    const MappedPath mapped = map_path(split_target(target).path, ok);
    std::string path = "/" + mapped.relative;
    if (mapped.trailing_slash && !mapped.relative.empty()) path.push_back('/');
    return path;
}

HeaderRules::HeaderRules(const std::vector<HeaderRule>& rules) {
    for (const HeaderRule& rule : rules) {
        auto glob = PathGlob::compile(rule.match);
        if (!glob) continue;  // the loader refused it already
        Rule compiled{std::move(*glob), rule.set};
        if (rule.match != "*") everywhere_ = false;
        rules_.push_back(std::move(compiled));
    }
    matched_.assign(rules_.size(), 0);
    if (everywhere_) {
        std::fill(matched_.begin(), matched_.end(), 1);
        append_for_path("", everywhere_lines_);  // no glob is consulted: all match
    }
}

void HeaderRules::append_for_target(std::string_view target, std::string& headers) const {
    if (rules_.empty()) return;
    if (everywhere_) {
        headers.append(everywhere_lines_);
        return;
    }
    bool ok = true;
    const std::string path = header_rule_path(target, &ok);
    if (ok) append_for_path(path, headers);
}

void HeaderRules::append_for_path(std::string_view path, std::string& headers) const {
    if (!everywhere_)
        for (size_t i = 0; i < rules_.size(); ++i) matched_[i] = rules_[i].glob.matches(path) ? 1 : 0;
    for (size_t i = 0; i < rules_.size(); ++i) {
        if (!matched_[i]) continue;
        const Rule& rule = rules_[i];
        for (size_t k = 0; k < rule.set.size(); ++k) {
            bool replaced = false;
            for (size_t j = i + 1; j < rules_.size() && !replaced; ++j) {
                if (!matched_[j]) continue;
                for (const auto& later : rules_[j].set)
                    if (iequals_ascii(later.first, rule.set[k].first)) replaced = true;
            }
            if (!replaced) append_line(headers, rule.set[k].first, rule.set[k].second);
        }
    }
}

}  // namespace httpserve
