#pragma once
// Field readers of the ninjs adapter: concepts in their 1.x, 2.x and bare-string shapes, text
// lists (headlines, descriptions, bodies) in theirs, and the results pages that carry items.
// Header-only, inline.
#include <string>
#include <string_view>
#include <vector>

#include "core/concepts.hpp"
#include "core/story.hpp"
#include "core/text.hpp"
#include "json_common.hpp"

namespace wire::adapters::ninjs {

using json::element;
using json::fields;

inline constexpr size_t k_max_list = 1000;  // entries read from any one list of an item

inline std::string member(element e, std::string_view key) {
    element v;
    return json::find(e, key, v) ? json::any_text(v, "; ") : "";
}

// 1.x {name, rel, scheme, code}; 2.x {name, rel, uri, literal}; a bare string or QCode.
inline concept_ref concept_of(element c) {
    concept_ref r;
    std::string_view sv;
    if (c.get(sv) == simdjson::SUCCESS) {
        std::string v(trim(sv));
        if (v.find("://") != std::string::npos) return {"", "", v, "", ""};
        if (v.find(':') != std::string::npos && v.find(' ') == std::string::npos)
            return code_concept("", v);
        return {v, "", "", "", ""};
    }
    r = {member(c, "name"), member(c, "rel"), member(c, "uri"), member(c, "literal"),
         member(c, "role")};
    if (!r.uri.empty() && r.uri.find(':') == std::string::npos) {  // not a URI: keep it as code
        if (r.literal.empty()) r.literal = r.uri;
        r.uri.clear();
    }
    if (r.uri.empty() && r.literal.empty()) {
        std::string scheme = member(c, "scheme"), code = member(c, "code");
        if (code.empty()) code = member(c, "qcode");
        if (code.empty()) code = member(c, "id");
        if (!code.empty()) {
            if (scheme.find(':') != std::string::npos)
                r.uri = scheme + code;
            else {
                auto coded = code_concept("", scheme.empty() ? code : scheme + ":" + code);
                r.uri = coded.uri;
                r.literal = coded.literal;
            }
        }
    }
    if (r.name.empty() && r.uri.empty() && r.literal.empty()) r.name = json::any_text(c, "; ");
    return r;
}

inline void concepts(const fields& f, std::initializer_list<std::string_view> keys,
                     std::vector<concept_ref>& out) {
    for (auto key : keys) {
        element v;
        if (f.get(key, v))
            json::each(v, [&](element c) { add_concept(out, concept_of(c), k_max_list); });
    }
}

// 2.x [{role, contenttype, value}], or a bare string, array of strings or role -> text map.
inline std::vector<text_item> text_items(const fields& f, std::string_view key, std::string role) {
    std::vector<text_item> out;
    element v;
    if (!f.get(key, v)) return out;
    json::each(v, [&](element t) {
        json::object map;
        if (t.get(map) == simdjson::SUCCESS && !json::has(t, "value") && !json::has(t, "text") &&
            !json::has(t, "role") && !json::has(t, "contenttype")) {
            for (auto [k, x] : map)  // {"main": "…", "sub": "…"}
                if (auto text = json::any_text(x, "\n\n"); !text.empty())
                    out.push_back({std::string(k), "", text});
            return;
        }
        std::string r = member(t, "role"), type = member(t, "contenttype");
        out.push_back({r.empty() ? role : r, type, json::any_text(t, "\n\n")});
        if (t.is_number() || t.is_bool())
            f.wire().warn("field_repaired", std::string(key) + " holds a JSON " +
                                                (t.is_bool() ? "boolean" : "number") +
                                                "; read as '" + out.back().value + "'");
    });
    return out;
}

inline bool is_html(const text_item& t) {
    std::string what = ascii_lower(t.contenttype + " " + t.role);
    if (what.find("html") != std::string::npos || what.find("xml") != std::string::npos)
        return true;
    return t.contenttype.empty() && trim(t.value).starts_with("<");
}

// A results page ({"total": 1, "item": [...]} as BBC's API serves, also "items", "data",
// "results", "hits"): an object with none of a story's own members whose list member holds the
// stories. Sets `list` and returns its key; "" when `doc` is itself a story.
inline std::string page_list(element doc, element& list) {
    if (!doc.is_object()) return "";
    for (auto key : {"uri", "guid", "headline", "headlines", "bodyhtml", "bodytext", "bodies",
                     "versioncreated", "title", "text"})
        if (json::has(doc, key)) return "";
    for (auto key : {"item", "items", "data", "results", "hits"}) {
        element v;
        if (!json::find(doc, key, v) || !(v.is_array() || v.is_object())) continue;
        element inner;
        list = v.is_object() && !page_list(v, inner).empty() ? inner : v;  // a page in a page
        return key;
    }
    return "";
}

}  // namespace wire::adapters::ninjs
