#pragma once
// Helpers shared by the JSON adapters (ninjs, ap-json): the document reader (one complete
// document followed by junk or by further documents, junk before the first one), key lookup that
// ignores case and underscores (ninjs 3.x camelCase, `headlineExtended`), and values of any JSON
// type read as text, with a warning naming the field when the type was not the expected one.
// Header-only, inline.
#include <simdjson.h>
#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/datetime.hpp"
#include "core/story.hpp"
#include "core/text.hpp"

namespace wire::adapters::json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

/// One past the end of the object or array that starts at `from`, following strings and
/// nesting without validating; npos when it is cut off.
inline size_t value_end(std::string_view s, size_t from) {
    int depth = 0;
    for (size_t i = from; i < s.size(); ++i) {
        char c = s[i];
        if (c == '"') {
            for (++i; i < s.size() && s[i] != '"'; ++i)
                if (s[i] == '\\') ++i;
            if (i >= s.size()) return std::string_view::npos;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if (c == '}' || c == ']') {
            if (--depth == 0) return i + 1;
            if (depth < 0) return std::string_view::npos;
        }
    }
    return std::string_view::npos;
}

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// What the reader found: the documents to decode, in order, or the parser's error for the
/// first one; `skipped` describes bytes left out (empty when none were).
struct documents {
    simdjson::error_code error = simdjson::SUCCESS;
    std::vector<std::string> docs;
    std::string skipped;
};

/// Reads `text` as one JSON document; when that fails, as complete objects/arrays one after
/// another (JSON Lines, concatenated pushes), skipping bytes before the first and after the
/// last. A document cut off before its end is never read, nor are nesting and UTF-8 errors
/// worked around. At most `max_docs` documents.
inline documents read_documents(std::string_view text, size_t max_depth, size_t max_docs) {
    documents out;
    simdjson::dom::parser parser;
    element doc;
    simdjson::padded_string whole(text);
    out.error = parser.allocate(std::max<size_t>(text.size(), 64) + 64, max_depth);
    if (!out.error) out.error = parser.parse(whole).get(doc);
    if (!out.error) {
        out.docs.emplace_back(text);
        return out;
    }
    if (out.error == simdjson::DEPTH_ERROR || out.error == simdjson::UTF8_ERROR ||
        out.error == simdjson::MEMALLOC || out.error == simdjson::CAPACITY)
        return out;
    size_t pos = text.find_first_of("{[");
    if (pos == std::string_view::npos) return out;
    const size_t before = pos - std::min(pos, text.find_first_not_of(" \t\r\n\xEF\xBB\xBF"));
    size_t after = text.size();
    while (pos < text.size() && out.docs.size() < max_docs) {
        while (pos < text.size() && is_space(text[pos])) ++pos;
        if (pos >= text.size()) break;
        after = pos;
        if (text[pos] != '{' && text[pos] != '[') break;
        size_t end = value_end(text, pos);
        // A document cut off is not read: it may be a file still being written or a push cut
        // short, and half a story published now would conflict with the whole one later.
        if (end == std::string_view::npos) break;
        std::string_view candidate = text.substr(pos, end - pos);
        simdjson::padded_string padded(candidate);
        if (parser.parse(padded).get(doc) != simdjson::SUCCESS) break;
        out.docs.emplace_back(candidate);
        pos = end;
        after = text.size();
    }
    if (out.docs.empty()) return out;
    out.error = simdjson::SUCCESS;
    if (before > 0) out.skipped = std::to_string(before) + " bytes before the JSON document";
    if (after < text.size()) {
        size_t junk = text.size() - after;
        out.skipped += (out.skipped.empty() ? "" : " and ") + std::to_string(junk) +
                       " bytes after the last complete JSON document";
    }
    return out;
}

/// The warnings of how document `d` was read, for each story that came out of it.
inline void note_reading(const documents& read, size_t d, wire_meta& w) {
    if (read.docs.size() > 1)
        w.warn("layout_guessed",
               "one of " + std::to_string(read.docs.size()) + " JSON documents one after another");
    if (!read.skipped.empty()) w.warn("junk_skipped", read.skipped);
}

/// Key spelling folded for comparison: ASCII lower case, no '_', '-' or '$'.
inline std::string fold(std::string_view key) {
    std::string out;
    for (char c : key)
        if (c != '_' && c != '-' && c != '$')
            out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    return out;
}

/// Whether `name` folds (as fold() does) to `folded`, without building the folded copy.
inline bool folds_to(std::string_view name, std::string_view folded) {
    size_t j = 0;
    for (char c : name) {
        if (c == '_' || c == '-' || c == '$') continue;
        const char l = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
        if (j >= folded.size() || folded[j] != l) return false;
        ++j;
    }
    return j == folded.size();
}

/// obj[key]; else the first member whose folded name equals the folded key. False when `e` is
/// not an object, the key is absent or its value is null. One pass over the members, no
/// allocation for keys of up to 15 bytes: most lookups are of optional keys that are absent.
inline bool find(element e, std::string_view key, element& out) {
    object obj;
    if (e.get(obj) != simdjson::SUCCESS) return false;
    const std::string want = fold(key);
    bool folded_found = false;
    for (auto [k, v] : obj) {
        if (k == key) {
            out = v;
            return !v.is_null();
        }
        if (!folded_found && folds_to(k, want)) {
            out = v;
            folded_found = true;
        }
    }
    return folded_found && !out.is_null();
}

inline bool has(element e, std::string_view key) {
    element v;
    return find(e, key, v);
}

/// A number as written by a person: integers without a fraction.
inline std::string number_text(element v) {
    int64_t i;
    uint64_t u;
    double d;
    if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
    if (v.get(u) == simdjson::SUCCESS) return std::to_string(u);
    if (v.get(d) != simdjson::SUCCESS || !std::isfinite(d)) return "";
    if (d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return ec == std::errc() ? std::string(buf, end) : "";
}

/// Whether a value had the expected type when read as text.
enum class fit { absent, exact, converted, unusable };

/// Any value as text: a string as is, a number as written, a boolean as true/false, an array's
/// elements joined with `sep`, an object by its value/text/name/#text member. Depth-bounded.
inline std::string any_text(element v, std::string_view sep, int depth = 0) {
    std::string_view sv;
    switch (v.type()) {
        case element_type::STRING:
            return v.get(sv) == simdjson::SUCCESS ? std::string(sv) : "";
        case element_type::INT64:
        case element_type::UINT64:
        case element_type::DOUBLE:
            return number_text(v);
        case element_type::BOOL: {
            bool b = false;
            return v.get(b) == simdjson::SUCCESS && b ? "true" : "false";
        }
        case element_type::NULL_VALUE:
            return "";
        case element_type::ARRAY: {
            if (depth > 4) return "";
            std::string out;
            size_t n = 0;
            array arr;
            if (v.get(arr) != simdjson::SUCCESS) return "";
            for (element x : arr) {
                if (++n > 1000) break;
                std::string t(trim(any_text(x, sep, depth + 1)));
                if (!t.empty()) out += (out.empty() ? "" : std::string(sep)) + t;
            }
            return out;
        }
        case element_type::OBJECT: {
            if (depth > 4) return "";
            element x;
            for (std::string_view k : {"value", "text", "name", "#text", "$", "content", "by"})
                if (find(v, k, x)) return any_text(x, sep, depth + 1);
            return "";
        }
    }
    return "";
}

/// Reads the members of one JSON object as story fields, warning on the story's wire meta when a
/// value had to be converted (`field_repaired`) or could not be read (`unknown_value`).
class fields {
  public:
    fields(element obj, wire_meta& w) : obj_(obj), w_(w) {}

    element obj() const { return obj_; }
    /// The members; the reader is only ever made for an object.
    object members() const {
        object o;
        [[maybe_unused]] auto err = obj_.get(o);  // always an object: see fields()
        return o;
    }
    /// obj[key]; else the first member whose folded name equals the folded key (as find()).
    /// The members are indexed by folded name on the first call: an adapter asks one item for
    /// dozens of keys, most of them absent, and scanning every member for each was the most
    /// expensive part of reading JSON.
    bool get(std::string_view key, element& out) const {
        if (!indexed_) build_index();
        const std::string want = fold(key);
        auto lo =
            std::lower_bound(index_.begin(), index_.end(), want,
                             [](const member& m, const std::string& k) { return m.folded < k; });
        const member* pick = nullptr;
        for (auto it = lo; it != index_.end() && it->folded == want; ++it) {
            if (it->name == key) {
                pick = &*it;
                break;
            }
            if (!pick || it->order < pick->order) pick = &*it;
        }
        if (!pick) return false;
        out = pick->value;
        return !out.is_null();
    }
    bool has(std::string_view key) const {
        element v;
        return get(key, v);
    }

    /// A string field. Numbers, booleans and arrays of strings are converted (field_repaired);
    /// an object is read by its value/text/name member, else ignored (unknown_value).
    std::string text(std::string_view key, std::string_view sep = "; ") const {
        element v;
        if (!get(key, v)) return "";
        std::string out = any_text(v, sep);
        if (v.type() == element_type::STRING) return out;
        if (out.empty() && (v.type() == element_type::OBJECT || v.type() == element_type::ARRAY)) {
            if (!empty_container(v))
                w_.warn("unknown_value", std::string(key) + " is a JSON " + type_name(v) +
                                             " with no text in it; ignored");
            return "";
        }
        if (!out.empty())
            w_.warn("field_repaired", std::string(key) + " is a JSON " + type_name(v) +
                                          ", not a string; read as '" + short_text(out) + "'");
        return out;
    }

    /// A field that may be a string or a number (versions, urgencies, AP's ids): both read
    /// without a warning; other types as text().
    std::string scalar(std::string_view key) const {
        element v;
        if (!get(key, v)) return "";
        if (v.is_string() || v.is_number()) return any_text(v, " ");
        return text(key);
    }

    /// A date-time field: a string as is (core checks and converts it); a number is taken as
    /// Unix time, in milliseconds when it is past the year 5138 in seconds.
    std::string time(std::string_view key) const {
        element v;
        if (!get(key, v)) return "";
        double d;
        if (v.type() != element_type::STRING && v.get(d) == simdjson::SUCCESS && std::isfinite(d) &&
            d > 0 && d < 1e14) {
            auto secs = static_cast<int64_t>(d > 1e11 ? d / 1000 : d);
            std::string t = utc_time::from_epoch(secs).rfc3339();
            w_.warn("field_repaired", std::string(key) + " " + number_text(v) +
                                          " is a number; read as Unix time " + t);
            return t;
        }
        return text(key);
    }

    /// An integer field given as a number or as digits in a string; nullopt otherwise (with
    /// unknown_value when something else was there).
    std::optional<int64_t> integer(std::string_view key) const {
        element v;
        if (!get(key, v)) return std::nullopt;
        std::string t = any_text(v, " ");
        std::string_view sv = trim(t);
        double d = 0;
        auto [end, ec] = std::from_chars(sv.data(), sv.data() + sv.size(), d);
        if (ec == std::errc() && end == sv.data() + sv.size() && std::isfinite(d) &&
            std::fabs(d) < 1e12) {
            if (v.type() == element_type::STRING && d != std::floor(d)) return std::nullopt;
            return static_cast<int64_t>(std::llround(d));
        }
        return std::nullopt;
    }

    wire_meta& wire() const { return w_; }

    static std::string short_text(std::string_view s) {
        std::string out(s.substr(0, 60));
        if (s.size() > 60) out += "…";
        return clean_line(out);
    }

  private:
    static const char* type_name(element v) {
        switch (v.type()) {
            case element_type::ARRAY:
                return "array";
            case element_type::OBJECT:
                return "object";
            case element_type::BOOL:
                return "boolean";
            case element_type::STRING:
                return "string";
            case element_type::NULL_VALUE:
                return "null";
            default:
                return "number";
        }
    }
    static bool empty_container(element v) {
        array a;
        object o;
        if (v.get(a) == simdjson::SUCCESS) return a.size() == 0;
        if (v.get(o) == simdjson::SUCCESS) return o.size() == 0;
        return false;
    }

    struct member {
        std::string folded;
        std::string_view name;
        element value;
        size_t order;  // position in the object: the first folded match wins
    };
    void build_index() const {
        indexed_ = true;
        object o;
        if (obj_.get(o) != simdjson::SUCCESS) return;
        for (auto [k, v] : o) index_.push_back({fold(k), k, v, index_.size()});
        std::sort(index_.begin(), index_.end(), [](const member& a, const member& b) {
            return a.folded != b.folded ? a.folded < b.folded : a.order < b.order;
        });
    }

    mutable std::vector<member> index_;
    mutable bool indexed_ = false;
    element obj_;
    wire_meta& w_;
};

/// Calls f(element) for each entry of a list-valued field: an array's elements, or the value
/// itself when it is a single string or object. An object whose members are all objects (a
/// 1.x-style map keyed by name) gives its members. At most `max` entries.
template <typename F>
void each(element v, F&& f, size_t max = 1000) {
    size_t n = 0;
    array arr;
    object obj;
    if (v.get(arr) == simdjson::SUCCESS) {
        for (element x : arr)
            if (!x.is_null() && n++ < max) f(x);
        return;
    }
    if (v.get(obj) == simdjson::SUCCESS && obj.size() > 0) {
        bool map = true;
        for (auto [k, x] : obj)
            if (x.type() != element_type::OBJECT) map = false;
        if (map) {
            for (auto [k, x] : obj)
                if (n++ < max) f(x);
            return;
        }
    }
    if (!v.is_null()) f(v);
}

/// A BCP 47 tag as ninjs wants it: "en_US" -> "en-US" (field_repaired); anything that is still
/// not a language tag is dropped (unknown_value).
inline std::string language(std::string lang, wire_meta& w) {
    std::string fixed(trim(lang));
    for (char& c : fixed)
        if (c == '_') c = '-';
    auto valid = [](std::string_view t) {
        auto parts = split(t, '-');
        for (size_t i = 0; i < parts.size(); ++i) {
            auto p = parts[i];
            size_t lo = i == 0 ? 2 : 1;
            if (p.size() < lo || p.size() > 8) return false;
            for (char c : p)
                if (!std::isalpha(static_cast<unsigned char>(c)) &&
                    (i == 0 || !std::isdigit(static_cast<unsigned char>(c))))
                    return false;
        }
        return !t.empty();
    };
    if (fixed.empty()) return "";
    if (!valid(fixed)) {
        w.warn("unknown_value",
               "language '" + fields::short_text(lang) + "' is not a language tag; dropped");
        return "";
    }
    if (fixed != lang) w.warn("field_repaired", "language '" + lang + "' read as '" + fixed + "'");
    return fixed;
}

/// The item id inside an AP Media API content URL
/// (https://api.ap.org/media/v/content/<itemid>?qt=…): the URL itself carries a per-fetch token.
/// "" for any other URI.
inline std::string ap_media_item_id(std::string_view uri) {
    if (uri.find("api.ap.org/") == std::string_view::npos) return "";
    size_t q = uri.find_first_of("?#");
    std::string_view path = uri.substr(0, q);
    size_t slash = path.rfind('/');
    if (slash == std::string_view::npos) return "";
    std::string_view id = path.substr(slash + 1);
    if (id.size() < 8 || id.size() > 64) return "";
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c))) return "";
    return std::string(id);
}

}  // namespace wire::adapters::json
