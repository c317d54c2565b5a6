// Word and character counts of plain body text (text.hpp): the figures of bodies[].wordcount and
// charcount, counted the way newsrooms count them.
#include <algorithm>

#include "text.hpp"

namespace wire::adapters {

int count_words(std::string_view s) {
    int words = 0;
    bool counted = false;  // the current token has been counted
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = 1;
        bool space = c == ' ' || (c >= '\t' && c <= '\r');
        bool wordy = (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
        if (c < 0x80) {
            // ASCII: decided above
        } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
            space = true;  // NBSP
            len = 2;
        } else if (c == 0xE2 && i + 2 < s.size() && (s[i + 1] == '\x80' || s[i + 1] == '\x81')) {
            // U+2000..U+207F: the typographic spaces separate; dashes, quotes, bullets and
            // ellipses are part of a token but make no word on their own.
            const auto third = static_cast<unsigned char>(s[i + 2]);
            space = s[i + 1] == '\x80' &&
                    (third <= 0x8A || third == 0xA8 || third == 0xA9 || third == 0xAF);
            len = 3;
        } else if (c == 0xE3 && i + 2 < s.size() && s[i + 1] == '\x80' && s[i + 2] == '\x80') {
            space = true;  // U+3000 ideographic space
            len = 3;
        } else {
            wordy = true;  // any other non-ASCII byte: part of a letter, digit or symbol
        }
        if (space) {
            counted = false;
        } else if (wordy && !counted) {
            ++words;
            counted = true;
        }
        i += len;
    }
    return words;
}

int count_chars(std::string_view s) {
    return static_cast<int>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

}  // namespace wire::adapters
