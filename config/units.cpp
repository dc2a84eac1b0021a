#include "config/units.hpp"

#include <limits>

#include "common/ascii.hpp"

namespace httpserve {

namespace {

// Splits "16 MiB" into 16 and "MiB". nullopt when there is no leading number or it overflows.
struct NumberAndUnit {
    uint64_t number;
    std::string_view unit;
};

std::optional<NumberAndUnit> split_number(std::string_view text) {
    size_t i = 0;
    uint64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
        if (number > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
        number = number * 10 + digit;
        ++i;
    }
    if (i == 0) return std::nullopt;
    while (i < text.size() && text[i] == ' ') ++i;  // "16 MiB" reads as well as "16MiB"
    return NumberAndUnit{number, text.substr(i)};
}

std::optional<uint64_t> size_multiplier(std::string_view unit) {
    struct Unit {
        const char* name;
        uint64_t bytes;
    };
    // All binary: "16MB" in a server config means 16MiB to everyone who writes one.
    static constexpr Unit units[] = {
        {"", 1},
        {"b", 1},
        {"k", 1ull << 10},
        {"kb", 1ull << 10},
        {"kib", 1ull << 10},
        {"m", 1ull << 20},
        {"mb", 1ull << 20},
        {"mib", 1ull << 20},
        {"g", 1ull << 30},
        {"gb", 1ull << 30},
        {"gib", 1ull << 30},
    };
    for (const Unit& u : units) {
        if (iequals_ascii(unit, u.name)) return u.bytes;
    }
    return std::nullopt;
}

std::optional<int64_t> duration_multiplier_ms(std::string_view unit) {
    if (unit.empty() || unit == "s") return 1000;
    if (unit == "ms") return 1;
    if (unit == "m") return 60 * 1000;
    if (unit == "h") return 60 * 60 * 1000;
    return std::nullopt;
}

}  // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
    const auto parts = split_number(text);
    if (!parts) return std::nullopt;
    const auto multiplier = size_multiplier(parts->unit);
    if (!multiplier) return std::nullopt;
    if (parts->number > std::numeric_limits<uint64_t>::max() / *multiplier) return std::nullopt;
    return parts->number * *multiplier;
}

std::optional<Duration> parse_duration(std::string_view text) {
    const auto parts = split_number(text);
    if (!parts) return std::nullopt;
    const auto multiplier = duration_multiplier_ms(parts->unit);
    if (!multiplier) return std::nullopt;
    const auto max_ms = static_cast<uint64_t>(std::numeric_limits<Duration::rep>::max());
    if (parts->number > max_ms / static_cast<uint64_t>(*multiplier)) return std::nullopt;
    return Duration(static_cast<Duration::rep>(parts->number) * *multiplier);
}

}  // namespace httpserve
