#pragma once
// Field readers of the ap-json adapter: values of either type, AP concepts, the inline body (an
// NITF document cut to body.content, HTML, text), AP's dateline, bylines and located place.
// Header-only, inline.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "core/story.hpp"
#include "core/text.hpp"
#include "json_common.hpp"

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

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

inline constexpr size_t k_max_list = 1000;  // entries read from any one array of an item
inline constexpr std::string_view k_ap_cv = "http://cv.ap.org/id/";

// A string, or a number rendered as text (AP sends friendlykey and version as either).
inline std::string scalar(element v) {
    std::string_view sv;
    if (v.get(sv) == simdjson::SUCCESS) return std::string(sv);
    return json::number_text(v);
}

// e[key] as text; `e` may itself be a lookup result, so paths chain without exceptions.
template <typename E>
std::string str(E e, std::string_view key) {
    element v;
    return e[key].get(v) == simdjson::SUCCESS ? scalar(v) : "";
}

// An array of strings, or a single string (usageterms has been seen both ways).
inline std::vector<std::string> strings(element e, std::string_view key) {
    std::vector<std::string> out;
    array arr;
    if (e[key].get(arr) == simdjson::SUCCESS) {
        for (element v : arr) {
            if (out.size() >= k_max_list) break;
            if (auto s = scalar(v); !s.empty()) out.push_back(std::move(s));
        }
    } else if (auto s = str(e, key); !s.empty()) {
        out.push_back(std::move(s));
    }
    return out;
}

inline bool has(const std::vector<std::string>& v, std::string_view name) {
    for (const auto& s : v)
        if (ascii_lower(s) == ascii_lower(name)) return true;
    return false;
}

// AP concepts {code, name, rels[], scheme}: the code lives in AP's vocabulary
// (http://cv.ap.org/id/<code>) unless the entry names another scheme URI.
inline concept_ref ap_concept(element c) {
    concept_ref r;
    if (c.is_string()) return {scalar(c), "", "", "", ""};
    r.name = str(c, "name");
    std::string code = str(c, "code"), scheme = str(c, "scheme");
    if (scheme.empty()) scheme = k_ap_cv;
    if (!code.empty()) {
        if (scheme.find(':') != std::string::npos)
            r.uri = scheme + code;
        else
            r.literal = scheme + ":" + code;
    }
    auto rels = strings(c, "rels");
    if (!rels.empty()) r.rel = rels.front();  // "direct", "ancestor", "inferred"…
    return r;
}

// A subject with rels ["category"] carries the old ANPA category letter: the agency's own code,
// so it goes to `category` (the first one) rather than into the concepts.
inline std::vector<concept_ref> ap_concepts(element item, std::string_view key,
                                            std::string* category = nullptr) {
    std::vector<concept_ref> out;
    element v;
    if (!json::find(item, key, v)) return out;
    json::each(
        v,
        [&](element c) {
            if (category && c.is_object() && has(strings(c, "rels"), "category")) {
                if (category->empty()) *category = str(c, "code");
                return;
            }
            out.push_back(ap_concept(c));
        },
        k_max_list);
    return out;
}

// One inline text source: markup goes to the sanitiser (a NITF document cut to body.content),
// plain text is kept as paragraphs.
inline bool take_body(element v, story& s) {
    std::string text = json::any_text(v, "\n\n");
    if (trim(text).empty()) return false;
    if (trim(text).starts_with("<")) {
        s.body_html = nitf_body(text);
        if (trim(html_to_text(sanitize_html(clean_text(s.body_html)))).empty()) {
            s.body_html.clear();
            return false;
        }
    } else {
        s.body_text = text;
    }
    return true;
}

// Documented inline bodies first (body_nitf, body_html, the envelope's nitf.body_html), then
// keys integrations use for text they fetched (a warning names the key).
inline void map_body(element it, story& s, element outer) {
    element v;
    bool found = false;
    for (auto key : {"body_nitf", "body_html", "body_xhtml"})
        if (!found && json::find(it, key, v)) found = take_body(v, s);
    if (!found && json::find(outer, "nitf", v) && json::find(v, "body_html", v))
        found = take_body(v, s);
    for (auto key : {"body_text", "body", "text", "nitf", "content", "story", "main"}) {
        if (found || !json::find(it, key, v)) continue;
        if (v.is_object() && !json::find(v, "body_html", v)) (void)json::find(v, "body", v);
        if ((found = take_body(v, s)))
            s.wire.warn("layout_guessed", std::string("body read from '") + key + "'");
    }
    element renditions;  // text a fetcher stored next to the rendition's href
    if (!found && json::find(it, "renditions", renditions))
        json::each(renditions, [&](element r) {
            for (auto key : {"body_nitf", "body_html", "body", "content", "text", "data"})
                if (!found && json::find(r, key, v) && v.is_string() && (found = take_body(v, s)))
                    s.wire.warn("layout_guessed",
                                std::string("body read from renditions (") + key + ")");
        });
    if (found) {
        std::string plain = s.body_html.empty()
                                ? s.body_text
                                : html_to_text(sanitize_html(clean_text(s.body_html)));
        s.wire.dateline = dateline_of(plain);
        return;
    }
    if (s.type != "text") return;  // a picture's caption is its text
    // Not the href itself in the warning: it carries the customer's query token.
    if (it["renditions"]["nitf"]["href"].error() == simdjson::SUCCESS)
        s.wire.warn("no_body", "body is only available at renditions.nitf.href");
    else if (ascii_lower(str(it, "editorialrole")) != "newsalert")  // alerts: headline only
        s.wire.warn("no_body", "the item carries no body");
}

// bylines[] {by, title, parametric} (or strings, or one object), else a plain byline, else the
// photographer's or producer's name.
inline void read_byline(const json::fields& f, story& s) {
    element v;
    if (f.get("bylines", v))
        json::each(v, [&](element b) {
            std::string by = b.is_object() ? str(b, "by") : json::any_text(b, " ");
            if (by.empty()) by = str(b, "name");
            std::string title = b.is_object() ? str(b, "title") : "";
            if (trim(by).empty()) return;
            if (!title.empty()) by += ", " + title;
            s.by += (s.by.empty() ? "" : "; ") + by;
        });
    if (s.by.empty()) s.by = f.text("byline");
    for (const char* who : {"photographer", "producer", "captionwriter"})
        if (s.by.empty() && f.get(who, v)) s.by = json::any_text(v, "; ");
}

// A place as AP writes a dateline: "Kyiv, Ukraine", "Columbus, Ohio" (the state, not the
// country, when AP gives one).
inline std::string place_text(element v) {
    if (!v.is_object()) return json::any_text(v, ", ");
    if (std::string name = str(v, "name"); !name.empty()) return name;
    std::string city = str(v, "city"), area = str(v, "countryareaname");
    for (auto key : {"countryname", "countryareacode", "countrycode"})
        if (area.empty()) area = str(v, key);
    return city.empty() || area.empty() ? city + area : city + ", " + area;
}

inline void read_place(const json::fields& f, story& s) {
    element v;
    if (f.get("located", v)) s.located = place_text(v);
    if (s.located.empty() && f.get("datelinelocation", v)) s.located = place_text(v);
}

}  // namespace wire::adapters::ap
