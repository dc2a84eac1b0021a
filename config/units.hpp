// Sizes ("64KiB", "16MiB", 1024) and durations ("500ms", "30s", "5m", 30) as the config file writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "config/config.hpp"

namespace httpserve {

// Bytes. Units: B, K/KB/KiB, M/MB/MiB, G/GB/GiB (all binary, case-insensitive). nullopt when invalid
// or on overflow.
std::optional<uint64_t> parse_size(std::string_view text);

// Units: ms, s, m, h; a bare number is seconds. nullopt when invalid or negative.
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace httpserve
