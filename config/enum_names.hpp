// The words for the config's enum values: one table per enum, used both ways. to_string() reads a
// value's word from it, and the loader accepts exactly these words (and lists them, in this order).
#pragma once

#include "common/log_level.hpp"
#include "config/config.hpp"

namespace httpserve {

template <typename Enum>
struct EnumName {
    Enum value;
    const char* name;
};

inline constexpr EnumName<SymlinkPolicy> kSymlinkPolicyNames[] = {
    {SymlinkPolicy::Follow, "follow"}, {SymlinkPolicy::InsideRoot, "inside-root"}, {SymlinkPolicy::Never, "never"}};
inline constexpr EnumName<DotfilePolicy> kDotfilePolicyNames[] = {{DotfilePolicy::Serve, "serve"},
                                                                  {DotfilePolicy::Deny, "deny"}};
inline constexpr EnumName<ListingStyle> kListingStyleNames[] = {{ListingStyle::Python, "python"},
                                                                {ListingStyle::Rich, "rich"}};
inline constexpr EnumName<AccessLogFormat> kAccessLogFormatNames[] = {
    {AccessLogFormat::Python, "python"}, {AccessLogFormat::Common, "common"}, {AccessLogFormat::Combined, "combined"}};
inline constexpr EnumName<TlsVersion> kTlsVersionNames[] = {{TlsVersion::Tls12, "TLSv1.2"},
                                                            {TlsVersion::Tls13, "TLSv1.3"}};
inline constexpr EnumName<ContentCoding> kContentCodingNames[] = {
    {ContentCoding::Brotli, "br"}, {ContentCoding::Zstd, "zstd"}, {ContentCoding::Gzip, "gzip"}};
inline constexpr EnumName<LogLevel> kLogLevelNames[] = {
    {LogLevel::Debug, "debug"}, {LogLevel::Info, "info"}, {LogLevel::Warn, "warn"}, {LogLevel::Error, "error"}};

// A value's word ("?" for a value outside its table).
const char* to_string(SymlinkPolicy);
const char* to_string(DotfilePolicy);
const char* to_string(ListingStyle);
const char* to_string(AccessLogFormat);
const char* to_string(LogLevel);
const char* to_string(TlsVersion);
const char* to_string(ContentCoding);

}  // namespace httpserve
