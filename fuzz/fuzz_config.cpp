// libFuzzer target: arbitrary bytes as a config file. A ConfigError is the expected answer to bad
// input; any other exception, a crash or a sanitizer report is a finding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)httpserve::load_config_text(text, "fuzz.toml", "/srv/fuzz");
    } catch (const httpserve::ConfigError&) {}
    return 0;
}
