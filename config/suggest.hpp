#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace httpserve {

// The candidate closest to `word` by edit distance, or "" when none is close enough to be a typo.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace httpserve
