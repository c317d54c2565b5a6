#pragma once
// ANPA-1312 parts shared by anpa1312.cpp (framing, identity, lifecycle), anpa1312_header.cpp
// (the second header line, the trailer) and anpa1312_text.cpp (the text between STX and ETX).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/datetime.hpp"
#include "core/story.hpp"

namespace wire::adapters::anpa {

inline bool digit(char c) { return c >= '0' && c <= '9'; }
inline bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool upper(char c) { return c >= 'A' && c <= 'Z'; }
inline int num(std::string_view s) {
    int v = 0;
    for (char c : s.substr(0, 6)) v = v * 10 + (c - '0');
    return v;
}
/// `pattern`: 'd' is a digit, every other character itself.
inline bool match(std::string_view s, std::size_t p, std::string_view pattern) {
    if (p + pattern.size() > s.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i)
        if (pattern[i] == 'd' ? !digit(s[p + i]) : s[p + i] != pattern[i]) return false;
    return true;
}

struct header {
    std::string sequence, provider, selector, priority, category, format_id;
    std::string keyword, version, reference;
    std::string words_text;  // the declared word count as sent ("0820")
    int month = 0, day = 0, words = -1;
};

/// The text between STX and ETX: headline (^…<), byline (^By …=), editor's notes, paragraphs
/// (TAB + 3 spaces), agate rows. Sets `trailer` when the trailer sits inside the text.
struct text_out {
    std::string trailer;  // in: the one after ETX; out: or the one found at the end of the text
    std::string notes;    // Eds: lines, EDITOR'S NOTE, photo notes -> ednote
    std::string markers;  // APNewsAlert, KILL…: lifecycle markers only
    std::string keyword_line;  // the first caret line repeating the keyword ("BC-LT--…,466")
};

/// The transmission time after ETX (AP, Kyodo, CP trailers).
std::optional<utc_time> parse_trailer(std::string_view t);
/// The second header line in its standard shape into `h`; false for another shape.
bool parse_line2(std::string_view l, bool day_first, header& h, story& s);
/// Any other shape of the second line, with a layout_guessed warning.
void read_line2_loose(std::string_view l, bool day_first, header& h, story& s);
/// The first nthLd number of a version field ("2ndLd-Writethru" -> 2), or 0.
int lead_number(std::string_view v);
/// The slugline from the header keyword: AP's cycle prefix ("BC-") and two-letter regional desk
/// ("LT--") dropped; a keyword the header's field cut inside a word (the keyword line shows the
/// whole one) loses that partial word, with a field_repaired warning.
std::string slugline(std::string_view keyword, std::string_view keyword_line, story& s);
/// The IPTC subject code of AP's sports desk code in the keyword ("BKN--…": basketball), or "".
std::string_view sport_subject(std::string_view keyword);
/// Headline, byline, notes, markers, dateline and body of the text into `s` and `t`.
void parse_text(std::string_view text, const header& h, story& s, text_out& t);

}  // namespace wire::adapters::anpa
