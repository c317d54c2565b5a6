#include "story_repair.hpp"

#include <array>
#include <string_view>

#include "normalize.hpp"
#include "text.hpp"

namespace wire::adapters {
namespace {

std::string_view first_paragraph(std::string_view plain) {
    return plain.substr(0, plain.find("\n\n"));
}

const text_item* body_of(const story& s, std::string_view contenttype) {
    for (const auto& b : s.bodies)
        if (b.contenttype == contenttype) return &b;
    return nullptr;
}

bool starts_upper(std::string_view word) {
    if (word.empty()) return false;
    const auto c = static_cast<unsigned char>(word[0]);
    // ASCII capitals, or a non-ASCII letter (Latin-1 capitals, Cyrillic…): not proven lower.
    return (c >= 'A' && c <= 'Z') || c >= 0xC3;
}

// Words that may stand lowercase inside a name or a credit: "Jane van der Berg", "Correspondent
// of the Associated Press", "Anna Muster und Max Muster".
bool connector(std::string_view w) {
    static constexpr std::array<std::string_view, 14> k_words{
        "and", "of", "the", "de", "da", "del", "van", "von", "der", "den", "und", "y", "e", "in"};
    for (auto c : k_words)
        if (w == c) return true;
    return false;
}

// The name part of a byline paragraph, or "" when the paragraph is not a byline.
std::string byline_name(std::string_view p) {
    static constexpr std::array<std::string_view, 4> k_prefixes{"by ", "von ", "par ", "por "};
    if (p.size() > 120 || p.find('\n') != std::string_view::npos) return "";
    std::string_view rest;
    for (auto prefix : k_prefixes)
        if (p.size() > prefix.size() && starts_with_ci(p, prefix)) {
            rest = p.substr(prefix.size());
            break;
        }
    if (rest.empty() || !starts_upper(rest)) return "";
    // A sentence ("By Monday, the ministry had …") ends with a full stop or runs long.
    if (rest.back() == '.' &&
        !(rest.size() >= 2 && rest[rest.size() - 2] >= 'A' && rest[rest.size() - 2] <= 'Z'))
        return "";
    int words = 0;
    bool after_comma = false;
    for (std::size_t i = 0; i < rest.size();) {
        std::size_t end = rest.find(' ', i);
        if (end == std::string_view::npos) end = rest.size();
        std::string_view w = rest.substr(i, end - i);
        if (!w.empty()) {
            ++words;
            if (!after_comma && !starts_upper(w) && !connector(w)) return "";
            if (w.back() == ',') after_comma = true;
        }
        i = end + 1;
    }
    if (words > 12) return "";
    return std::string(rest);
}

}  // namespace

std::optional<adapter_error> derive_missing_uri(story& s) {
    if (!s.uri.empty()) return std::nullopt;
    std::string headline;
    for (const auto& h : s.headlines)
        if (headline.empty() || h.role == "main") headline = h.value;
    const text_item* plain = body_of(s, "text/plain");
    const std::string lead = plain ? clean_line(first_paragraph(plain->value)) : std::string();
    headline = clean_line(headline);
    if (headline.empty() && lead.empty())
        return adapter_error{story_errc::missing_required,
                             "the document holds no story: no identifier, headline or text",
                             std::nullopt, "uri"};
    const std::string agency = s.wire.agency.empty() ? "unknown" : s.wire.agency;
    s.uri = "urn:wiregate:" + agency + ":h:" + sha256_hex(headline + "\n" + lead).substr(0, 24);
    s.wire.warn("id_derived",
                "no identifier in the document; derived from the headline and first paragraph");
    return std::nullopt;
}

void move_leading_byline(story& s) {
    if (!s.by.empty() || s.bodies.size() != 2) return;
    auto& html = s.bodies[0];
    auto& plain = s.bodies[1];
    if (html.contenttype != "text/html" || plain.contenttype != "text/plain") return;
    const std::string_view lead = first_paragraph(plain.value);
    if (lead.size() == plain.value.size()) return;  // the byline would be all the text
    std::string name = byline_name(lead);
    if (name.empty() || html.value.rfind("<p>", 0) != 0) return;
    const std::size_t close = html.value.find("</p>");
    if (close == std::string::npos || html_to_text(html.value.substr(0, close + 4)) != lead) return;
    if (name.back() == ',') name.pop_back();
    s.by = std::move(name);
    html.value.erase(0, close + 4);
    plain.value.erase(0, lead.size() + 2);
    for (auto* b : {&html, &plain}) {
        b->wordcount = count_words(plain.value);
        b->charcount = count_chars(plain.value);
    }
    s.wire.warn("byline_moved", "the first paragraph was a byline; moved to 'by'");
}

}  // namespace wire::adapters
