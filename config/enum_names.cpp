#include "config/enum_names.hpp"

#include <cstddef>

namespace httpserve {

namespace {

template <typename Enum, size_t N>
const char* name_in(const EnumName<Enum> (&names)[N], Enum value) {
    for (const auto& [v, name] : names) {
        if (v == value) return name;
    }
    return "?";
}

}  // namespace

const char* to_string(SymlinkPolicy policy) { return name_in(kSymlinkPolicyNames, policy); }
const char* to_string(DotfilePolicy policy) { return name_in(kDotfilePolicyNames, policy); }
const char* to_string(ListingStyle style) { return name_in(kListingStyleNames, style); }
const char* to_string(AccessLogFormat format) { return name_in(kAccessLogFormatNames, format); }
const char* to_string(LogLevel level) { return name_in(kLogLevelNames, level); }
const char* to_string(TlsVersion version) { return name_in(kTlsVersionNames, version); }
const char* to_string(ContentCoding coding) { return name_in(kContentCodingNames, coding); }

}  // namespace httpserve
