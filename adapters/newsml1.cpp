// NewsML 1.x (1.0-1.2; AFP, TASS, ANA, Kyodo, Belga style): a <NewsML> document with a
// NewsEnvelope and one or more NewsItems; one story per top-level NewsItem. Bodies come from a
// ContentItem's DataContent (inline NITF, bare XHTML-ish markup, HTML in CDATA, or text).
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using pugi::xml_node;
constexpr int k_max_depth = 64;
constexpr size_t k_max_items = 1000;
constexpr size_t k_max_list = 200;
constexpr auto npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// --- XML guards (the same rules as the NITF adapter; each adapter is one file) -----------------

// No DOCTYPE processing: general entities declared in an internal subset would stay unexpanded
// (and are how entity bombs are built), so refuse them; an external parameter entity is harmless.
std::optional<adapter_error> check_doctype(std::string_view xml, const xml_node& root) {
    size_t d = xml.find("<!DOCTYPE");
    ptrdiff_t root_at = root.offset_debug();
    if (d == npos || (root_at >= 0 && d > static_cast<size_t>(root_at))) return std::nullopt;
    size_t gt = xml.find('>', d), open = xml.find('[', d);
    if (open == npos || (gt != npos && gt < open)) return std::nullopt;
    size_t end = std::min<size_t>(xml.find("]>", open), xml.size());
    for (size_t p = xml.find("<!ENTITY", open); p < end; p = xml.find("<!ENTITY", p + 8)) {
        size_t q = xml.find_first_not_of(" \t\r\n", p + 8);
        if (q < end && xml[q] != '%')
            return adapter_error{story_errc::unsupported,
                                 "the DOCTYPE declares entities; entity expansion is not supported",
                                 p, "/!DOCTYPE"};
    }
    return std::nullopt;
}

std::optional<adapter_error> check_depth(pugi::xml_document& doc) {
    struct : pugi::xml_tree_walker {  // pugixml walks iteratively, so hostile depth is safe
        xml_node deep;
        bool for_each(xml_node& n) override { return depth() < k_max_depth || (deep = n, false); }
    } w;
    doc.traverse(w);
    if (!w.deep) return std::nullopt;
    return adapter_error{story_errc::too_large,
                         "XML nesting is deeper than " + std::to_string(k_max_depth),
                         static_cast<size_t>(std::max<ptrdiff_t>(0, w.deep.offset_debug())),
                         w.deep.path().substr(0, 200)};
}

// A space goes between adjoining elements' text unless there is one or punctuation follows.
bool glue(char before, char after) {
    return !std::isspace(static_cast<unsigned char>(before)) && before != '(' &&
           !std::isspace(static_cast<unsigned char>(after)) &&
           std::string_view(",.;:)!?").find(after) == npos;
}

// Text of a subtree, iteratively; adjoining elements are separated by a space unless
// punctuation follows.
std::string text_of(const xml_node& root) {
    if (root.type() == pugi::node_pcdata || root.type() == pugi::node_cdata)
        return clean_line(root.value());
    std::string out;
    bool boundary = false;
    xml_node n = root.first_child();
    while (n && n != root) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
            std::string_view t = n.value();
            if (!t.empty() && boundary && !out.empty() && glue(out.back(), t[0])) out += ' ';
            out += t;
            boundary = false;
        } else if (n.type() == pugi::node_element) {
            boundary = true;
            if (n.first_child()) {
                n = n.first_child();
                continue;
            }
        }
        while (n != root && !n.next_sibling()) n = n.parent(), boundary = true;
        if (n == root) break;
        n = n.next_sibling();
    }
    return clean_line(out);
}

std::string attr_s(const xml_node& n, std::string_view name) {
    return clean_line(xml::attr(n, name));
}
// NewsML 1 puts controlled values in @FormalName; TASS writes some as text (<Urgency>2</…>).
std::string formal(const xml_node& n) {
    std::string v = attr_s(n, "FormalName");
    return v.empty() ? text_of(n) : v;
}

template <typename F>
void each_child(const xml_node& n, std::string_view name, F f) {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && xml::local(c) == name) f(c);
}

void add(std::vector<concept_ref>& v, concept_ref c) {
    if (v.size() >= k_max_list || (c.name.empty() && c.uri.empty() && c.literal.empty())) return;
    for (const auto& e : v)
        if (e.name == c.name && e.uri == c.uri && e.literal == c.literal) return;
    v.push_back(std::move(c));
}

std::string iso_time(std::string_view v, std::string_view what, story& s) {
    v = trim(v);
    if (v.empty()) return "";
    if (auto t = parse_iso8601(v)) return t->rfc3339();
    s.wire.warnings.push_back(std::string(what) + " '" + clean_line(v) +
                              "' is not a date-time; ignored");
    return "";
}

// Markers at the head of a headline only ("CORRECTED-…", "KILL: …"), never words in its body.
std::optional<signal_kind> headline_signal(std::string_view h) {
    size_t end = h.find(':');
    if (end == npos || end > 32) {
        end = 0;
        while (end < h.size() && end < 40 && !std::islower(static_cast<unsigned char>(h[end])))
            ++end;
        if (end < h.size()) {  // drop the word the lower-case letter belongs to
            size_t cut = h.substr(0, end).find_last_of(" -");
            end = cut == npos ? 0 : cut + 1;
        }
    }
    // Markers are chained with hyphens ("CORRECTED-UPDATE 2-"): read them word by word.
    std::string head(h.substr(0, end));
    std::replace(head.begin(), head.end(), '-', ' ');
    return signal_from_text(head);
}

// "Paris, 21 jan 2019 (AFP) -" -> "Paris"; a date-only dateline ("January 21") names no place.
std::string place_of_dateline(std::string_view d) {
    size_t cut = std::min({d.find(','), d.find('('), d.find(" - "), d.find("\xE2\x80\x94")});
    std::string p = clean_line(d.substr(0, cut == npos ? d.size() : cut));
    if (p.size() > 40 || std::any_of(p.begin(), p.end(), is_digit)) return "";
    return p;
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
        std::string text;
        for (auto c : data.children())
            if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) text += c.value();
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
    each_child(body, "body.content", [&](const xml_node& c) { s.body_html += xml::inner_xml(c); });
    // The NewsLines come first; the embedded NITF head only fills what they left out.
    if (s.headlines.empty())
        s.headlines.push_back(
            {"main", "text/plain", text_of(xml::child(xml::child(bhead, "hedline"), "hl1"))});
    if (s.by.empty()) s.by = text_of(xml::child(bhead, "byline"));
    xml_node dl = xml::child(bhead, "dateline");
    if (s.located.empty()) s.located = text_of(xml::child(dl, "location"));
    if (s.descriptions.empty())
        if (xml_node a = xml::child(bhead, "abstract"))
            s.descriptions.push_back(
                {"summary", "text/plain", html_to_text(sanitize_html(xml::inner_xml(a)))});
}

item_result decode_item(const xml_node& item, const std::string& path, const xml_node& envelope,
                        const profile& prof) {
    story s;
    xml_node nid = xml::child(xml::child(item, "Identification"), "NewsIdentifier");
    std::string provider = text_of(xml::child(nid, "ProviderId"));
    std::string date_id = text_of(xml::child(nid, "DateId"));
    std::string item_id = text_of(xml::child(nid, "NewsItemId"));
    xml_node rev = xml::child(nid, "RevisionId");
    s.version = text_of(rev);
    xml_node nm = xml::child(item, "NewsManagement");
    std::string first_created = text_of(xml::child(nm, "FirstCreated"));

    std::string pid = text_of(xml::child(nid, "PublicIdentifier"));
    s.uri = stable_public_id(pid);
    if (s.uri.empty() && !item_id.empty())
        s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + item_id;
    if (s.uri.empty()) {  // TASS sends only a ProviderId: the top component's Duid is the id
        std::string duid = attr_s(item, "Duid");
        if (duid.empty()) duid = attr_s(xml::child(item, "NewsComponent"), "Duid");
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
        iso_time(text_of(xml::child(nm, "ThisRevisionCreated")), "ThisRevisionCreated", s);
    if (s.versioncreated.empty())
        s.versioncreated = iso_time(text_of(xml::child(envelope, "DateAndTime")), "DateAndTime", s);

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
        s.embargoed = iso_time(text_of(xml::child(will, "DateAndTime")), "StatusWillChange", s);
    each_child(nm, "Instruction", [&](const xml_node& in) {
        std::string what = ascii_lower(attr_s(in, "FormalName"));
        if (what == "rectify")  // IPTC: this revision rectifies (corrects) earlier ones
            sig = stronger(sig, signal_kind::correction);
        else if (auto x = signal_from_text(what))
            sig = stronger(sig, *x);
    });
    if (auto x = signal_from_text(attr_s(xml::child(nm, "NewsItemType"), "FormalName")))
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
            if (name == line && field->empty()) *field = text_of(n);
        if (name == "HeadLine" && s.headlines.empty())
            s.headlines.push_back({"main", "text/plain", text_of(n)});
        else if (name == "SubHeadLine" && s.headlines.size() == 1)
            s.headlines.push_back({"sub", "text/plain", text_of(n)});
        else if (name == "CreditLine")
            add(s.infosources, {text_of(n), "", "", "", ""});
        else if (name == "KeywordLine" && s.wire.keywords.size() < k_max_list)
            s.wire.keywords.push_back(text_of(n));
        else if (name == "Language" && s.language.empty())
            s.language = ascii_lower(attr_s(n, "FormalName"));
        else if (name == "Genre" || name.starts_with("Subject")) {  // Subject, SubjectMatter…
            std::string code = attr_s(n, "FormalName"), scheme = attr_s(n, "Scheme");
            bool genre = name == "Genre";
            // Only IPTC's own schemes map onto NewsCodes URIs; anything else stays a literal.
            bool iptc = genre ? scheme == "IptcGenre"
                              : (scheme.empty() || scheme == "IptcSubjectCodes") &&
                                    code.size() == 8 && all_digits(code);
            concept_ref c{genre ? code : "", "", "", "", ""};
            if (iptc)
                c.uri = std::string("http://cv.iptc.org/newscodes/") +
                        (genre ? "genre/" : "subjectcode/") + code;
            else
                c.literal = scheme.empty() ? code : scheme + ":" + code;
            if (name != "SubjectCode") add(genre ? s.genres : s.subjects, std::move(c));
        } else if (name == "Location") {
            std::string how = ascii_lower(attr_s(n, "HowPresent"));
            each_child(n, "Property", [&](const xml_node& p) {
                std::string k = ascii_lower(attr_s(p, "FormalName")), v = attr_s(p, "Value");
                if (k == "city" && city.empty() && (how.empty() || how == "origin")) city = v;
                if (k == "country" && country.empty() && (how.empty() || how == "origin"))
                    country = v;
            });
            return false;
        } else if (name == "Property") {
            std::string k = ascii_lower(attr_s(n, "FormalName")), v = attr_s(n, "Value");
            if (k == "keyword" && s.wire.keywords.size() < k_max_list)
                s.wire.keywords.push_back(v);
            else if (k == "editorialinfo" || k == "editorialnote" || k == "ednote")
                notes.push_back(v);
        } else if (name == "Party" && xml::local(n.parent()) == "Provider") {
            std::string party = attr_s(n, "FormalName");
            if (s.wire.agency.empty()) s.wire.agency = ascii_lower(party);
            add(s.infosources, {party, "", "", "", ""});
        } else if (name == "ContentItem" && bodies.size() < k_max_list) {
            std::string media = ascii_lower(attr_s(xml::child(n, "MediaType"), "FormalName"));
            xml_node data = xml::child(n, "DataContent");
            // Photos, audio and video come as references (Href), never as a text body.
            if (data && (media.empty() || media == "text" || media == "complexdata")) {
                std::string role =
                    ascii_lower(attr_s(xml::child(n.parent(), "Role"), "FormalName"));
                bodies.push_back({data,
                                  ascii_lower(attr_s(xml::child(n, "Format"), "FormalName") + " " +
                                              attr_s(xml::child(n, "MimeType"), "FormalName")),
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
    if (s.language.empty()) s.language = attr_s(item, "lang");
    // Prefer the component whose Role says it is the main text (Belga also ships Title/Lead).
    auto pick = std::find_if(bodies.begin(), bodies.end(), [](const auto& b) { return b.main; });
    if (pick == bodies.end()) pick = bodies.begin();
    if (pick != bodies.end()) map_body(*pick, s);

    for (const std::string* t : {&s.ednote, &s.slugline})
        if (auto x = signal_from_text(*t)) sig = stronger(sig, *x);
    if (!s.headlines.empty())
        if (auto x = headline_signal(s.headlines.front().value)) sig = stronger(sig, *x);
    // A later revision of the same NewsItem is an update (wire-formats.md section 12).
    std::string prev = attr_s(rev, "PreviousRevision");
    bool later = (all_digits(prev) && prev != "0" && prev.find_first_not_of('0') != npos) ||
                 (all_digits(s.version) && s.version.size() < 10 && std::stoi(s.version) > 1);
    if (sig == signal_kind::new_story && later) sig = signal_kind::update;
    s.wire.signal = sig;
    if (sig == signal_kind::kill) s.pubstatus = "canceled";
    if (sig == signal_kind::withhold) s.pubstatus = "withheld";
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto e = xml::parse(doc, utf8)) return {*e};
    xml_node root = doc.document_element();
    if (!root)
        return {adapter_error{story_errc::malformed, "the document has no root element", 0, ""}};
    if (auto e = check_doctype(utf8, root)) return {*e};
    if (auto e = check_depth(doc)) return {*e};
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

// The first element's start tag after the XML declaration, comments, PIs and a DOCTYPE.
std::string_view root_start_tag(std::string_view h) {
    for (size_t i = 0, guard = 0; guard < 64; ++guard) {
        i = h.find_first_not_of(" \t\r\n", i);
        if (i == npos || h[i] != '<') return {};
        std::string_view rest = h.substr(i);
        bool subset = rest.starts_with("<!DOCTYPE") && rest.find('[') < rest.find('>');
        std::string_view close = rest.starts_with("<?")     ? "?>"
                                 : rest.starts_with("<!--") ? "-->"
                                 : subset                   ? "]>"
                                 : rest.starts_with("<!")   ? ">"
                                                            : "";
        if (close.empty()) return rest.substr(0, rest.find('>'));
        size_t end = rest.find(close);
        if (end == npos) return {};
        i += end + close.size();
    }
    return {};
}

// <NewsML> (any prefix) that is not in the NewsML-G2 namespace.
bool sniff(std::string_view head) {
    std::string_view tag = root_start_tag(head);
    std::string_view name = tag.substr(std::min<size_t>(1, tag.size()));
    name = name.substr(0, name.find_first_of(" \t\r\n/>"));
    return (name == "NewsML" || name.ends_with(":NewsML")) &&
           tag.find("http://iptc.org/std/nar/2006-10-01/") == npos;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"newsml-1.2", "IPTC NewsML 1.x (NewsEnvelope + NewsItems)",
                                   decode, sniff, charset_source::xml_declaration, 25});

}  // namespace wire::adapters
