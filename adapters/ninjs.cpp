// ninjs: IPTC News in JSON, 1.x (body_* / headline / byline / maps), 2.x (named arrays) and
// 3.x (camelCase: keys are matched ignoring case and underscores) in; a JSON array of ninjs
// objects, or several objects one after another, yields one story per object. Values of an
// unexpected JSON type are converted or ignored with a warning, never refused.
#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "core/concepts.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "json_common.hpp"
#include "ninjs_fields.hpp"

namespace wire::adapters {
namespace {

using json::element;
using json::fields;
using namespace ninjs;

constexpr size_t k_max_items = 1000;  // one HTTP document may carry many stories, not unlimited
constexpr size_t k_max_depth = 64;    // ninjs nests a handful of levels

// uri; else guid (ninjs 1.x / Superdesk habit), altids, itemid, _id, id. A tokenised AP media
// API URL becomes urn:wiregate:ap:<itemid>, as the ap-json adapter names the same item. No
// id at all leaves uri empty: core derives one from the text.
void read_id(const fields& f, story& s) {
    s.uri = std::string(trim(f.text("uri")));
    if (std::string ap = json::ap_media_item_id(s.uri); !ap.empty()) {
        s.uri = "urn:wiregate:ap:" + ap;
        s.wire.warn("id_derived",
                    "uri is an AP media API URL with a per-fetch token; used its "
                    "item id ('" +
                        s.uri + "')");
        return;
    }
    if (!s.uri.empty()) return;
    std::string from;
    for (auto key : {"guid", "itemid", "_id", "id", "identifier"})
        if (s.uri = trim(f.scalar(key)); !s.uri.empty()) {
            from = key;
            break;
        }
    if (s.uri.empty())
        for (const auto& a : s.altids)
            if (!trim(a.value).empty()) {
                s.uri = trim(a.value);
                from = "altids " + (a.role.empty() ? std::string("entry") : "'" + a.role + "'");
                break;
            }
    if (!s.uri.empty()) s.wire.warn("id_derived", "no uri; used " + from + " '" + s.uri + "'");
}

void read_altids(const fields& f, story& s) {
    element v;
    json::object map;
    if (!f.get("altids", v)) return;
    if (v.get(map) == simdjson::SUCCESS && !json::has(v, "value")) {
        for (auto [k, x] : map)  // 1.x: a free object
            if (s.altids.size() < k_max_list)
                s.altids.push_back({std::string(k), json::any_text(x, " ")});
        return;
    }
    json::each(v, [&](element a) {
        if (s.altids.size() < k_max_list)
            s.altids.push_back(
                {member(a, "role"), a.is_string() ? json::any_text(a, " ") : member(a, "value")});
    });
}

void read_status(const fields& f, story& s) {
    std::string raw(trim(f.text("pubstatus")));
    std::string v = ascii_lower(raw);
    if (v.starts_with("stat:")) v = v.substr(5);  // a G2 QCode
    if (v.empty()) v = "usable";
    if (v == "cancelled" || v == "killed" || v == "kill" || v == "deleted" || v == "revoked")
        v = "canceled";
    if (v == "withhold" || v == "held") v = "withheld";
    if (v == "embargoed") {  // AP's fourth value: the embargo time is what consumers enforce
        v = "usable";
        if (s.embargoed.empty())
            s.wire.warn("embargo_unknown",
                        "pubstatus 'embargoed' without an embargoed time; no embargo set");
    } else if (!raw.empty() && v != raw && (v == "usable" || v == "withheld" || v == "canceled")) {
        s.wire.warn("field_repaired", "pubstatus '" + raw + "' read as '" + v + "'");
    }
    s.pubstatus = v;  // anything else: core warns and uses 'usable'
}

void read_urgency(const fields& f, story& s) {
    element v;
    if (!f.get("urgency", v)) return;
    std::string text(trim(json::any_text(v, " ")));
    if (text.empty()) return;
    s.wire.priority = text;
    double d = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(d) ||
        std::fabs(d) > 1e6) {
        s.wire.warn("urgency_unmapped", "urgency '" + fields::short_text(text) +
                                            "' is not a number; kept only as priority");
        return;
    }
    s.urgency = static_cast<int>(std::lround(d));
    if (d != std::floor(d))
        s.wire.warn("field_repaired",
                    "urgency " + text + " rounded to " + std::to_string(*s.urgency));
}

void read_meta(const fields& f, story& s) {
    const std::string raw_type(trim(f.text("type")));
    std::string type = ascii_lower(raw_type);
    if (type != raw_type)
        s.wire.warn("field_repaired", "type '" + raw_type + "' read as '" + type + "'");
    static constexpr std::string_view k_types[] = {"text",    "audio",     "video",    "picture",
                                                   "graphic", "composite", "component"};
    if (type.empty()) type = "text";
    if (std::find(std::begin(k_types), std::end(k_types), type) == std::end(k_types)) {
        s.wire.warn("unknown_value", "type '" + type + "' is not a ninjs type; used 'text'");
        type = "text";
    }
    s.type = type;
    s.profile = f.text("profile");
    if (element v; f.get("version", v)) {
        s.version = json::any_text(v, ".");
        if (v.type() == json::element_type::OBJECT || v.type() == json::element_type::ARRAY) {
            s.wire.warn("unknown_value", "version is not a string or number; ignored");
            s.version.clear();
        }
    }
    s.firstcreated = f.time("firstcreated");
    s.versioncreated = f.time("versioncreated");
    s.embargoed = f.time("embargoed");
    if (s.embargoed.empty()) s.embargoed = f.time("embargoeduntil");  // 3.x
    s.expires = f.time("expires");
    read_status(f, s);
    read_urgency(f, s);
    s.language = json::language(f.text("language"), s.wire);
    s.title = f.text("title");
    s.slugline = f.text("slugline");
    s.ednote = f.text("ednote", "\n");
    s.copyrightnotice = f.text("copyrightnotice");
    s.copyrightholder = f.text("copyrightholder");
    s.usageterms = f.text("usageterms", " ");
    for (const char* key : {"keywords", "keyword"})
        if (element v; f.get(key, v))
            json::each(v, [&](element k) {
                const std::string text = json::any_text(k, ",");
                for (auto part : split(text, ','))
                    if (!trim(part).empty() && s.wire.keywords.size() < k_max_list)
                        s.wire.keywords.emplace_back(trim(part));
            });
}

// 2.x bodies[]; 1.x body_<fmt> (html, xhtml, text, nitf…); then keys other producers use.
void read_bodies(const fields& f, story& s) {
    std::vector<text_item> bodies = text_items(f, "bodies", "main");
    for (auto [k, v] : f.members()) {
        std::string key = json::fold(k);
        if (!key.starts_with("body") || key == "bodies") continue;
        bodies.push_back({key.substr(4), "", json::any_text(v, "\n\n")});
        if (!v.is_string() && !bodies.back().value.empty())
            s.wire.warn("field_repaired", std::string(k) +
                                              " is not a JSON string; its parts "
                                              "were joined as paragraphs");
    }
    for (auto key : {"text", "content", "story", "fulltext", "article"})
        if (bodies.empty())
            if (auto t = text_items(f, key, ""); !t.empty() && !trim(t.front().value).empty()) {
                s.wire.warn("layout_guessed",
                            std::string("no ninjs body; body taken from '") + key + "'");
                bodies = std::move(t);
            }
    for (const auto& b : bodies) {
        if (trim(b.value).empty()) continue;
        if (is_html(b)) {
            if (s.body_html.empty()) s.body_html = b.value;
        } else if (s.body_text.empty()) {
            s.body_text = b.value;
        }
    }
    if (!s.body_html.empty() && !trim(html_to_text(sanitize_html(s.body_html))).empty())
        s.body_text.clear();
    else
        s.body_html.clear();
}

void read_text(const fields& f, story& s) {
    s.headlines = text_items(f, "headlines", "main");
    if (auto h = text_items(f, "headline", "main"); !h.empty())
        s.headlines.insert(s.headlines.begin(), h.begin(), h.end());
    s.descriptions = text_items(f, "descriptions", "summary");
    for (auto [k, v] : f.members()) {  // 1.x headline_<x>, description_<fmt>
        std::string key = json::fold(k);
        std::string text = json::any_text(v, "\n\n");
        if (key.starts_with("headline") && key.size() > 8 && key != "headlines")
            s.headlines.push_back({key.substr(8), "text/plain", text});
        if (key.starts_with("description") && key != "descriptions")
            s.descriptions.push_back(
                {"summary", "text/plain",
                 key.find("html") != std::string::npos ? html_to_text(sanitize_html(text)) : text});
    }
    for (auto& h : s.headlines)
        if (h.contenttype.find("html") != std::string::npos) {
            h.value = html_to_text(sanitize_html(h.value));
            h.contenttype = "text/plain";
        }
    read_bodies(f, s);

    s.by = f.text("by");
    if (s.by.empty()) s.by = f.text("byline");
    if (element v; s.by.empty() && f.get("authors", v) && !(s.by = json::any_text(v, "; ")).empty())
        s.wire.warn("layout_guessed", "by taken from authors");
    if (element v; f.get("located", v)) {
        s.located = json::any_text(v, ", ");
        if (s.located.empty() && v.type() == json::element_type::OBJECT) {
            std::string city = member(v, "city"), country = member(v, "country");
            if (country.empty()) country = member(v, "countryname");
            s.located = city.empty() || country.empty() ? city + country : city + ", " + country;
        }
    }
}

void read_concepts(const fields& f, story& s) {
    concepts(f, {"subjects", "subject"}, s.subjects);
    concepts(f, {"genres", "genre"}, s.genres);
    concepts(f, {"places", "place"}, s.places);
    concepts(f, {"people", "person"}, s.people);
    concepts(f, {"organisations", "organisation", "organizations", "organization"},
             s.organisations);
    concepts(f, {"infosources", "infosource"}, s.infosources);
}

bool has_text(const story& s) {
    for (const auto& h : s.headlines)
        if (!trim(h.value).empty()) return true;
    return !trim(s.body_html).empty() || !trim(s.body_text).empty();
}

// The text of the associated items (pictures' captions, a package's parts) is kept in the
// item's descriptions, role "association", so no text is lost; a text association is the
// item's own text when the item has none (a package), with a warning.
void read_associations(const fields& f, story& s) {
    element assoc;
    if (!f.get("associations", assoc)) return;
    json::each(
        assoc,
        [&](element a) {
            if (!a.is_object()) return;
            story inner;
            fields af(a, inner.wire);
            read_text(af, inner);
            std::string type = ascii_lower(af.text("type"));
            if (!has_text(s) && has_text(inner) && (type.empty() || type == "text")) {
                s.headlines = std::move(inner.headlines);
                s.body_html = std::move(inner.body_html);
                s.body_text = std::move(inner.body_text);
                if (s.by.empty()) s.by = std::move(inner.by);
                s.wire.warn("layout_guessed",
                            "the item holds no text; read the text of its "
                            "associated item '" +
                                member(a, "uri") + "'");
                return;
            }
            std::vector<std::string> texts;
            for (const auto& t : inner.headlines) texts.push_back(t.value);
            for (const auto& t : inner.descriptions) texts.push_back(t.value);
            texts.push_back(inner.body_html.empty() ? inner.body_text
                                                    : html_to_text(sanitize_html(inner.body_html)));
            for (auto& t : texts)
                if (!trim(t).empty() && s.descriptions.size() < k_max_list)
                    s.descriptions.push_back({"association", "text/plain", std::move(t)});
        },
        100);
}

// A headline from the title; the description as the body of a text item without one.
void fill_gaps(story& s) {
    bool headline = false;
    for (const auto& h : s.headlines) headline = headline || !trim(h.value).empty();
    if (!headline && !trim(s.title).empty()) {
        s.headlines.insert(s.headlines.begin(), {"main", "text/plain", s.title});
        s.wire.warn("headline_guessed", "no headline; used title");
    }
    if (s.body_html.empty() && trim(s.body_text).empty() && s.type == "text")
        for (const auto& d : s.descriptions)
            if (!trim(d.value).empty() && d.role != "association") {
                s.body_text = d.value;
                s.wire.warn("no_body",
                            "no body; the description (role '" + d.role + "') is used as the body");
                break;
            }
}

item_result decode_one(element doc, const std::string& path) {
    if (!doc.is_object())
        return adapter_error{story_errc::malformed, "a ninjs item must be a JSON object", {}, path};
    story s;
    fields f(doc, s.wire);
    read_altids(f, s);
    read_id(f, s);
    read_meta(f, s);
    read_text(f, s);
    read_concepts(f, s);
    read_associations(f, s);
    fill_gaps(s);
    if (!s.infosources.empty()) s.wire.agency = ascii_lower(trim(s.infosources.front().name));
    if (s.wire.agency.empty()) s.wire.agency = ascii_lower(trim(s.copyrightholder));
    if (s.wire.agency.size() > 40) s.wire.agency.clear();

    if (s.pubstatus == "canceled")
        s.wire.signal = signal_kind::kill;
    else if (s.pubstatus == "withheld")
        s.wire.signal = signal_kind::withhold;
    else if (auto sig = signal_from_text(s.ednote))
        s.wire.signal = *sig;
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context&) {
    auto read = json::read_documents(utf8, k_max_depth, k_max_items);
    if (read.error == simdjson::DEPTH_ERROR)
        return {adapter_error{story_errc::too_large, "JSON nesting is too deep", {}, ""}};
    if (read.error)
        return {adapter_error{story_errc::malformed,
                              std::string("JSON: ") + simdjson::error_message(read.error),
                              {},
                              ""}};
    std::vector<item_result> out;
    simdjson::dom::parser parser;
    const bool several = read.docs.size() > 1;
    for (size_t d = 0; d < read.docs.size(); ++d) {
        element doc;
        simdjson::padded_string padded(read.docs[d]);
        if (parser.parse(padded).get(doc) != simdjson::SUCCESS) continue;  // checked by the reader
        std::string base = several ? "/" + std::to_string(d) : "";
        size_t before = out.size();
        element list;
        const std::string page = page_list(doc, list);
        if (!page.empty()) doc = list, base += "/" + page;
        json::array arr;
        if (doc.get(arr) == simdjson::SUCCESS) {
            size_t i = 0;
            for (element e : arr) {
                if (out.size() == k_max_items) {
                    out.push_back(
                        adapter_error{story_errc::too_large,
                                      "more than " + std::to_string(k_max_items) + " items",
                                      {},
                                      base + "/" + std::to_string(i)});
                    return out;
                }
                out.push_back(decode_one(e, base + "/" + std::to_string(i++)));
            }
        } else {
            out.push_back(decode_one(doc, base));
        }
        if (out.size() == before && !page.empty())
            out.push_back(adapter_error{story_errc::missing_required,
                                        "the results page's '" + page + "' holds no item",
                                        {},
                                        base});
        for (size_t i = before; i < out.size(); ++i)
            if (auto* s = std::get_if<story>(&out[i])) {
                json::note_reading(read, d, s->wire);
                if (!page.empty())
                    s->wire.warn("layout_guessed",
                                 "a results page: the story is an entry of its '" + page + "'");
            }
        if (out.size() >= k_max_items) break;
    }
    return out;
}

// JSON whose first bytes show a ninjs key ("uri", "guid", "standard", a headline or body,
// any spelling case) and that is not an AP Media API envelope.
bool sniff(std::string_view head) {
    if (head.empty() || (head[0] != '{' && head[0] != '[')) return false;
    if (head.find("\"api_version\"") != std::string_view::npos) return false;
    std::string lower = ascii_lower(head);
    for (std::string_view key :
         {"\"uri\"", "\"standard\"", "\"$standard\"", "\"guid\"", "\"headline\"", "\"headlines\"",
          "\"versioncreated\"", "\"body_html\"", "\"body_text\"", "\"bodies\""})
        if (lower.find(key) != std::string::npos) return true;
    return false;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"ninjs", "IPTC ninjs 1.x, 2.x and 3.x JSON", decode, sniff,
                                   charset_source::utf8_only, 60});

}  // namespace wire::adapters
