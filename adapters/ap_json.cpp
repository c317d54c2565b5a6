// ap-json: AP Media API item JSON (docs/formats.md). The shapes that come in: the
// response envelope {api_version, method, data:{meta, item}}, a feed/search page
// {data:{items:[{meta, item}…]}} (one story per entry, each may fail on its own), a bare item
// as pushed by some integrations, and the same without the envelope ({item}, {items}, an array
// of items, several documents one after another). Values of an unexpected JSON type are
// converted or ignored with a warning, never refused.
//
// Body: the Media API only links the story text (renditions.nitf.href, not fetchable offline).
// An integration that fetched it can deliver it inline; we read, in this order, the item's
// "body_nitf" (a NITF document or fragment: body.content is taken), "body_html", "body_xhtml",
// the envelope's "nitf":{"body_html"} (Superdesk's AP feeding service shape), then with a
// warning other keys fetchers use (body_text, body, text, nitf, content, a rendition's inline
// body). Without one the story is headline-only + a warning.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "ap_json_fields.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "json_common.hpp"

namespace wire::adapters {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;
using namespace ap;

constexpr size_t k_max_items = 1000;  // stories per feed page
constexpr size_t k_max_depth = 64;    // JSON nesting; real AP items stay under 10

adapter_error refuse(story_errc code, std::string message, std::string path = {}) {
    return adapter_error{code, std::move(message), std::nullopt, std::move(path)};
}

// editorialtypes -> lifecycle (section 12). Disregard ranks as a kill, as in lifecycle.cpp:
// the item must not be used. HoldForRelease/Advance are embargoes, handled by the caller.
std::optional<signal_kind> editorial_signal(std::string_view type) {
    std::string t = ascii_lower(type);
    if (t == "kill" || t == "elimination" || t == "disregard") return signal_kind::kill;
    if (t == "withhold") return signal_kind::withhold;
    if (t == "corrective" || t == "correction" || t == "clarification")
        return signal_kind::correction;
    if (t == "lead" || t == "writethru" || t == "add" || t == "takes") return signal_kind::update;
    if (t == "advisory") return signal_kind::advisory;
    return std::nullopt;
}

void map_lifecycle(element it, story& s, int64_t version) {
    signal_kind sig = signal_kind::new_story;
    std::string status = ascii_lower(s.pubstatus);
    if (status.empty()) status = "usable";
    if (status == "cancelled") status = "canceled";
    if (status == "canceled") sig = signal_kind::kill;
    if (status == "withheld") sig = signal_kind::withhold;
    if (status == "embargoed") {
        // ninjs has no "embargoed" status: the time in `embargoed` is what consumers enforce.
        status = "usable";
        if (s.embargoed.empty())
            s.wire.warn("embargo_unknown",
                        "pubstatus 'embargoed' without an embargoed time; no embargo set");
    }
    s.pubstatus = status;

    auto types = strings(it, "editorialtypes");
    for (const auto& t : types)
        if (auto k = editorial_signal(t)) sig = stronger(sig, *k);
    if ((has(types, "HoldForRelease") || has(types, "Advance")) && s.embargoed.empty())
        s.wire.warn("embargo_unknown",
                    "editorialtypes ask to hold for release but the item has no "
                    "embargoed time; no embargo set");
    // Free text only adds update/correction/advisory: an ednote saying "two people were
    // killed" must not cancel a story; AP always sends kills and withholds as fields too.
    for (const auto& text : {s.ednote, s.wire.take_key})
        if (auto k = signal_from_text(text);
            k && *k != signal_kind::kill && *k != signal_kind::withhold)
            sig = stronger(sig, *k);
    // A later version replaces the earlier one even when AP names no editorial type.
    if (version > 0 && sig == signal_kind::new_story) sig = signal_kind::update;
    s.wire.signal = sig;  // finalize_story() makes pubstatus agree with a kill or withhold

    // "Test" items are passed on flagged, never dropped silently.
    if (has(strings(it, "signals"), "Test"))
        s.wire.warn("test_item", "AP signals mark this item as a test (Test)");
}

// `uri` carries a query token and changes between fetches; itemid is stable across versions,
// and the uri must not depend on the feed's profile, so it is always urn:wiregate:ap:<itemid>.
// Without altids.itemid: the item's own itemid, the id inside an api.ap.org uri, the item
// part of the etag (<itemid>_<suffix>), friendlykey, id; else another uri as it is; else ""
// (core derives one from the text).
void read_id(const json::fields& f, story& s) {
    std::string itemid, etag, friendly;
    element alt;
    if (f.get("altids", alt))
        json::each(alt, [&](element a) {  // {itemid, etag…}, or [{role, value}]
            auto add = [&](std::string role, std::string value) {
                if (role == "itemid" && itemid.empty()) itemid = trim(value);
                if (role == "etag") etag = trim(value);
                if (role == "friendlykey") friendly = trim(value);
                if (s.altids.size() < k_max_list) s.altids.push_back({role, std::move(value)});
            };
            if (json::has(a, "role") && json::has(a, "value"))
                add(str(a, "role"), str(a, "value"));
            else if (object o; a.get(o) == simdjson::SUCCESS)
                for (auto [k, v] : o) add(std::string(k), scalar(v));
        });
    if (!itemid.empty()) {
        s.uri = "urn:wiregate:ap:" + itemid;
        return;
    }
    std::string uri(trim(f.text("uri"))), id, from;
    auto pick = [&](std::string value, std::string what) {
        if (id.empty() && !trim(value).empty()) id = trim(value), from = std::move(what);
    };
    pick(f.scalar("itemid"), "itemid");
    pick(json::ap_media_item_id(uri), "the item id in uri");
    if (size_t cut = etag.find('_'); cut != std::string::npos && cut >= 8)
        pick(etag.substr(0, cut), "the item part of altids.etag");
    pick(friendly, "altids.friendlykey");
    pick(f.scalar("id"), "id");
    pick(f.scalar("_id"), "_id");
    if (!id.empty()) {
        s.uri = "urn:wiregate:ap:" + id;
    } else if (!uri.empty()) {
        s.uri = uri;
        from = "uri";
    }
    if (!s.uri.empty())
        s.wire.warn("id_derived", "no altids.itemid; used " + from + " ('" + s.uri + "')");
}

void read_headlines(const json::fields& f, story& s) {
    for (auto [key, role] :
         {std::pair{"headline", "main"}, {"headline_extended", "sub"}, {"headline_seo", "seo"}})
        if (auto h = f.text(key, " "); !h.empty()) s.headlines.push_back({role, "text/plain", h});
    if (!s.headlines.empty() && s.headlines.front().role != "main") {
        s.wire.warn("headline_guessed",
                    std::string("no headline; used headline_") +
                        (s.headlines.front().role == "sub" ? "extended" : "seo"));
        s.headlines.front().role = "main";
    } else if (s.headlines.empty() && !trim(s.title).empty()) {
        s.headlines.push_back({"main", "text/plain", s.title});
        s.wire.warn("headline_guessed", "no headline; used title");
    }
    for (auto [key, role] : {std::pair{"description_summary", "summary"},
                             {"summary", "summary"},
                             {"description_caption", "caption"},
                             {"description_creditline", "creditline"}})
        if (auto d = f.text(key, "\n\n"); !d.empty())
            s.descriptions.push_back({role, "text/plain", d});
}

void read_meta(const json::fields& f, story& s, const profile& prof) {
    const std::string raw_type(trim(f.text("type")));
    s.type = ascii_lower(raw_type);
    if (s.type != raw_type)
        s.wire.warn("field_repaired", "type '" + raw_type + "' read as '" + s.type + "'");
    if (s.type == "complexdata") s.type = "composite";  // APPL's name for a package
    if (s.type.empty()) s.type = "text";
    static constexpr std::string_view k_types[] = {"text",    "audio",   "video",
                                                   "picture", "graphic", "composite"};
    if (std::find(std::begin(k_types), std::end(k_types), s.type) == std::end(k_types)) {
        s.wire.warn("unknown_value", "type '" + s.type + "' is not a ninjs type; used 'text'");
        s.type = "text";
    }
    s.profile = f.text("profile");
    s.language = json::language(f.text("language"), s.wire);
    s.versioncreated = f.time("versioncreated");
    s.firstcreated = f.time("firstcreated");
    s.embargoed = f.time("embargoed");
    s.expires = f.time("expires");
    s.pubstatus = f.text("pubstatus");

    std::string urgency(trim(f.scalar("urgency")));
    if (!urgency.empty()) {
        if (auto u = prof.source_urgency.find(urgency); u != prof.source_urgency.end())
            s.urgency = u->second;
        else
            s.wire.warn("urgency_unmapped",
                        "AP urgency '" + urgency + "' is not in the profile table");
    }
    // The agency's own code: the editorialpriority letter, else the urgency digit itself.
    s.wire.priority = f.scalar("editorialpriority");
    if (s.wire.priority.empty()) s.wire.priority = urgency;
    s.title = f.text("title");
    s.ednote = f.text("ednote", "\n");
    if (s.ednote.empty()) s.ednote = f.text("description_editornotes", "\n");
}

int64_t read_version(const json::fields& f, story& s) {
    int64_t version = -1;  // 0 = first, as AP counts
    if (std::string text(trim(f.scalar("version"))); !text.empty()) {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
        if (ec == std::errc() && end == text.data() + text.size() && version >= 0) {
            s.version = std::to_string(version);
        } else {
            version = -1;
            s.wire.warn("bad_version", "version '" + text + "' is not a whole number; dropped");
        }
    }
    return version;
}

item_result decode_item(element it, const std::string& path, const profile& prof, element outer) {
    if (!it.is_object())
        return refuse(story_errc::malformed, "an AP item must be a JSON object", path);
    story s;
    json::fields f(it, s.wire);
    read_id(f, s);
    int64_t version = read_version(f, s);
    read_meta(f, s, prof);
    read_headlines(f, s);

    // "BC-EU--Ukraine-NATO, 1st Ld-Writethru": the part after the comma is AP's version/take
    // marker; BC-, AM-, PM- is the transmission cycle, not part of the slug.
    s.slugline = f.text("slugline");
    if (auto comma = s.slugline.rfind(','); comma != std::string::npos) {
        s.wire.take_key = trim(std::string_view(s.slugline).substr(comma + 1));
        s.slugline = trim(std::string_view(s.slugline).substr(0, comma));
    }
    for (std::string_view cycle : {"BC-", "AM-", "PM-"})
        if (s.slugline.size() > 3 && s.slugline.starts_with(cycle)) s.slugline.erase(0, 3);
    s.wire.sequence = str(it["altids"], "transref");  // AP's transmission number, e.g. s0005
    read_byline(f, s);
    read_place(f, s);
    s.copyrightnotice = f.text("copyrightnotice");
    for (const auto& u : strings(it, "usageterms"))
        s.usageterms += (s.usageterms.empty() ? "" : " ") + u;
    s.wire.keywords = strings(it, "keywords");
    if (element k; json::find(it, "keywords", k) && k.is_string()) {  // one comma-separated string
        const std::string all = s.wire.keywords.empty() ? "" : s.wire.keywords.front();
        s.wire.keywords.clear();
        for (auto part : split(all, ','))
            if (!trim(part).empty()) s.wire.keywords.emplace_back(trim(part));
    }

    s.subjects = ap_concepts(it, "subject", &s.wire.category);
    s.people = ap_concepts(it, "person");
    s.organisations = ap_concepts(it, "organisation");
    s.places = ap_concepts(it, "place");
    element sources;  // {name, type}: the type is the source's role
    if (f.get("infosource", sources))
        json::each(
            sources,
            [&](element c) {
                s.infosources.push_back({c.is_object() ? str(c, "name") : json::any_text(c, " "),
                                         "", "", "", str(c, "type")});
            },
            k_max_list);
    if (auto role = f.text("editorialrole"); !role.empty())
        s.genres.push_back({role, "", "", "apeditorialrole:" + role, ""});

    s.wire.agency = ascii_lower(trim(f.text("provider")));
    if (s.wire.agency.empty() && !s.infosources.empty())
        s.wire.agency = ascii_lower(trim(s.infosources.front().name));
    if (s.wire.agency.size() > 40) s.wire.agency.clear();

    map_body(it, s, outer);
    map_lifecycle(it, s, version);
    return s;
}

bool looks_like_item(element e);

// A feed page's entries: {meta, item} or bare items, each read (or refused) on its own. One
// entry or item where the list was expected is read as a list of one.
void decode_entries(element items, const std::string& base, const profile& prof,
                    std::vector<item_result>& out) {
    size_t i = 0;
    auto entry_of = [&](element entry) {
        std::string path = base + "/" + std::to_string(i++);
        if (out.size() >= k_max_items) {
            if (out.size() == k_max_items)
                out.push_back(refuse(story_errc::too_large,
                                     "more than " + std::to_string(k_max_items) +
                                         " items; only the first 1000 were read",
                                     path));
            return;
        }
        element inner;  // {meta, item}; a bare item in the array is read as well
        if (json::find(entry, "item", inner) && inner.is_array())
            decode_entries(inner, path + "/item", prof, out);
        else if (json::find(entry, "item", inner))
            out.push_back(decode_item(inner, path + "/item", prof, entry));
        else
            out.push_back(decode_item(entry, path, prof, entry));
    };
    if (items.is_object() && (json::has(items, "item") || looks_like_item(items)))
        entry_of(items);
    else
        json::each(items, entry_of, k_max_items + 1);
}

bool looks_like_item(element e) {
    for (auto key : {"altids", "itemid", "headline", "headline_extended", "body_nitf", "body_html",
                     "renditions", "versioncreated", "slugline", "bylines"})
        if (json::has(e, key)) return true;
    return false;
}

std::vector<item_result> decode_document(element doc, const profile& prof) {
    std::vector<item_result> out;
    if (doc.is_array()) {  // an array of items or feed entries
        decode_entries(doc, "", prof, out);
        return out;
    }
    if (!doc.is_object())
        return {refuse(story_errc::unsupported, "an AP Media API document is a JSON object")};
    element data, v;
    if (json::find(doc, "data", data)) {
        if (data.is_array() || (json::find(data, "item", v) && v.is_array())) {
            decode_entries(data.is_array() ? data : v, data.is_array() ? "/data" : "/data/item",
                           prof, out);  // a list where one item or one envelope was expected
            return out;
        }
        if (json::find(data, "item", v)) return {decode_item(v, "/data/item", prof, doc)};
        if (json::find(data, "items", v)) {
            decode_entries(v, "/data/items", prof, out);
            return out;
        }
        if (looks_like_item(data)) return {decode_item(data, "/data", prof, doc)};
    }
    if (json::find(doc, "items", v)) {
        decode_entries(v, "/items", prof, out);
        return out;
    }
    if (json::find(doc, "item", v) && v.is_object()) return {decode_item(v, "/item", prof, doc)};
    if (looks_like_item(doc)) return {decode_item(doc, "", prof, doc)};
    std::string why = "no data.item, data.items or item object";
    if (std::string m = str(doc["error"], "message"); !m.empty()) why += " (AP error: " + m + ")";
    // An AP envelope without an item is AP with nothing in it; anything else is not AP at all.
    bool envelope = json::has(doc, "data") || json::has(doc, "api_version");
    return {refuse(envelope ? story_errc::missing_required : story_errc::unsupported,
                   "not an AP Media API item: " + why, envelope ? "/data" : "")};
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    auto read = json::read_documents(utf8, k_max_depth, k_max_items);
    if (read.error == simdjson::DEPTH_ERROR)
        return {refuse(story_errc::too_large, "JSON nesting is deeper than 64")};
    if (read.error == simdjson::UTF8_ERROR)
        return {refuse(story_errc::bad_charset, "JSON is not valid UTF-8")};
    if (read.error)
        return {refuse(story_errc::malformed,
                       std::string("JSON: ") + simdjson::error_message(read.error))};
    std::vector<item_result> out;
    simdjson::dom::parser parser;
    for (size_t d = 0; d < read.docs.size() && out.size() <= k_max_items; ++d) {
        element doc;
        simdjson::padded_string padded(read.docs[d]);
        if (parser.parse(padded).get(doc) != simdjson::SUCCESS) continue;  // checked by the reader
        size_t before = out.size();
        for (auto& r : decode_document(doc, ctx.prof)) out.push_back(std::move(r));
        for (size_t i = before; i < out.size(); ++i)
            if (auto* s = std::get_if<story>(&out[i])) json::note_reading(read, d, s->wire);
    }
    return out;
}

// Which keys sit at the top level and directly under top-level "data"/"altids", read from the
// (possibly cut) first bytes with a string-aware depth counter: no parse, no allocation.
bool sniff(std::string_view head) {
    if (head.empty() || head[0] != '{') return false;
    int depth = 0;
    std::string_view top_key, open_key;  // last depth-1 key; the key owning the depth-2 object
    for (size_t i = 0; i < head.size(); ++i) {
        char c = head[i];
        if (c == '"') {
            size_t j = i + 1;
            while (j < head.size() && head[j] != '"') j += head[j] == '\\' ? 2 : 1;
            if (j >= head.size()) return false;
            std::string_view s = head.substr(i + 1, j - i - 1);
            size_t k = j + 1;
            while (k < head.size() && std::isspace(static_cast<unsigned char>(head[k]))) ++k;
            if (k < head.size() && head[k] == ':') {
                if (depth == 1) top_key = s;
                if (depth == 1 && s == "api_version") return true;
                if (depth == 2 && open_key == "data" && (s == "item" || s == "items")) return true;
                if (depth == 2 && open_key == "altids" && (s == "itemid" || s == "etag"))
                    return true;
            }
            i = j;
        } else if (c == '{' || c == '[') {
            if (++depth == 2) open_key = c == '{' ? top_key : std::string_view{};
        } else if (c == '}' || c == ']') {
            if (--depth <= 0) return false;
        }
    }
    return false;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"ap-json", "AP Media API item JSON (item, feed page, envelope)",
                                   decode, sniff, charset_source::utf8_only, 50});

}  // namespace wire::adapters
