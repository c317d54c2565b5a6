#pragma once
// Text helpers shared by adapters: cleaning, HTML sanitising, plain-text rendering, counting.
#include <string>
#include <string_view>
#include <vector>

namespace wire::adapters {

/// Drops C0 controls except TAB/LF (CR LF and lone CR become LF), DEL, C1 controls and
/// U+FFFE/U+FFFF; input must be valid UTF-8. Every string in an envelope passes through this.
std::string clean_text(std::string_view utf8);

/// clean_text, then whitespace runs collapsed to one space and the ends trimmed.
std::string clean_line(std::string_view utf8);

/// Keeps an allow-list of structural tags (p, br, h1-h6, ul/ol/li, table parts, b/i/em/strong,
/// blockquote, pre, a with an http(s)/mailto href) and drops every other tag and attribute;
/// the contents of script, style, iframe, object and comments are dropped entirely. Text is
/// re-escaped, so the result is well-formed. Namespace prefixes (x:p, nitf hl2) are understood.
std::string sanitize_html(std::string_view html);

/// Plain text of sanitised HTML: one paragraph per block element, separated by blank lines.
std::string html_to_text(std::string_view html);

/// Paragraphs of plain text (split on blank lines, or on every line when `line_per_paragraph`)
/// as <p> elements, escaped.
std::string text_to_html(std::string_view text, bool line_per_paragraph = false);

/// Words as newsrooms count them: whitespace-separated tokens (Unicode spaces and NBSP included)
/// that hold at least one letter or digit; "U.S.-led" and "don't" are one word each, a lone
/// dash or bullet is none. Callers pass plain text (markup already removed).
int count_words(std::string_view text);
/// Unicode code points.
int count_chars(std::string_view text);

/// &amp; &lt; &gt; &quot; for text and attribute values.
std::string escape_html(std::string_view text);

/// The place of a dateline: "Oslo", "MOSCOW, July 10" -> "MOSCOW", "Paris, 21 jan 2019 (AFP) -"
/// -> "Paris"; the text before a comma, parenthesis, " - " or em dash. A part with digits is a
/// date ("January 21"), not a place: "" then, and for a part longer than 40 bytes.
std::string place_of_dateline(std::string_view dateline);

/// ASCII lower-case copy.
std::string ascii_lower(std::string_view s);
/// Trimmed view (ASCII whitespace).
std::string_view trim(std::string_view s);
/// Splits on a character, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);
bool starts_with_ci(std::string_view s, std::string_view prefix);
/// ASCII case-insensitive equality.
bool equals_ci(std::string_view a, std::string_view b);

}  // namespace wire::adapters
