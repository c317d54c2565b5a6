#include "datetime.hpp"

#include <array>
#include <cctype>
#include <cstdio>

#include "text.hpp"

namespace wire::adapters {
namespace {

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
std::int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy =
        (153 * static_cast<unsigned>(m + (m > 2 ? -3 : 9)) + 2) / 5 + static_cast<unsigned>(d) - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
    if (pos + n > s.size()) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

bool valid(const utc_time& t) {
    return t.year >= 1900 && t.year <= 9999 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= days_in_month(t.year, t.month) && t.hour >= 0 && t.hour <= 23 &&
           t.minute >= 0 && t.minute <= 59 && t.second >= 0 && t.second <= 60;
}

std::optional<utc_time> shift(utc_time local, int offset_minutes) {
    if (!valid(local)) return std::nullopt;
    if (local.second == 60) local.second = 59;  // a leap second keeps its minute
    return utc_time::from_epoch(local.epoch_seconds() - std::int64_t{offset_minutes} * 60);
}

std::string lower_utf8(std::string_view s) {
    // ASCII lower-casing plus the Cyrillic capitals А-Я (D0 90..D0 AF) -> а-я.
    std::string out(s);
    for (size_t i = 0; i < out.size(); ++i) {
        auto c = static_cast<unsigned char>(out[i]);
        if (c < 0x80) {
            out[i] = static_cast<char>(std::tolower(c));
        } else if (c == 0xD0 && i + 1 < out.size()) {
            auto n = static_cast<unsigned char>(out[i + 1]);
            if (n >= 0x90 && n <= 0x9F)
                out[i + 1] = static_cast<char>(n + 0x20);
            else if (n >= 0xA0 && n <= 0xAF) {
                out[i] = '\xD1';
                out[i + 1] = static_cast<char>(n - 0x20);
            }
            ++i;
        } else if (c == 0xC3 && i + 1 < out.size()) {
            auto n = static_cast<unsigned char>(out[i + 1]);
            if (n >= 0x80 && n <= 0x9E) out[i + 1] = static_cast<char>(n + 0x20);  // À-Þ
            ++i;
        }
    }
    return out;
}

std::optional<int> zone_offset(std::string_view z) {
    std::string l = lower_utf8(z);
    if (l == "gmt" || l == "utc" || l == "z" || l == "ut") return 0;
    if (l == "msk") return 180;
    if (l == "mez" || l == "cet") return 60;
    if (l == "mesz" || l == "cest") return 120;
    if (l == "est") return -300;
    if (l == "edt") return -240;
    if (l == "bst") return 60;
    if ((l.size() == 5 || l.size() == 6) && (l[0] == '+' || l[0] == '-')) {
        int h, m;
        size_t mpos = l.size() == 6 ? 4 : 3;  // +hh:mm or +hhmm
        if (digits(l, 1, 2, h) && digits(l, mpos, 2, m) && h <= 14 && m <= 59)
            return (l[0] == '-' ? -1 : 1) * (h * 60 + m);
    }
    return std::nullopt;
}

}  // namespace

int days_in_month(int year, int month) {
    static constexpr std::array<int, 12> k = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12) return 0;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : k[static_cast<size_t>(month - 1)];
}

std::int64_t utc_time::epoch_seconds() const {
    return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

utc_time utc_time::from_epoch(std::int64_t s) {
    std::int64_t days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    days += 719468;
    const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    const auto doe = static_cast<unsigned>(days - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    utc_time t;
    t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    t.year = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (t.month <= 2));
    t.hour = static_cast<int>(rem / 3600);
    t.minute = static_cast<int>(rem % 3600 / 60);
    t.second = static_cast<int>(rem % 60);
    return t;
}

std::string utc_time::rfc3339() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", year, month, day, hour, minute,
                  second);
    return buf;
}

std::optional<utc_time> parse_iso8601(std::string_view s, int default_offset) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    utc_time t;
    size_t pos;
    if (s.size() >= 10 && s[4] == '-') {  // extended: YYYY-MM-DD[Thh:mm[:ss]]
        if (!digits(s, 0, 4, t.year) || s[7] != '-' || !digits(s, 5, 2, t.month) ||
            !digits(s, 8, 2, t.day))
            return std::nullopt;
        pos = 10;
        if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
            if (!digits(s, pos + 1, 2, t.hour) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
                !digits(s, pos + 4, 2, t.minute))
                return std::nullopt;
            pos += 6;
            if (pos < s.size() && s[pos] == ':') {
                if (!digits(s, pos + 1, 2, t.second)) return std::nullopt;
                pos += 3;
            }
        }
    } else {  // basic: YYYYMMDD[Thhmm[ss]]
        if (!digits(s, 0, 4, t.year) || !digits(s, 4, 2, t.month) || !digits(s, 6, 2, t.day))
            return std::nullopt;
        pos = 8;
        if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't')) {
            if (!digits(s, pos + 1, 2, t.hour) || !digits(s, pos + 3, 2, t.minute))
                return std::nullopt;
            pos += 5;
            if (digits(s, pos, 2, t.second)) pos += 2;
        }
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {  // fraction: dropped
        ++pos;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
    int offset = default_offset;
    if (pos < s.size()) {
        auto z = zone_offset(s.substr(pos));
        if (!z) return std::nullopt;
        offset = *z;
    }
    return shift(t, offset);
}

int month_from_name(std::string_view name) {
    static const std::array<std::array<const char*, 12>, 8> names = {{
        {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"},
        {"januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september",
         "oktober", "november", "dezember"},
        {"jan", "feb", "mär", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "dez"},
        {"janv", "févr", "mars", "avr", "mai", "juin", "juil", "août", "sept", "oct", "nov", "déc"},
        {"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"},
        {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"},
        {"янв", "фев", "мар", "апр", "май", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"},
        {"мая", "сент", "mrz", "maerz", "sept", "fev", "fevr", "aout", "dec", "", "", ""},
    }};
    std::string l = lower_utf8(name);
    while (!l.empty() && l.back() == '.') l.pop_back();
    if (l.empty()) return 0;
    for (size_t row = 0; row < 7; ++row)
        for (size_t m = 0; m < 12; ++m) {
            std::string_view n = names[row][m];
            // full name or any prefix of at least three letters ("sept", "janvier" -> "janv")
            if (l == n || (l.size() >= 3 && n.size() >= l.size() && n.substr(0, l.size()) == l) ||
                (l.size() > n.size() && n.size() >= 3 && l.substr(0, n.size()) == n))
                return static_cast<int>(m + 1);
        }
    static const std::array<int, 9> extra = {5, 9, 3, 3, 9, 2, 2, 8, 12};
    for (size_t i = 0; i < extra.size(); ++i)
        if (l == names[7][i]) return extra[i];
    return 0;
}

std::optional<utc_time> parse_dtg(std::string_view s, int default_offset) {
    // Tokens: ddhhmm, optional zone, month name, two- or four-digit year.
    std::array<std::string_view, 6> tok{};
    size_t n = 0, i = 0;
    while (i < s.size() && n < tok.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        size_t start = i;
        while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i > start) tok[n++] = s.substr(start, i - start);
    }
    if (n < 3) return std::nullopt;
    utc_time t;
    if (tok[0].size() != 6 || !digits(tok[0], 0, 2, t.day) || !digits(tok[0], 2, 2, t.hour) ||
        !digits(tok[0], 4, 2, t.minute))
        return std::nullopt;
    size_t k = 1;
    int offset = default_offset;
    if (auto z = zone_offset(tok[k])) {
        offset = *z;
        ++k;
    }
    if (k + 1 >= n) return std::nullopt;  // need a month and a year
    t.month = month_from_name(tok[k]);
    if (t.month == 0) return std::nullopt;
    std::string_view y = tok[k + 1];
    if (y.size() == 2 && digits(y, 0, 2, t.year))
        t.year += t.year < 70 ? 2000 : 1900;
    else if (!(y.size() == 4 && digits(y, 0, 4, t.year)))
        return std::nullopt;
    return shift(t, offset);
}

std::string rfc3339_or_warn(std::string_view v, std::string_view what,
                            std::vector<warning>& warnings) {
    v = trim(v);
    if (v.empty()) return "";
    if (auto t = parse_iso8601(v)) return t->rfc3339();
    warnings.push_back(
        {"bad_date", std::string(what) + " '" + clean_line(v) + "' is not a date-time; ignored"});
    return "";
}

}  // namespace wire::adapters
