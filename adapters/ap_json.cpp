// ap-json: AP Media API item JSON (wire-formats.md section 9). Three shapes come in: the
// response envelope {api_version, method, data:{meta, item}}, a feed/search page
// {data:{items:[{meta, item}…]}} (one story per entry, each may fail on its own) and a bare
// item object as pushed by some integrations.
//
// Body: the Media API only links the story text (renditions.nitf.href, not fetchable offline).
// An integration that fetched it can deliver it inline; we read, in this order, the item's
// "body_nitf" (a NITF document or fragment: body.content is taken), the item's "body_html"
// (an HTML fragment), and for a single-item envelope the envelope's "nitf":{"body_html"}
// (Superdesk's AP feeding service shape). Without one the story is headline-only + a warning.
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace wire::adapters {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t k_max_items = 1000;  // stories per feed page
constexpr size_t k_max_depth = 64;    // JSON nesting; real AP items stay under 10
constexpr size_t k_max_list = 1000;   // entries read from any one array of an item
constexpr std::string_view k_ap_cv = "http://cv.ap.org/id/";

adapter_error refuse(story_errc code, std::string message, std::string path = {}) {
    return adapter_error{code, std::move(message), std::nullopt, std::move(path)};
}

// A string, or an integer rendered as text (AP sends friendlykey and version as either).
std::string scalar(element v) {
    std::string_view sv;
    int64_t i;
    uint64_t u;
    if (v.get(sv) == simdjson::SUCCESS) return std::string(sv);
    if (v.get(i) == simdjson::SUCCESS) return std::to_string(i);
    if (v.get(u) == simdjson::SUCCESS) return std::to_string(u);
    return "";
}

// e[key] as text; `e` may itself be a lookup result, so paths chain without exceptions.
template <typename E>
std::string str(E e, std::string_view key) {
    element v;
    return e[key].get(v) == simdjson::SUCCESS ? scalar(v) : "";
}

// An array of strings, or a single string (usageterms has been seen both ways).
std::vector<std::string> strings(element e, std::string_view key) {
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

bool has(const std::vector<std::string>& v, std::string_view name) {
    for (const auto& s : v)
        if (ascii_lower(s) == ascii_lower(name)) return true;
    return false;
}

// AP concepts {code, name, rels[], scheme}: the code lives in AP's vocabulary
// (http://cv.ap.org/id/<code>) unless the entry names another scheme URI.
concept_ref ap_concept(element c) {
    concept_ref r;
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
std::vector<concept_ref> ap_concepts(element item, std::string_view key,
                                     std::string* category = nullptr) {
    std::vector<concept_ref> out;
    array arr;
    if (item[key].get(arr) != simdjson::SUCCESS) return out;
    for (element c : arr) {
        if (out.size() >= k_max_list) break;
        if (category && has(strings(c, "rels"), "category")) {
            if (category->empty()) *category = str(c, "code");
            continue;
        }
        out.push_back(ap_concept(c));
    }
    return out;
}

// The inside of body.content in a NITF document (any namespace prefix), cut as text so that
// DTD entities such as &mdash; reach the sanitiser, which knows them; XML parsing would not. A
// fragment without body.content goes to the sanitiser whole (it understands p, hl2, block…).
std::string nitf_body(std::string_view nitf) {
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
std::string dateline_of(std::string_view plain) {
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

void map_body(element it, story& s, std::string_view outer_body) {
    std::string nitf = str(it, "body_nitf");
    if (!nitf.empty()) s.body_html = nitf_body(nitf);
    if (s.body_html.empty()) s.body_html = str(it, "body_html");
    if (s.body_html.empty()) s.body_html = std::string(outer_body);
    if (!s.body_html.empty()) {
        s.wire.dateline = dateline_of(html_to_text(sanitize_html(clean_text(s.body_html))));
        return;
    }
    if (s.type != "text") return;  // a picture's caption is its text
    // Not the href itself in the warning: it carries the customer's query token.
    if (it["renditions"]["nitf"]["href"].error() == simdjson::SUCCESS)
        s.wire.warn("no_body", "body is only available at renditions.nitf.href");
    else if (ascii_lower(str(it, "editorialrole")) != "newsalert")  // alerts: headline only
        s.wire.warn("no_body", "the item carries no body");
}

item_result decode_item(element it, const std::string& path, const profile& prof,
                        std::string_view outer_body) {
    object obj;
    if (it.get(obj) != simdjson::SUCCESS)
        return refuse(story_errc::malformed, "an AP item must be a JSON object", path);
    story s;
    std::string itemid;
    object altids;
    if (it["altids"].get(altids) == simdjson::SUCCESS)
        for (auto [k, v] : altids) {
            if (s.altids.size() >= k_max_list) break;
            std::string value = scalar(v);
            if (k == "itemid") itemid = value;
            s.altids.push_back({std::string(k), std::move(value)});
        }
    if (trim(itemid).empty())
        return refuse(story_errc::missing_required, "AP item has no altids.itemid",
                      path + "/altids/itemid");
    // `uri` carries a query token and changes between fetches; itemid is stable across versions.
    // Left without a scheme so normalize() gives it the profile's prefix (urn:wiregate:ap:…).
    // AP's itemid is stable across versions; the uri must not depend on the feed's profile,
    // or re-profiling a feed would re-key every story.
    s.uri = "urn:wiregate:ap:" + std::string(trim(itemid));

    int64_t version = -1;  // 0 = first, as AP counts
    if (std::string text = str(it, "version"); !text.empty()) {
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
        if (ec == std::errc() && end == text.data() + text.size() && version >= 0)
            s.version = std::to_string(version);
        else
            s.wire.warn("bad_version", "version '" + text + "' is not a whole number; dropped");
    }
    s.type = str(it, "type");
    if (s.type == "complexdata") s.type = "composite";  // APPL's name for a package
    if (s.type.empty()) s.type = "text";
    static constexpr std::string_view k_types[] = {"text",    "audio",   "video",
                                                   "picture", "graphic", "composite"};
    if (std::find(std::begin(k_types), std::end(k_types), s.type) == std::end(k_types)) {
        s.wire.warn("unknown_value", "type '" + s.type + "' is not a ninjs type; used 'text'");
        s.type = "text";
    }
    s.profile = str(it, "profile");
    s.language = str(it, "language");
    s.versioncreated = str(it, "versioncreated");
    s.firstcreated = str(it, "firstcreated");
    s.embargoed = str(it, "embargoed");
    s.expires = str(it, "expires");
    s.pubstatus = str(it, "pubstatus");

    std::string urgency = str(it, "urgency");
    if (!urgency.empty()) {
        if (auto u = prof.source_urgency.find(urgency); u != prof.source_urgency.end())
            s.urgency = u->second;
        else
            s.wire.warn("urgency_unmapped",
                        "AP urgency '" + urgency + "' is not in the profile table");
    }
    // The agency's own code: the editorialpriority letter, else the urgency digit itself.
    s.wire.priority = str(it, "editorialpriority");
    if (s.wire.priority.empty()) s.wire.priority = urgency;

    s.title = str(it, "title");
    s.ednote = str(it, "ednote");
    if (s.ednote.empty()) s.ednote = str(it, "description_editornotes");
    for (auto [key, role] :
         {std::pair{"headline", "main"}, {"headline_extended", "sub"}, {"headline_seo", "seo"}})
        if (auto h = str(it, key); !h.empty()) s.headlines.push_back({role, "text/plain", h});
    for (auto [key, role] : {std::pair{"description_summary", "summary"},
                             {"description_caption", "caption"},
                             {"description_creditline", "creditline"}})
        if (auto d = str(it, key); !d.empty()) s.descriptions.push_back({role, "text/plain", d});

    // "BC-EU--Ukraine-NATO, 1st Ld-Writethru": the slug stays stable across versions, the part
    // after the comma is AP's version/take marker.
    s.slugline = str(it, "slugline");
    if (auto comma = s.slugline.rfind(','); comma != std::string::npos) {
        s.wire.take_key = trim(std::string_view(s.slugline).substr(comma + 1));
        s.slugline = trim(std::string_view(s.slugline).substr(0, comma));
    }
    s.wire.sequence = str(it["altids"], "transref");  // AP's transmission number, e.g. s0005

    array bylines;
    if (it["bylines"].get(bylines) == simdjson::SUCCESS)
        for (element b : bylines) {
            std::string by = str(b, "by"), title = str(b, "title");
            if (by.empty()) continue;
            if (!title.empty()) by += ", " + title;
            s.by += (s.by.empty() ? "" : "; ") + by;
        }
    for (const char* who : {"photographer", "producer"})
        if (s.by.empty()) s.by = str(it[who], "name");

    s.located = str(it, "located");
    if (s.located.empty()) {
        std::string city = str(it["datelinelocation"], "city");
        std::string country = str(it["datelinelocation"], "countryname");
        s.located = city.empty() || country.empty() ? city + country : city + ", " + country;
    }
    s.copyrightnotice = str(it, "copyrightnotice");
    for (const auto& u : strings(it, "usageterms"))
        s.usageterms += (s.usageterms.empty() ? "" : " ") + u;
    s.wire.keywords = strings(it, "keywords");

    s.subjects = ap_concepts(it, "subject", &s.wire.category);
    s.people = ap_concepts(it, "person");
    s.organisations = ap_concepts(it, "organisation");
    s.places = ap_concepts(it, "place");
    array sources;  // {name, type}: the type is the source's role
    if (it["infosource"].get(sources) == simdjson::SUCCESS)
        for (element c : sources)
            if (s.infosources.size() < k_max_list)
                s.infosources.push_back({str(c, "name"), "", "", "", str(c, "type")});
    if (auto role = str(it, "editorialrole"); !role.empty())
        s.genres.push_back({role, "", "", "apeditorialrole:" + role, ""});

    s.wire.agency = ascii_lower(trim(str(it, "provider")));
    if (s.wire.agency.empty() && !s.infosources.empty())
        s.wire.agency = ascii_lower(trim(s.infosources.front().name));

    map_body(it, s, outer_body);
    map_lifecycle(it, s, version);
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    simdjson::dom::parser parser;
    element doc;
    simdjson::padded_string padded(utf8);
    auto err = parser.allocate(std::max<size_t>(utf8.size(), 64), k_max_depth);
    if (!err) err = parser.parse(padded).get(doc);
    if (err == simdjson::DEPTH_ERROR)
        return {refuse(story_errc::too_large, "JSON nesting is deeper than 64")};
    if (err == simdjson::UTF8_ERROR)
        return {refuse(story_errc::bad_charset, "JSON is not valid UTF-8")};
    if (err)
        return {
            refuse(story_errc::malformed, std::string("JSON: ") + simdjson::error_message(err))};
    if (doc.type() != simdjson::dom::element_type::OBJECT)
        return {refuse(story_errc::unsupported, "an AP Media API document is a JSON object")};
    element data;
    if (doc["data"].get(data) == simdjson::SUCCESS) {
        element single;
        array items;
        if (data["item"].get(single) == simdjson::SUCCESS) {
            std::string_view outer;
            if (doc["nitf"]["body_html"].get(outer) != simdjson::SUCCESS) outer = {};
            return {decode_item(single, "/data/item", ctx.prof, outer)};
        }
        if (data["items"].get(items) == simdjson::SUCCESS) {
            std::vector<item_result> out;
            size_t i = 0;
            for (element entry : items) {
                if (i == k_max_items) {
                    out.push_back(refuse(story_errc::too_large,
                                         "feed page holds " + std::to_string(items.size()) +
                                             " items; only the first 1000 were read",
                                         "/data/items/1000"));
                    break;
                }
                std::string path = "/data/items/" + std::to_string(i++);
                element inner;  // {meta, item}; a bare item in the array is read as well
                if (entry["item"].get(inner) == simdjson::SUCCESS)
                    out.push_back(decode_item(inner, path + "/item", ctx.prof, {}));
                else
                    out.push_back(decode_item(entry, path, ctx.prof, {}));
            }
            return out;
        }
    }
    if (doc["altids"].error() == simdjson::SUCCESS || doc["headline"].error() == simdjson::SUCCESS)
        return {decode_item(doc, "", ctx.prof, {})};
    std::string why = "no data.item, data.items or item object";
    if (std::string m = str(doc["error"], "message"); !m.empty()) why += " (AP error: " + m + ")";
    // An AP envelope without an item is AP with nothing in it; anything else is not AP at all.
    bool envelope =
        doc["data"].error() == simdjson::SUCCESS || doc["api_version"].error() == simdjson::SUCCESS;
    return {refuse(envelope ? story_errc::missing_required : story_errc::unsupported,
                   "not an AP Media API item: " + why, envelope ? "/data" : "")};
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
                if (depth == 2 && open_key == "altids" && s == "itemid") return true;
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
