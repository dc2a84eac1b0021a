// HTTP dates without locale or libc time zone state: civil-date arithmetic on UTC only.
#include "worker/http/http_date.hpp"

#include <array>
#include <cstdint>

#include "common/ascii.hpp"
#include "common/python_space.hpp"

namespace httpserve::http {

namespace {

constexpr std::array<std::string_view, 7> kDayAbbr = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kDayFull = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                      "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonAbbr = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr int64_t kSecondsPerDay = 86400;

struct Civil {
    int64_t year;
    unsigned month;  // 1..12
    unsigned day;    // 1..31
};

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian, day 0 = 1970-01-01).
constexpr int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

constexpr Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(int64_t y, unsigned m) {
    constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

constexpr int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::time_t to_time(int64_t y, unsigned mon, unsigned d, int h, int mi, int s) {
    return static_cast<std::time_t>(days_from_civil(y, mon, d) * kSecondsPerDay + h * 3600 + mi * 60 + s);
}

void put2(char*& p, unsigned v) {
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
}

// Writes the IMF-fixdate into buf (at least 40 bytes); returns the length.
size_t format_into(char* buf, std::time_t t) {
    const int64_t secs = static_cast<int64_t>(t);
    const int64_t days = floor_div(secs, kSecondsPerDay);
    const auto sod = static_cast<unsigned>(secs - days * kSecondsPerDay);
    const Civil c = civil_from_days(days);
    const auto weekday = static_cast<size_t>(((days % 7) + 11) % 7);  // day 0 was a Thursday

    char* p = buf;
    for (char ch : kDayAbbr[weekday]) *p++ = ch;
    *p++ = ',';
    *p++ = ' ';
    put2(p, c.day);
    *p++ = ' ';
    for (char ch : kMonAbbr[c.month - 1]) *p++ = ch;
    *p++ = ' ';
    if (c.year >= 0 && c.year <= 9999) {
        const auto y = static_cast<unsigned>(c.year);
        put2(p, y / 100);
        put2(p, y % 100);
    } else {  // outside what HTTP can express; keep every digit rather than truncate
        const std::string y = std::to_string(c.year);
        for (char ch : y) *p++ = ch;
    }
    *p++ = ' ';
    put2(p, sod / 3600);
    *p++ = ':';
    put2(p, sod / 60 % 60);
    *p++ = ':';
    put2(p, sod % 60);
    for (char ch : std::string_view(" GMT")) *p++ = ch;
    return static_cast<size_t>(p - buf);
}

// ---- strict RFC 9110 §5.6.7 parsing ----

bool digits(std::string_view s, size_t pos, size_t n, int& value) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    value = v;
    return true;
}

int find_name(std::string_view s, const std::string_view* names, size_t count) {
    for (size_t i = 0; i < count; ++i)
        if (names[i] == s) return static_cast<int>(i);
    return -1;
}

// "HH:MM:SS" at pos.
bool parse_clock(std::string_view s, size_t pos, int& h, int& m, int& sec) {
    return pos + 8 <= s.size() && digits(s, pos, 2, h) && s[pos + 2] == ':' && digits(s, pos + 3, 2, m) &&
           s[pos + 5] == ':' && digits(s, pos + 6, 2, sec) && h <= 23 && m <= 59 && sec <= 60;
}

std::optional<std::time_t> checked(int64_t year, int mon0, int day, int h, int m, int s) {
    if (mon0 < 0 || day < 1) return std::nullopt;
    const auto mon = static_cast<unsigned>(mon0 + 1);
    if (static_cast<unsigned>(day) > days_in_month(year, mon)) return std::nullopt;
    return to_time(year, mon, static_cast<unsigned>(day), h, m, s);
}

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::optional<std::time_t> parse_imf_fixdate(std::string_view s) {
    int day = 0, year = 0, h = 0, m = 0, sec = 0;
    if (s.size() != 29 || find_name(s.substr(0, 3), kDayAbbr.data(), 7) < 0 || s.substr(3, 2) != ", " ||
        !digits(s, 5, 2, day) || s[7] != ' ' || s[11] != ' ' || !digits(s, 12, 4, year) || s[16] != ' ' ||
        !parse_clock(s, 17, h, m, sec) || s.substr(25) != " GMT")
        return std::nullopt;
    return checked(year, find_name(s.substr(8, 3), kMonAbbr.data(), 12), day, h, m, sec);
}

// "Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year more than 50 years ahead is in the past century.
std::optional<std::time_t> parse_rfc850(std::string_view s) {
    const size_t comma = s.find(',');
    if (comma == std::string_view::npos || find_name(s.substr(0, comma), kDayFull.data(), 7) < 0) return std::nullopt;
    const std::string_view r = s.substr(comma);  // ", 06-Nov-94 08:49:37 GMT"
    int day = 0, yy = 0, h = 0, m = 0, sec = 0;
    if (r.size() != 24 || r[1] != ' ' || !digits(r, 2, 2, day) || r[4] != '-' || r[8] != '-' || !digits(r, 9, 2, yy) ||
        r[11] != ' ' || !parse_clock(r, 12, h, m, sec) || r.substr(20) != " GMT")
        return std::nullopt;
    const int64_t now_year = civil_from_days(floor_div(static_cast<int64_t>(std::time(nullptr)), kSecondsPerDay)).year;
    int64_t year = now_year - now_year % 100 + yy;
    if (year > now_year + 50) year -= 100;
    return checked(year, find_name(r.substr(5, 3), kMonAbbr.data(), 12), day, h, m, sec);
}

// "Sun Nov  6 08:49:37 1994"
std::optional<std::time_t> parse_asctime(std::string_view s) {
    int day = 0, year = 0, h = 0, m = 0, sec = 0;
    if (s.size() != 24 || find_name(s.substr(0, 3), kDayAbbr.data(), 7) < 0 || s[3] != ' ' || s[7] != ' ')
        return std::nullopt;
    if (s[8] == ' ') {
        if (!digits(s, 9, 1, day)) return std::nullopt;
    } else if (!digits(s, 8, 2, day)) {
        return std::nullopt;
    }
    if (s[10] != ' ' || !parse_clock(s, 11, h, m, sec) || s[19] != ' ' || !digits(s, 20, 4, year)) return std::nullopt;
    return checked(year, find_name(s.substr(4, 3), kMonAbbr.data(), 12), day, h, m, sec);
}

// ---- Python's email.utils._parsedate_tz, step by step ----

// str.isdigit() for a Latin-1 character: ASCII digits and the superscripts ² ³ ¹.
bool py_isdigit(char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c >= '0' && c <= '9') || c == 0xB2 || c == 0xB3 || c == 0xB9;
}

// Python int(): [+-] digits with single underscores between digits. Saturates far beyond any valid
// field so that "too big" stays "invalid" without overflow; `value` keeps its sign and zero-ness.
bool py_int(std::string_view s, int64_t& value) {
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    if (i >= s.size()) return false;
    int64_t v = 0;
    bool prev_digit = false;
    for (; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            if (v < 1'000'000'000'000) v = v * 10 + (c - '0');
            prev_digit = true;
        } else if (c == '_' && prev_digit && i + 1 < s.size()) {
            prev_digit = false;
        } else {
            return false;
        }
    }
    if (!prev_digit) return false;
    value = negative ? -v : v;
    return true;
}

constexpr std::array<std::string_view, 24> kPyMonths = {
    "jan", "feb",  "mar",  "apr",    "may",       "jun",      "jul",      "aug",
    "sep", "oct",  "nov",  "dec",    "january",   "february", "march",    "april",
    "may", "june", "july", "august", "september", "october",  "november", "december"};

int py_month(std::string_view s) {  // 1..12, or 0 when not a month name
    for (size_t i = 0; i < kPyMonths.size(); ++i)
        if (iequals_ascii(s, kPyMonths[i])) return static_cast<int>(i % 12) + 1;
    return 0;
}

bool py_dayname(std::string_view s) {
    for (std::string_view d : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
        if (iequals_ascii(s, d)) return true;
    return false;
}

// email._parseaddr._timezones, as hhmm integers.
bool py_named_zone(std::string_view s, int64_t& hhmm) {
    struct Zone {
        std::string_view name;
        int hhmm;
    };
    static constexpr Zone kZones[] = {{"UT", 0},     {"UTC", 0},    {"GMT", 0},    {"Z", 0},      {"AST", -400},
                                      {"ADT", -300}, {"EST", -500}, {"EDT", -400}, {"CST", -600}, {"CDT", -500},
                                      {"MST", -700}, {"MDT", -600}, {"PST", -800}, {"PDT", -700}};
    for (const Zone& z : kZones)
        if (iequals_ascii(s, z.name)) {
            hhmm = z.hhmm;
            return true;
        }
    return false;
}

void drop_last(std::string_view& s) { s.remove_suffix(1); }

}  // namespace

std::string format_http_date(std::time_t t) {
    char buf[48];
    return std::string(buf, format_into(buf, t));
}

std::string_view DateCache::now() { return at(std::time(nullptr)); }

std::string_view DateCache::at(std::time_t t) {
    if (t != cached_ || text_.empty()) {
        char buf[48];
        text_.assign(buf, format_into(buf, t));  // reuses the capacity
        cached_ = t;
    }
    return text_;
}

std::optional<std::time_t> parse_http_date(std::string_view s) {
    if (s.size() > 4 && s[3] == ',') return parse_imf_fixdate(s);
    if (s.size() > 4 && s[3] == ' ') return parse_asctime(s);
    return parse_rfc850(s);
}

std::optional<std::time_t> parse_if_modified_since(std::string_view text) {
    // data = text.split(); only the first words matter, but the count drives the branches.
    constexpr size_t kKeep = 8;
    std::array<std::string_view, kKeep> w{};
    size_t n = 0;
    for_each_python_word(text, [&](std::string_view word) {
        if (n < kKeep) w[n] = word;
        ++n;
    });
    if (n == 0) return std::nullopt;
    size_t first = 0;  // data = w[first .. first+n)
    auto at = [&](size_t k) -> std::string_view& { return w[first + k]; };

    // An optional day name ("Sun," or "Sun"); "Sun,06" keeps what follows the comma.
    if (at(0).back() == ',' || py_dayname(at(0))) {
        ++first;
        --n;
    } else {
        const size_t comma = at(0).rfind(',');
        if (comma != std::string_view::npos) at(0) = at(0).substr(comma + 1);
    }

    std::array<std::string_view, 6> d{};  // dd mm yy tm tz (+1 spare)
    size_t dn = 0;
    if (n == 3) {  // RFC 850: "06-Nov-94 08:49:37 GMT"
        const std::string_view s = at(0);
        const size_t a = s.find('-');
        const size_t b = a == std::string_view::npos ? a : s.find('-', a + 1);
        if (a != std::string_view::npos && b != std::string_view::npos &&
            s.find('-', b + 1) == std::string_view::npos) {
            d = {s.substr(0, a), s.substr(a + 1, b - a - 1), s.substr(b + 1), at(1), at(2), {}};
            dn = 5;
            n = 5;
        }
    }
    if (dn == 0) {
        for (size_t k = 0; k < n && k < 5; ++k) d[k] = at(k);
        dn = n < 5 ? n : 5;
    }
    if (n == 4) {  // "08:49:37-0500" or no zone at all
        const std::string_view s = d[3];
        size_t i = s.find('+');
        if (i == std::string_view::npos) i = s.find('-');
        if (i != std::string_view::npos && i > 0) {
            d[3] = s.substr(0, i);
            d[4] = s.substr(i);
        } else {
            d[4] = {};
        }
        n = dn = 5;
    }
    if (n < 5) return std::nullopt;

    std::string_view dd = d[0], mm = d[1], yy = d[2], tm = d[3], tz = d[4];
    if (dd.empty() || mm.empty() || yy.empty()) return std::nullopt;
    int month = py_month(mm);
    if (month == 0) {
        month = py_month(dd);
        if (month == 0) return std::nullopt;
        dd = mm;
    }
    if (dd.back() == ',') drop_last(dd);
    if (const size_t colon = yy.find(':'); colon != std::string_view::npos && colon > 0) std::swap(yy, tm);
    if (yy.back() == ',') {
        drop_last(yy);
        if (yy.empty()) return std::nullopt;
    }
    if (!py_isdigit(yy[0])) std::swap(yy, tz);
    if (tm.empty()) return std::nullopt;  // Python: IndexError, caught by http.server
    if (tm.back() == ',') drop_last(tm);

    // tm.split(':'), or tm.split('.') for "08.49.37"; only 2 or 3 parts are valid.
    std::array<std::string_view, 3> hms{};
    size_t parts = 0;
    auto split_on = [&](char sep) {
        parts = 0;
        size_t start = 0;
        for (size_t i = 0; i <= tm.size(); ++i) {
            if (i == tm.size() || tm[i] == sep) {
                if (parts < 3) hms[parts] = tm.substr(start, i - start);
                ++parts;
                start = i + 1;
            }
        }
    };
    split_on(':');
    if (parts == 1 && tm.find('.') != std::string_view::npos) {
        split_on('.');
        if (parts != 2 && parts != 3) return std::nullopt;
    } else if (parts != 2 && parts != 3) {
        return std::nullopt;
    }
    if (parts == 2) hms[2] = "0";

    int64_t year = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!py_int(yy, year) || !py_int(dd, day) || !py_int(hms[0], hour) || !py_int(hms[1], minute) ||
        !py_int(hms[2], second))
        return std::nullopt;
    if (year < 100) year += year > 68 ? 1900 : 2000;

    // Zone: a name, else an integer; "-0000" means "no zone" (naive), which http.server takes as UTC.
    int64_t zone = 0;
    bool has_zone = py_named_zone(tz, zone);
    if (!has_zone && py_int(tz, zone)) has_zone = !(zone == 0 && !tz.empty() && tz[0] == '-');
    if (has_zone && zone != 0) return std::nullopt;  // aware and not UTC: http.server ignores it

    // datetime(yy, mm, dd, hh, mm, ss) range checks.
    if (year < 1 || year > 9999 || day < 1 || day > static_cast<int64_t>(days_in_month(year, month)) || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59)
        return std::nullopt;
    return to_time(year, static_cast<unsigned>(month), static_cast<unsigned>(day), static_cast<int>(hour),
                   static_cast<int>(minute), static_cast<int>(second));
}

}  // namespace httpserve::http
