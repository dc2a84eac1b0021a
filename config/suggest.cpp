#include "config/suggest.hpp"

#include <algorithm>

namespace httpserve {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Levenshtein with two rows; keys are short, but a fuzzer may hand us long words.
    std::vector<size_t> previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

}  // namespace

std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
    const size_t limit = std::max<size_t>(2, word.size() / 3);
    const std::string* best = nullptr;
    size_t best_distance = limit + 1;
    for (const std::string& candidate : candidates) {
        // A length difference alone can exceed the limit; skip the quadratic work then.
        const size_t length_gap =
            candidate.size() > word.size() ? candidate.size() - word.size() : word.size() - candidate.size();
        if (length_gap >= best_distance) continue;
        const size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = &candidate;
            best_distance = distance;
        }
    }
    return best ? *best : std::string();
}

}  // namespace httpserve
