#pragma once
// Text helpers of the ap-json adapter: the body of an inline NITF document and AP's dateline.
// Header-only, inline.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "core/text.hpp"

namespace wire::adapters::ap {

// The inside of body.content in a NITF document (any namespace prefix), cut as text so that
// DTD entities such as &mdash; reach the sanitiser, which knows them; XML parsing would not. A
// fragment without body.content goes to the sanitiser whole (it understands p, hl2, block…).
inline std::string nitf_body(std::string_view nitf) {
    size_t open = nitf.find("body.content");
    while (open != std::string_view::npos && open > 0 && nitf[open - 1] != '<' &&
           nitf[open - 1] != ':')
        open = nitf.find("body.content", open + 1);
    size_t close = nitf.rfind("body.content>");
    if (open == std::string_view::npos || close == std::string_view::npos || close <= open)
        return open == std::string_view::npos ? std::string(nitf) : "";
    size_t from = nitf.find('>', open), to = nitf.rfind('<', close);
    if (from == std::string_view::npos || to == std::string_view::npos || to <= from) return "";
    return std::string(nitf.substr(from + 1, to - from - 1));
}

// AP copy opens "KYIV, Ukraine (AP) — …": the dateline runs to the credit's closing
// parenthesis. The first word must be in capitals so "Stoltenberg (left) — …" is not taken.
inline std::string dateline_of(std::string_view plain) {
    std::string_view first = plain.substr(0, std::min<size_t>(plain.find('\n'), 160));
    size_t close = first.find(')');
    if (close == std::string_view::npos || close > 120) return "";
    size_t open = first.rfind('(', close);
    if (open == std::string_view::npos || open < 2) return "";
    std::string_view word = first.substr(0, first.find_first_of(" ,"));
    if (word.size() < 2 || !std::isupper(static_cast<unsigned char>(word[0]))) return "";
    for (char c : word)
        if (std::islower(static_cast<unsigned char>(c))) return "";
    std::string_view rest = trim(first.substr(close + 1));
    for (std::string_view dash : {"\u2014", "\u2013", "--", "-", "_"})
        if (rest.substr(0, dash.size()) == dash) return std::string(first.substr(0, close + 1));
    return "";
}

}  // namespace wire::adapters::ap
