// ninjs: IPTC News in JSON, 1.x (body_* / headline / byline maps) and 2.x (named arrays) in;
// a JSON array of ninjs objects yields one story per element.
#include <simdjson.h>

#include <cmath>

#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"

namespace wire::adapters {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

constexpr size_t k_max_items = 1000;  // one HTTP document may carry many stories, not unlimited

std::string str(element e, std::string_view key) {
    std::string_view v;
    if (e[key].get(v) == simdjson::SUCCESS) return std::string(v);
    return "";
}

// ninjs 1.x concepts {name, rel, scheme, code}; 2.x {name, rel, uri, literal}.
std::vector<concept_ref> concepts(element e, std::string_view key) {
    std::vector<concept_ref> out;
    array arr;
    if (e[key].get(arr) != simdjson::SUCCESS) return out;
    for (element c : arr) {
        concept_ref r{str(c, "name"), str(c, "rel"), str(c, "uri"), str(c, "literal"),
                      str(c, "role")};
        if (r.uri.empty() && r.literal.empty()) {
            std::string scheme = str(c, "scheme"), code = str(c, "code");
            if (!code.empty()) r.uri = scheme.empty() ? "" : scheme + code;
            if (r.uri.empty() || r.uri.find(':') == std::string::npos) {
                r.uri.clear();
                r.literal = scheme.empty() ? code : scheme + ":" + code;
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<text_item> items(element e, std::string_view key) {
    std::vector<text_item> out;
    array arr;
    if (e[key].get(arr) != simdjson::SUCCESS) return out;
    for (element t : arr) out.push_back({str(t, "role"), str(t, "contenttype"), str(t, "value")});
    return out;
}

item_result decode_one(element doc, std::string path) {
    object obj;
    if (doc.get(obj) != simdjson::SUCCESS)
        return adapter_error{story_errc::malformed, "a ninjs item must be a JSON object", {}, path};
    story s;
    s.uri = str(doc, "uri");
    if (s.uri.empty())
        return adapter_error{
            story_errc::missing_required, "ninjs item has no uri", {}, path + "/uri"};
    s.type = str(doc, "type");
    if (s.type.empty()) s.type = "text";
    s.profile = str(doc, "profile");
    std::string_view version;
    int64_t vnum;
    if (doc["version"].get(version) == simdjson::SUCCESS)
        s.version = version;
    else if (doc["version"].get(vnum) == simdjson::SUCCESS)
        s.version = std::to_string(vnum);
    s.firstcreated = str(doc, "firstcreated");
    s.versioncreated = str(doc, "versioncreated");
    s.embargoed = str(doc, "embargoed");
    s.expires = str(doc, "expires");
    s.pubstatus = str(doc, "pubstatus");
    if (s.pubstatus.empty()) s.pubstatus = "usable";
    if (s.pubstatus == "cancelled") s.pubstatus = "canceled";
    double urgency;
    if (doc["urgency"].get(urgency) == simdjson::SUCCESS && std::isfinite(urgency) &&
        urgency >= -1e6 && urgency <= 1e6) {
        s.urgency = static_cast<int>(std::lround(urgency));
        s.wire.priority = std::to_string(*s.urgency);
    }
    s.language = str(doc, "language");
    s.title = str(doc, "title");
    s.by = str(doc, "by");
    if (s.by.empty()) s.by = str(doc, "byline");
    s.slugline = str(doc, "slugline");
    s.located = str(doc, "located");
    s.ednote = str(doc, "ednote");
    s.copyrightnotice = str(doc, "copyrightnotice");
    s.copyrightholder = str(doc, "copyrightholder");
    s.usageterms = str(doc, "usageterms");

    s.headlines = items(doc, "headlines");
    if (std::string h = str(doc, "headline"); !h.empty())
        s.headlines.insert(s.headlines.begin(), {"main", "text/plain", h});
    s.descriptions = items(doc, "descriptions");
    for (const char* role : {"summary", "text", "html"})  // 1.x description_<fmt>
        if (std::string d = str(doc, std::string("description_") + role); !d.empty())
            s.descriptions.push_back(
                {"summary", "text/plain",
                 role == std::string("html") ? html_to_text(sanitize_html(d)) : d});

    // Bodies: prefer HTML, then XHTML, then plain text (2.x bodies[] or 1.x body_<fmt>).
    for (const auto& b : items(doc, "bodies")) {
        if (b.contenttype.find("html") != std::string::npos && s.body_html.empty())
            s.body_html = b.value;
        else if (s.body_text.empty())
            s.body_text = b.value;
    }
    if (s.body_html.empty()) s.body_html = str(doc, "body_html");
    if (s.body_html.empty()) s.body_html = str(doc, "body_xhtml");
    if (s.body_text.empty()) s.body_text = str(doc, "body_text");
    if (!s.body_html.empty()) s.body_text.clear();

    s.subjects = concepts(doc, "subjects");
    for (auto& c : concepts(doc, "subject")) s.subjects.push_back(std::move(c));
    s.genres = concepts(doc, "genres");
    for (auto& c : concepts(doc, "genre")) s.genres.push_back(std::move(c));
    s.places = concepts(doc, "places");
    for (auto& c : concepts(doc, "place")) s.places.push_back(std::move(c));
    s.people = concepts(doc, "people");
    for (auto& c : concepts(doc, "person")) s.people.push_back(std::move(c));
    s.organisations = concepts(doc, "organisations");
    for (auto& c : concepts(doc, "organisation")) s.organisations.push_back(std::move(c));
    s.infosources = concepts(doc, "infosources");
    for (auto& c : concepts(doc, "infosource")) s.infosources.push_back(std::move(c));

    array altids;  // 2.x: [{role, value}]; 1.x: a free object
    object altobj;
    if (doc["altids"].get(altids) == simdjson::SUCCESS) {
        for (element a : altids) s.altids.push_back({str(a, "role"), str(a, "value")});
    } else if (doc["altids"].get(altobj) == simdjson::SUCCESS) {
        for (auto [k, v] : altobj) {
            std::string_view sv;
            if (v.get(sv) == simdjson::SUCCESS)
                s.altids.push_back({std::string(k), std::string(sv)});
        }
    }
    if (!s.infosources.empty()) s.wire.agency = ascii_lower(s.infosources.front().name);
    if (s.wire.agency.empty() && !s.copyrightholder.empty())
        s.wire.agency = ascii_lower(s.copyrightholder);

    if (s.pubstatus == "canceled")
        s.wire.signal = signal_kind::kill;
    else if (s.pubstatus == "withheld")
        s.wire.signal = signal_kind::withhold;
    else if (auto sig = signal_from_text(s.ednote))
        s.wire.signal = *sig;
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context&) {
    // ninjs documents nest a handful of levels; 64 bounds the parser's stack on hostile input.
    simdjson::dom::parser parser;
    element doc;
    simdjson::padded_string padded(utf8);
    auto err = parser.allocate(padded.size(), 64);
    if (!err) err = parser.parse(padded).get(doc);
    if (err == simdjson::DEPTH_ERROR)
        return {adapter_error{story_errc::too_large, "JSON nesting is too deep", {}, ""}};
    if (err)
        return {adapter_error{
            story_errc::malformed, std::string("JSON: ") + simdjson::error_message(err), {}, ""}};
    array arr;
    if (doc.get(arr) == simdjson::SUCCESS) {
        std::vector<item_result> out;
        size_t i = 0;
        for (element e : arr) {
            if (i == k_max_items) {
                out.push_back(adapter_error{story_errc::too_large,
                                            "more than " + std::to_string(k_max_items) + " items",
                                            {},
                                            "/" + std::to_string(i)});
                break;
            }
            out.push_back(decode_one(e, "/" + std::to_string(i++)));
        }
        return out;
    }
    return {decode_one(doc, "")};
}

// JSON whose first object has a "uri" or a ninjs "$standard"/"standard" key, and is not an
// AP Media API envelope.
bool sniff(std::string_view head) {
    if (head.empty() || (head[0] != '{' && head[0] != '[')) return false;
    if (head.find("\"api_version\"") != std::string_view::npos) return false;
    return head.find("\"uri\"") != std::string_view::npos ||
           head.find("\"standard\"") != std::string_view::npos;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"ninjs", "IPTC ninjs 1.x and 2.x JSON", decode, sniff,
                                   charset_source::utf8_only, 60});

}  // namespace wire::adapters
