// ANPA-1312 header fields (docs/formats.md): the second header line, in its standard
// positional shape or an agency variant, and the transmission trailer after ETX.
#include <algorithm>
#include <cstdio>

#include "anpa1312_parts.hpp"
#include "core/text.hpp"

namespace wire::adapters::anpa {
namespace {

std::optional<utc_time> at(int y, int mo, int d, int h, int mi, int offset_minutes) {
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59) return {};
    utc_time local{y, mo, d, h, mi, 0};
    return utc_time::from_epoch(local.epoch_seconds() - std::int64_t{offset_minutes} * 60);
}
int year2(int yy) { return yy < 70 ? 2000 + yy : 1900 + yy; }

// US Eastern offset for a local time: EDT from the 2nd Sunday of March to the 1st of November.
int eastern_offset(int y, int mo, int d, int h) {
    auto sunday = [y](int m, int nth) {
        auto days = utc_time{y, m, 1, 0, 0, 0}.epoch_seconds() / 86400;
        int dow = static_cast<int>((days + 4) % 7);  // 1970-01-01 was a Thursday
        return 1 + (7 - dow) % 7 + 7 * (nth - 1);
    };
    int start = sunday(3, 2), end = sunday(11, 1);
    bool dst = (mo > 3 && mo < 11) || (mo == 3 && (d > start || (d == start && h >= 2))) ||
               (mo == 11 && (d < end || (d == end && h < 2)));
    return dst ? -240 : -300;
}

}  // namespace

// The transmission time after ETX. AP `AP-WF-07-10-17 1105GMT<` (mm-dd-yy, UTC); Kyodo
// `KWS-hh:mm-dd-mm-yy`; CP `16:35ET dd-mm-yy`. Kyodo names no zone: we assume Tokyo time
// (UTC+9), the desk that sends it; this is unverified and flagged in the report.
std::optional<utc_time> parse_trailer(std::string_view t) {
    for (std::size_t p = 0; p < t.size(); ++p) {
        auto n = [&](std::size_t off) { return num(t.substr(p + off, 2)); };
        if (match(t, p, "dd-dd-dd ddddGMT")) return at(year2(n(6)), n(0), n(3), n(9), n(11), 0);
        if (match(t, p, "KWS-dd:dd-dd-dd-dd"))
            return at(year2(n(16)), n(13), n(10), n(4), n(7), 540);
        if (match(t, p, "dd:ddET dd-dd-dd") && n(11) >= 1 && n(11) <= 12)
            return at(year2(n(14)), n(11), n(8), n(0), n(3),
                      eastern_offset(year2(n(14)), n(11), n(8), n(0)));
    }
    return {};
}

bool is_date(std::string_view s) {
    return s.size() == 5 && (match(s, 0, "dd-dd") || match(s, 0, "dd/dd"));
}

// The filing date token into h (mm-dd, or dd-mm for `day_first` providers); an impossible one is
// a warning and no date.
void read_date(std::string_view f, bool day_first, header& h, story& s) {
    int a = num(f.substr(0, 2)), b = num(f.substr(3, 2));
    h.month = day_first ? b : a;
    h.day = day_first ? a : b;
    if (h.month < 1 || h.month > 12 || h.day < 1 || h.day > days_in_month(2000, h.month)) {
        s.wire.warn("bad_date", "filing date '" + std::string(f) + "' is not a " +
                                    (day_first ? "dd-mm" : "mm-dd") + " date; ignored");
        h.month = h.day = 0;
    }
}

// Parses `<pri> SP <cat>[2 format chars] SP <keyword> SP [<version>] SP [<reference>] SP
// <filing date> SP <word count>`; the fields are positional, empty ones leave extra spaces.
// False when the line has another shape (read_line2_loose then).
bool parse_line2(std::string_view l, bool day_first, header& h, story& s) {
    if (l.size() < 5 || !alpha(l[0]) || l[1] != ' ' || !alpha(l[2])) return false;
    h.priority = l.substr(0, 1);
    h.category = l.substr(2, 1);
    std::size_t p = 3;
    while (p < l.size() && p < 5 && l[p] >= '\x11' && l[p] <= '\x14') h.format_id += l[p++];
    if (p >= l.size() || l[p] != ' ') return false;
    auto f = split(l.substr(p + 1), ' ');
    while (!f.empty() && f.back().empty()) f.pop_back();
    std::size_t date = f.size();
    if (!f.empty() && is_date(f.back()))
        date = f.size() - 1;
    else if (f.size() >= 2 && is_date(f[f.size() - 2]) &&
             std::all_of(f.back().begin(), f.back().end(), digit) && f.back().size() <= 5) {
        date = f.size() - 2;
        h.words = num(f.back());
        h.words_text = f.back();
    }
    if (date == f.size()) return false;
    if (!f[0].empty()) h.keyword = f[0];
    if (date > 1) h.version = f[1];
    for (std::size_t i = 2; i < date && h.reference.empty(); ++i) h.reference = f[i];
    read_date(f[date], day_first, h, s);
    return true;
}

// Any other shape of the second line (agency variants: no format identifier, several spaces,
// no date): a one-letter priority, a category letter, then keyword, version, date and count
// wherever they stand.
void read_line2_loose(std::string_view l, bool day_first, header& h, story& s) {
    std::string clean;
    for (char c : l) {
        if (c >= '\x11' && c <= '\x14')
            h.format_id += c;
        else
            clean += c;
    }
    auto t = split(clean, ' ');
    std::erase_if(t, [](std::string_view w) { return w.empty(); });
    std::size_t i = 0;
    if (i < t.size() && t[i].size() == 1 && alpha(t[i][0])) h.priority = t[i++];
    if (i < t.size() && t[i].size() == 1 && alpha(t[i][0])) h.category = t[i++];
    for (; i < t.size(); ++i) {
        if (is_date(t[i]))
            read_date(t[i], day_first, h, s);
        else if (std::all_of(t[i].begin(), t[i].end(), digit) && t[i].size() <= 5)
            h.words = num(t[i]), h.words_text = t[i];
        else if (h.keyword.empty())
            h.keyword = t[i];
        else if (h.version.empty())
            h.version = t[i];
    }
    s.wire.warn("layout_guessed", "second header line '" + std::string(trim(clean)) +
                                      "' is not '<priority> <category> <keyword> … <mm-dd>'");
}

std::string slugline(std::string_view keyword, std::string_view keyword_line, story& s) {
    std::string k(trim(keyword));
    constexpr std::size_t k_field = 24;  // the header's keyword field
    std::string_view kl =
        keyword_line.substr(std::min(keyword_line.size(), keyword_line.find(k.substr(0, 8))));
    kl = kl.substr(0, kl.find(','));
    std::string squeezed;
    std::size_t whole = 0;  // squeezed length of the keyword line's words the header holds whole
    for (auto w : split(kl, ' ')) {
        squeezed += w;
        if (squeezed.size() <= k.size()) whole = squeezed.size();
    }
    if (k.size() >= k_field && squeezed.size() > k.size() && squeezed.starts_with(k) && whole > 0 &&
        whole < k.size()) {
        s.wire.warn("field_repaired",
                    "keyword '" + k + "' was cut inside a word at " + std::to_string(k_field) +
                        " characters; the partial word dropped from the slugline");
        k.resize(whole);
    } else if (k.size() >= k_field && whole == 0 && !kl.empty() &&
               kl.find(" ") == std::string_view::npos && kl.size() > k.size() &&
               kl.starts_with(k)) {
        s.wire.warn("field_repaired", "keyword '" + k + "' was cut at " + std::to_string(k_field) +
                                          " characters; the slugline is the keyword line's");
        k = kl;
    }
    auto drop = [&](std::size_t letters, std::string_view dashes) {
        if (k.size() <= letters + dashes.size() + 1 ||
            k.compare(letters, dashes.size(), dashes) != 0)
            return;
        for (std::size_t i = 0; i < letters; ++i)
            if (!alpha(k[i])) return;
        k.erase(0, letters + dashes.size());
    };
    for (std::string_view cycle : {"BC-", "AM-", "PM-", "AP-"})
        if (starts_with_ci(k, cycle) && k.size() > 3) {
            k.erase(0, 3);
            break;
        }
    if (k.size() > 4 && upper(k[0]) && upper(k[1])) drop(2, "--");  // regional desk
    return k;
}

// AP's sports desk codes before "--" in the keyword ("BKN--Heat-Hawks"), as IPTC subject codes.
std::string_view sport_subject(std::string_view keyword) {
    static constexpr std::pair<std::string_view, std::string_view> k_codes[] = {
        {"BKN", "15008000"}, {"BKC", "15008000"}, {"BKW", "15008000"}, {"BKL", "15008000"},
        {"BBA", "15007000"}, {"BBN", "15007000"}, {"BBO", "15007000"}, {"BBC", "15007000"},
        {"FBN", "15003000"}, {"FBC", "15003000"}, {"FBO", "15003000"}, {"HKN", "15031000"},
        {"HKC", "15031000"}, {"HKO", "15031000"}, {"GLF", "15027000"}, {"SOC", "15054000"},
        {"TEN", "15065000"}, {"AUT", "15039000"}, {"CAR", "15039000"}, {"RAC", "15030000"},
        {"BOX", "15014000"}, {"CYC", "15019000"}};
    for (std::string_view cycle : {"BC-", "AM-", "PM-", "AP-"})
        if (starts_with_ci(keyword, cycle)) keyword.remove_prefix(3);
    if (keyword.size() < 5 || keyword.substr(3, 2) != "--") return {};
    for (const auto& [code, subject] : k_codes)
        if (keyword.substr(0, 3) == code) return subject;
    return {};
}

// The first nthLd number of a version field ("2ndLd-Writethru" -> 2), or 0.
int lead_number(std::string_view v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (!digit(v[i]) || (i > 0 && digit(v[i - 1]))) continue;
        std::size_t j = i;
        while (j < v.size() && digit(v[j]) && j - i < 3) ++j;
        if (j + 4 <= v.size() && alpha(v[j]) && alpha(v[j + 1]) &&
            starts_with_ci(v.substr(j + 2), "ld"))
            return num(v.substr(i, j - i));
    }
    return 0;
}

}  // namespace wire::adapters::anpa
