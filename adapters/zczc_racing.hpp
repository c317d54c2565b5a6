#pragma once
// ZCZC copy from AAP's racing system ("ZCZC FMG000", "YY TDR" routing, a "RACING : …" title
// line, weights races marked ".=!") and Pagemasters' race fields: their headline and slug rules.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/story.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters::zczc {

constexpr auto npos = std::string_view::npos;

// The racing system's title line: "RACING : Racing.Com Park FIELDS Thursday" (a section word
// in capitals, " : ", the title), or a weights race line "STRADBROKE HANDICAP 1400M .=!" (its
// ".=!" a display code). The title line is no body text; a race line stays in the body.
inline void racing_headline(std::vector<std::string>& text, story& s, bool& header_headline) {
    size_t f = telex::first_meaningful(text, 0, text.size());
    if (f == text.size()) return;
    std::string_view l = trim(text[f]);
    size_t sep = l.find(" : ");
    bool section = sep != npos && sep > 0 && sep <= 20 && !telex::has_lower(l.substr(0, sep)) &&
                   !trim(l.substr(sep + 3)).empty();
    if (section) {
        s.headlines.push_back({"main", "text/plain", std::string(trim(l.substr(sep + 3)))});
        s.wire.keywords.emplace_back(trim(l.substr(0, sep)));
        text[f].clear();
        header_headline = true;
        return;
    }
    for (size_t k = f, seen = 0; k < text.size() && seen < 5; ++k) {
        std::string_view t = trim(text[k]);
        if (t.empty()) continue;
        ++seen;
        if (!t.ends_with(".=!") || t.size() < 5) continue;
        t = trim(t.substr(0, t.size() - 3));
        while (!t.empty() && (t[0] == '<' || t[0] == '(')) t.remove_prefix(1);
        s.headlines.push_back({"main", "text/plain", std::string(t)});
        s.wire.warn("field_repaired", "headline: the racing display code '.=!' dropped");
        header_headline = true;
        return;
    }
}

inline bool weekday_name(std::string_view w) {
    for (std::string_view d :
         {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})
        if (ascii_lower(w) == d) return true;
    return false;
}

// Racing copy's slug is its title without the day of the week it is for.
inline std::string racing_slug(std::string_view title) {
    size_t sp = title.rfind(' ');
    if (sp != npos && sp > 0 && weekday_name(title.substr(sp + 1)))
        title = trim(title.substr(0, sp));
    return std::string(title);
}

// Pagemasters race fields carry the race date as their ':' headline ("11/10/2015"): the headline
// is the slug and that date.
inline void pagemasters_date(story& s) {
    if (s.headlines.empty() || s.slugline.empty()) return;
    std::string_view h = s.headlines[0].value;
    auto parts = split(h, '/');
    bool date = parts.size() == 3 && std::all_of(h.begin(), h.end(), [](char c) {
                    return telex::is_digit(c) || c == '/';
                });
    if (!date) return;
    s.headlines[0].value = s.slugline + " " + std::string(h);
    s.wire.warn("headline_guessed", "the ':' line is a date: headline made of the slug and it");
}

}  // namespace wire::adapters::zczc
