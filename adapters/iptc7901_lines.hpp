#pragma once
// IPTC 7901 line rules (dpa's habits): the notepad and closing line that end the body, and the
// take-key lines over the headline.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/story.hpp"
#include "core/text.hpp"
#include "telex_common.hpp"

namespace wire::adapters::iptc7901 {

inline constexpr auto k_npos = std::string_view::npos;

// dpa's notepad: "# Notizblock" (any one-word level-1 heading), the "* * * *" line before the
// non-public part, or the sentence saying the rest is not for publication.
inline bool notepad_start(std::string_view line) {
    line = trim(line);
    if (line == "* * * *") return true;
    if (line.size() > 2 && line.size() <= 30 && line.substr(0, 2) == "# " &&
        line.find(' ', 2) == k_npos)
        return true;
    return starts_with_ci(line, "Die folgenden Informationen sind nicht") ||
           starts_with_ci(line, "The following information is not");
}

// dpa's closing line: agency, then editor initials: "dpa kre/su yysw a3 lön mda", "dpa s5".
inline bool closing_line(std::string_view line) {
    auto t = telex::tokens(line = trim(line));
    auto only = [](std::string_view w, std::string_view extra) {
        return std::all_of(w.begin(), w.end(), [&](char c) {
            return (c >= 'a' && c <= 'z') || extra.find(c) != k_npos || (c & 0x80);
        });
    };
    return line.size() <= 80 && t.size() >= 2 && t.size() <= 10 && t[0].size() >= 2 &&
           (t[0][0] & 0x80) == 0 && only(t[0], "-") && only(line, "0123456789 /-");
}

// A take-key line over the headline ("REFILE", "1ST LEAD", "EXTRA"): at most three words of
// capitals and digits, with a line in lower case after it in the headline block (so that an
// all-capitals headline stays one).
inline bool take_key_line(const std::vector<std::string>& lines, size_t k, size_t end) {
    std::string_view l = trim(lines[k]);
    if (l.empty() || l.size() > 30 || telex::has_lower(l) || l.back() == '=' ||
        telex::tokens(l).size() > 3 || telex::words(l).empty())
        return false;
    for (size_t j = k + 1; j < end; ++j)
        if (telex::has_lower(lines[j])) return true;
    return false;
}

inline void add_take_key(story& s, std::string_view line) {
    s.wire.take_key += (s.wire.take_key.empty() ? "" : " ") + std::string(trim(line));
}

}  // namespace wire::adapters::iptc7901
