// NewsML 1.x (1.0-1.2; AFP, TASS, ANA, Kyodo, Belga style): a <NewsML> document with a
// NewsEnvelope and one or more NewsItems; one story per top-level NewsItem. Bodies come from a
// ContentItem's DataContent (inline NITF, bare XHTML-ish markup, HTML in CDATA, or text).
#include <pugixml.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using pugi::xml_node;
constexpr size_t k_max_items = 1000;
constexpr size_t k_max_list = 200;
constexpr auto npos = std::string_view::npos;

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == npos;
}

// NewsML 1 puts controlled values in @FormalName; TASS writes some as text (<Urgency>2</…>).
std::string formal(const xml_node& n) {
    std::string v = xml::attr_line(n, "FormalName");
    return v.empty() ? xml::text(n) : v;
}

void add(std::vector<concept_ref>& v, concept_ref c) { add_concept(v, std::move(c), k_max_list); }

std::string iso_time(std::string_view v, std::string_view what, story& s) {
    return rfc3339_or_warn(v, what, s.wire.warnings);
}

// urn:newsml:Provider:DateId:NewsItemId:RevisionId[Update] -> without the revision, so every
// revision of the item has one uri. A PublicIdentifier without the NewsItemId part (Belga's
// "urn:newsml:www.belga.be") identifies nothing and is ignored.
std::string stable_public_id(std::string_view pid) {
    auto parts = split(pid, ':');
    if (!starts_with_ci(pid, "urn:newsml:") || parts.size() < 5) return "";
    if (parts.size() >= 6) {
        std::string_view rev = parts.back();
        if (!rev.empty() && (rev.back() == 'A' || rev.back() == 'U')) rev.remove_suffix(1);
        if (all_digits(rev)) return std::string(pid.substr(0, pid.rfind(':')));
    }
    return std::string(pid);
}

// --- one NewsItem -------------------------------------------------------------------------------

struct body_pick {
    xml_node data;
    std::string format;  // Format + MimeType, lower-case
    bool main = false;
};

// Everything below the NewsItem except DataContent (bodies) and nested NewsItems (a package's
// items are not split out), in document order, iteratively.
template <typename F>
void walk_metadata(const xml_node& item, F f) {
    xml_node n = item.first_child();
    while (n && n != item) {
        bool descend = n.type() == pugi::node_element && f(n);
        if (descend && n.first_child()) {
            n = n.first_child();
            continue;
        }
        while (n != item && !n.next_sibling()) n = n.parent();
        if (n == item) break;
        n = n.next_sibling();
    }
}

void map_body(const body_pick& pick, story& s) {
    xml_node data = pick.data;
    xml_node first_el = data.find_child([](xml_node c) { return c.type() == pugi::node_element; });
    if (!first_el) {  // text or HTML in CDATA
        std::string text = xml::raw_text(data);
        bool html = pick.format.find("html") != npos || pick.format.find("nitf") != npos ||
                    trim(text).starts_with("<");
        (html ? s.body_html : s.body_text) = text;
        return;
    }
    if (xml::local(first_el) != "nitf") {  // bare <p> elements (AFP "bcNITF2.5")
        s.body_html = xml::inner_xml(data);
        return;
    }
    xml_node body = xml::child(first_el, "body"), bhead = xml::child(body, "body.head");
    xml::each_child(body, "body.content",
                    [&](const xml_node& c) { s.body_html += xml::inner_xml(c); });
    // The NewsLines come first; the embedded NITF head only fills what they left out.
    if (s.headlines.empty())
        s.headlines.push_back(
            {"main", "text/plain", xml::text(xml::child(xml::child(bhead, "hedline"), "hl1"))});
    if (s.by.empty()) s.by = xml::text(xml::child(bhead, "byline"));
    xml_node dl = xml::child(bhead, "dateline");
    if (s.located.empty()) s.located = xml::text(xml::child(dl, "location"));
    if (s.descriptions.empty())
        if (xml_node a = xml::child(bhead, "abstract"))
            s.descriptions.push_back(
                {"summary", "text/plain", html_to_text(sanitize_html(xml::inner_xml(a)))});
}

item_result decode_item(const xml_node& item, const std::string& path, const xml_node& envelope,
                        const profile& prof) {
    story s;
    xml_node nid = xml::child(xml::child(item, "Identification"), "NewsIdentifier");
    std::string provider = xml::text(xml::child(nid, "ProviderId"));
    std::string date_id = xml::text(xml::child(nid, "DateId"));
    std::string item_id = xml::text(xml::child(nid, "NewsItemId"));
    xml_node rev = xml::child(nid, "RevisionId");
    s.version = xml::text(rev);
    xml_node nm = xml::child(item, "NewsManagement");
    std::string first_created = xml::text(xml::child(nm, "FirstCreated"));

    std::string pid = xml::text(xml::child(nid, "PublicIdentifier"));
    s.uri = stable_public_id(pid);
    if (s.uri.empty() && !item_id.empty())
        s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + item_id;
    if (s.uri.empty()) {  // TASS sends only a ProviderId: the top component's Duid is the id
        std::string duid = xml::attr_line(item, "Duid");
        if (duid.empty()) duid = xml::attr_line(xml::child(item, "NewsComponent"), "Duid");
        if (date_id.empty() && first_created.size() >= 8) date_id = first_created.substr(0, 8);
        if (!duid.empty()) s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + duid;
    }
    if (s.uri.empty())
        return adapter_error{story_errc::missing_required,
                             "NewsItem has no PublicIdentifier, NewsItemId or Duid", std::nullopt,
                             path + "/Identification/NewsIdentifier/NewsItemId"};
    if (!pid.empty() && pid != s.uri) s.altids.push_back({"PublicIdentifier", pid});

    // Times; the envelope's DateAndTime (when the item was sent) beats received_at as a fallback.
    s.firstcreated = iso_time(first_created, "FirstCreated", s);
    s.versioncreated =
        iso_time(xml::text(xml::child(nm, "ThisRevisionCreated")), "ThisRevisionCreated", s);
    if (s.versioncreated.empty())
        s.versioncreated =
            iso_time(xml::text(xml::child(envelope, "DateAndTime")), "DateAndTime", s);

    // Urgency: the item's own, else the envelope's Priority (both 1 highest .. 9 lowest).
    std::string urg = formal(xml::child(nm, "Urgency"));
    if (urg.empty()) urg = formal(xml::child(envelope, "Priority"));
    s.wire.priority = urg;
    if (auto it = prof.source_urgency.find(urg); !urg.empty() && it != prof.source_urgency.end())
        s.urgency = it->second;

    signal_kind sig = signal_kind::new_story;
    std::string status = ascii_lower(formal(xml::child(nm, "Status")));
    if (status == "canceled" || status == "cancelled")
        sig = signal_kind::kill;
    else if (status == "withheld")
        sig = signal_kind::withhold;
    // Embargoed: usable later, at StatusWillChange/DateAndTime.
    xml_node will = xml::child(nm, "StatusWillChange");
    if (status == "embargoed" || ascii_lower(formal(xml::child(will, "FutureStatus"))) == "usable")
        s.embargoed = iso_time(xml::text(xml::child(will, "DateAndTime")), "StatusWillChange", s);
    xml::each_child(nm, "Instruction", [&](const xml_node& in) {
        std::string what = ascii_lower(xml::attr_line(in, "FormalName"));
        if (what == "rectify")  // IPTC: this revision rectifies (corrects) earlier ones
            sig = stronger(sig, signal_kind::correction);
        else if (auto x = signal_from_text(what))
            sig = stronger(sig, *x);
    });
    if (auto x = signal_from_text(xml::attr_line(xml::child(nm, "NewsItemType"), "FormalName")))
        sig = stronger(sig, *x);  // NewsItemType "Advisory"

    std::vector<std::string> notes;
    std::vector<body_pick> bodies;
    std::string city, country;
    const std::pair<std::string_view, std::string*> firsts[] = {
        {"ByLine", &s.by},
        {"DateLine", &s.wire.dateline},
        {"SlugLine", &s.slugline},
        {"NameLabel", &s.title},
        {"CopyrightLine", &s.copyrightnotice}};
    walk_metadata(item, [&](const xml_node& n) {
        std::string_view name = xml::local(n);
        if (name == "DataContent" || name == "NewsItem") return false;
        for (auto [line, field] : firsts)
            if (name == line && field->empty()) *field = xml::text(n);
        if (name == "HeadLine" && s.headlines.empty())
            s.headlines.push_back({"main", "text/plain", xml::text(n)});
        else if (name == "SubHeadLine" && s.headlines.size() == 1)
            s.headlines.push_back({"sub", "text/plain", xml::text(n)});
        else if (name == "CreditLine")
            add(s.infosources, {xml::text(n), "", "", "", ""});
        else if (name == "KeywordLine" && s.wire.keywords.size() < k_max_list)
            s.wire.keywords.push_back(xml::text(n));
        else if (name == "Language" && s.language.empty())
            s.language = ascii_lower(xml::attr_line(n, "FormalName"));
        else if (name == "Genre" || name.starts_with("Subject")) {  // Subject, SubjectMatter…
            std::string code = xml::attr_line(n, "FormalName"),
                        scheme = xml::attr_line(n, "Scheme");
            bool genre = name == "Genre";
            // Only IPTC's own schemes map onto NewsCodes URIs; anything else stays a literal.
            bool iptc = genre ? scheme == "IptcGenre"
                              : (scheme.empty() || scheme == "IptcSubjectCodes") &&
                                    code.size() == 8 && all_digits(code);
            concept_ref c{genre ? code : "", "", "", scheme.empty() ? code : scheme + ":" + code,
                          ""};
            if (iptc) c = code_concept(c.name, (genre ? "genre:" : "") + code);
            if (name != "SubjectCode") add(genre ? s.genres : s.subjects, std::move(c));
        } else if (name == "Location") {
            std::string how = ascii_lower(xml::attr_line(n, "HowPresent"));
            xml::each_child(n, "Property", [&](const xml_node& p) {
                std::string k = ascii_lower(xml::attr_line(p, "FormalName")),
                            v = xml::attr_line(p, "Value");
                if (k == "city" && city.empty() && (how.empty() || how == "origin")) city = v;
                if (k == "country" && country.empty() && (how.empty() || how == "origin"))
                    country = v;
            });
            return false;
        } else if (name == "Property") {
            std::string k = ascii_lower(xml::attr_line(n, "FormalName")),
                        v = xml::attr_line(n, "Value");
            if (k == "keyword" && s.wire.keywords.size() < k_max_list)
                s.wire.keywords.push_back(v);
            else if (k == "editorialinfo" || k == "editorialnote" || k == "ednote")
                notes.push_back(v);
        } else if (name == "Party" && xml::local(n.parent()) == "Provider") {
            std::string party = xml::attr_line(n, "FormalName");
            if (s.wire.agency.empty()) s.wire.agency = ascii_lower(party);
            add(s.infosources, {party, "", "", "", ""});
        } else if (name == "ContentItem" && bodies.size() < k_max_list) {
            std::string media =
                ascii_lower(xml::attr_line(xml::child(n, "MediaType"), "FormalName"));
            xml_node data = xml::child(n, "DataContent");
            // Photos, audio and video come as references (Href), never as a text body.
            if (data && (media.empty() || media == "text" || media == "complexdata")) {
                std::string role =
                    ascii_lower(xml::attr_line(xml::child(n.parent(), "Role"), "FormalName"));
                bodies.push_back(
                    {data,
                     ascii_lower(xml::attr_line(xml::child(n, "Format"), "FormalName") + " " +
                                 xml::attr_line(xml::child(n, "MimeType"), "FormalName")),
                     role == "main" || role == "body"});
            }
        }
        return true;
    });
    if (s.wire.agency.empty() && !provider.empty()) {  // "www.itar-tass.com" -> "itar-tass"
        std::string_view p = provider;
        if (starts_with_ci(p, "www.")) p.remove_prefix(4);
        s.wire.agency = ascii_lower(p.substr(0, p.find('.')));
    }
    s.located = !city.empty() ? city : place_of_dateline(s.wire.dateline);
    if (s.located.empty()) s.located = country;
    for (const auto& n : notes)
        if (!n.empty()) s.ednote += (s.ednote.empty() ? "" : "\n") + n;
    if (s.language.empty()) s.language = xml::attr_line(item, "lang");
    // Prefer the component whose Role says it is the main text (Belga also ships Title/Lead).
    auto pick = std::find_if(bodies.begin(), bodies.end(), [](const auto& b) { return b.main; });
    if (pick == bodies.end()) pick = bodies.begin();
    if (pick != bodies.end()) map_body(*pick, s);

    for (const std::string* t : {&s.ednote, &s.slugline})
        if (auto x = signal_from_text(*t)) sig = stronger(sig, *x);
    if (!s.headlines.empty())
        if (auto x = headline_signal(s.headlines.front().value)) sig = stronger(sig, *x);
    // A later revision of the same NewsItem is an update (wire-formats.md section 12).
    std::string prev = xml::attr_line(rev, "PreviousRevision");
    bool later = (all_digits(prev) && prev != "0" && prev.find_first_not_of('0') != npos) ||
                 (all_digits(s.version) && s.version.size() < 10 && std::stoi(s.version) > 1);
    if (sig == signal_kind::new_story && later) sig = signal_kind::update;
    s.wire.signal = sig;
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto e = xml::parse(doc, utf8)) return {*e};
    if (auto e = xml::check_document(doc, utf8)) return {*e};
    xml_node root = doc.document_element();
    if (xml::local(root) != "NewsML")
        return {
            adapter_error{story_errc::unsupported,
                          "the root element is <" + std::string(root.name()) + ">, not <NewsML>",
                          std::nullopt, "/" + std::string(root.name())}};
    xml_node envelope = xml::child(root, "NewsEnvelope");
    std::vector<item_result> out;
    size_t index = 0;
    for (auto item : root.children()) {
        if (item.type() != pugi::node_element || xml::local(item) != "NewsItem") continue;
        std::string path = "/NewsML/NewsItem[" + std::to_string(++index) + "]";
        if (index > k_max_items) {  // the first k_max_items are kept; the rest is refused
            out.emplace_back(adapter_error{
                story_errc::too_large,
                "more than " + std::to_string(k_max_items) + " NewsItems; the rest are not read",
                std::nullopt, path});
            break;
        }
        out.push_back(decode_item(item, path, envelope, ctx.prof));
    }
    if (out.empty())
        out.emplace_back(adapter_error{story_errc::missing_required,
                                       "the NewsML document holds no NewsItem", std::nullopt,
                                       "/NewsML/NewsItem"});
    return out;
}

// <NewsML> (any prefix) that is not in the NewsML-G2 namespace.
bool sniff(std::string_view head) {
    std::string_view tag = xml::root_start_tag(head);
    return xml::local(xml::tag_name(tag)) == "NewsML" &&
           tag.find("http://iptc.org/std/nar/2006-10-01/") == npos;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"newsml-1.2", "IPTC NewsML 1.x (NewsEnvelope + NewsItems)",
                                   decode, sniff, charset_source::xml_declaration, 25});

}  // namespace wire::adapters
