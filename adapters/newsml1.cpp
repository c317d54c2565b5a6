// NewsML 1.x (1.0-1.2; AFP, TASS, ANA, Kyodo, Belga style): a <NewsML> document with a
// NewsEnvelope and one or more NewsItems; one story per top-level NewsItem. Bodies come from a
// ContentItem's DataContent (inline NITF, bare XHTML-ish markup, HTML in CDATA, or text), found
// at any depth of nested NewsComponents (or in a nested NewsItem when the item has none). The
// item's identity and NewsManagement are read in newsml1_management.cpp.
#include <pugixml.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "newsml1.hpp"
#include "nitf_common.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using pugi::xml_node;
using namespace newsml1;
constexpr size_t k_max_items = 1000;
constexpr size_t k_max_list = 200;
constexpr auto npos = std::string_view::npos;

void add(std::vector<concept_ref>& v, concept_ref c) { add_concept(v, std::move(c), k_max_list); }

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
    xml_node nitf_root = nitf::find(first_el, "nitf");
    if (!nitf_root) {  // bare <p> elements (AFP "bcNITF2.5")
        s.body_html = xml::inner_xml(data);
        return;
    }
    // The NewsLines come first; the embedded NITF only fills what they left out.
    nitf::body_parts body = nitf::read_body(nitf_root);
    if (body.loose_body)
        s.wire.warn("layout_guessed", "NITF without body.content; read the text in <body>");
    nitf::fill(s, body);
    nitf::classification(xml::child(nitf_root, "head"), s);
}

// The NewsLines nearest to the chosen text: those of its own NewsComponent or the closest
// enclosing one. They name the text's headline, byline and dateline even when another
// component (a photo's caption) came first in the document.
void nearest_lines(xml_node data, const xml_node& item, story& s) {
    for (xml_node c = data.parent(); c && c != item; c = c.parent()) {
        xml_node lines = xml::child(c, "NewsLines");
        std::string hl = xml::text(xml::child(lines, "HeadLine"));
        if (hl.empty()) continue;
        s.headlines = {{"main", "text/plain", hl}};
        if (std::string sub = xml::text(xml::child(lines, "SubHeadLine")); !sub.empty())
            s.headlines.push_back({"sub", "text/plain", sub});
        if (std::string by = xml::text(xml::child(lines, "ByLine")); !by.empty()) s.by = by;
        if (std::string dl = xml::text(xml::child(lines, "DateLine")); !dl.empty())
            s.wire.dateline = dl;
        return;
    }
}

struct item_text {
    std::vector<std::string> notes;
    std::vector<body_pick> bodies;
    std::string city, country;
};

// A Genre or Subject* element: only IPTC's own schemes map onto NewsCodes URIs; anything else
// stays a literal (with its scheme).
void map_code(const xml_node& n, std::string_view name, story& s) {
    std::string code = xml::attr_line(n, "FormalName"), scheme = xml::attr_line(n, "Scheme");
    bool genre = name == "Genre";
    bool iptc = genre ? scheme == "IptcGenre"
                      : (scheme.empty() || scheme == "IptcSubjectCodes") && code.size() == 8 &&
                            all_digits(code);
    concept_ref c{genre ? code : "", "", "", scheme.empty() ? code : scheme + ":" + code, ""};
    if (iptc) c = code_concept(c.name, (genre ? "genre:" : "") + code);
    if (name != "SubjectCode") add(genre ? s.genres : s.subjects, std::move(c));
}

// A NewsLine of NewsLineType EditorialNote (or another note type) is a note to editors.
void map_news_line(const xml_node& n, item_text& t) {
    std::string type = ascii_lower(formal(xml::child(n, "NewsLineType")));
    if (type.find("note") != npos || type == "editorialinfo")
        t.notes.push_back(xml::text(xml::child(n, "NewsLineText")));
}

void map_location(const xml_node& n, item_text& t) {
    std::string how = ascii_lower(xml::attr_line(n, "HowPresent"));
    if (!how.empty() && how != "origin") return;
    xml::each_child(n, "Property", [&](const xml_node& p) {
        std::string k = ascii_lower(xml::attr_line(p, "FormalName")),
                    v = xml::attr_line(p, "Value");
        if (k == "city" && t.city.empty()) t.city = v;
        if (k == "country" && t.country.empty()) t.country = v;
    });
}

// A text ContentItem (photos, audio and video come as references, never as a text body).
void map_content_item(const xml_node& n, item_text& t) {
    std::string media = ascii_lower(xml::attr_line(xml::child(n, "MediaType"), "FormalName"));
    xml_node data = xml::child(n, "DataContent");
    if (!data || t.bodies.size() >= k_max_list ||
        !(media.empty() || media == "text" || media == "complexdata"))
        return;
    std::string role = ascii_lower(xml::attr_line(xml::child(n.parent(), "Role"), "FormalName"));
    t.bodies.push_back({data,
                        ascii_lower(xml::attr_line(xml::child(n, "Format"), "FormalName") + " " +
                                    xml::attr_line(xml::child(n, "MimeType"), "FormalName")),
                        role == "main" || role == "body"});
}

// One metadata element met by walk_metadata; false: do not descend.
bool map_element(const xml_node& n, story& s, item_text& t) {
    std::string_view name = xml::local(n);
    const std::pair<std::string_view, std::string*> firsts[] = {
        {"ByLine", &s.by},
        {"DateLine", &s.wire.dateline},
        {"SlugLine", &s.slugline},
        {"NameLabel", &s.title},
        {"CopyrightLine", &s.copyrightnotice}};
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
    else if (name == "NewsLine")
        map_news_line(n, t);
    else if (name == "Language" && s.language.empty())
        s.language = ascii_lower(xml::attr_line(n, "FormalName"));
    else if (name == "Genre" || name.starts_with("Subject"))  // Subject, SubjectMatter…
        map_code(n, name, s);
    else if (name == "Location")
        return map_location(n, t), false;
    else if (name == "Property") {
        std::string k = ascii_lower(xml::attr_line(n, "FormalName")),
                    v = xml::attr_line(n, "Value");
        if (k == "keyword" && s.wire.keywords.size() < k_max_list)
            s.wire.keywords.push_back(v);
        else if (k == "editorialinfo" || k == "editorialnote" || k == "ednote")
            t.notes.push_back(v);
        else if (k == "city" && t.city.empty())  // ANA: DescriptiveMetadata's place
            t.city = v;
        else if (k == "country" && t.country.empty())
            t.country = v;
        else if (k == "wordcount")
            xml::keep_wordcount(v, s);
    } else if (name == "Party" && xml::local(n.parent()) == "Provider") {
        std::string party = xml::attr_line(n, "FormalName");
        if (s.wire.agency.empty()) s.wire.agency = ascii_lower(party);
        add(s.infosources, {party, "", "", "", ""});
    } else if (name == "ContentItem") {
        map_content_item(n, t);
    }
    return true;
}

// The text components of nested NewsItems, for an item that has none of its own.
void nested_bodies(const xml_node& item, item_text& t) {
    item.find_node([&](const xml_node& n) {
        if (n.type() == pugi::node_element && xml::local(n) == "ContentItem")
            map_content_item(n, t);
        return t.bodies.size() >= k_max_list;
    });
}

item_result decode_item(const xml_node& item, size_t index, const xml_node& envelope,
                        const profile& prof, std::vector<warning> warnings) {
    story s;
    s.wire.warnings = std::move(warnings);
    map_identity(item, envelope, index, s);
    signal_kind sig = map_management(item, envelope, prof, s);
    item_text t;
    walk_metadata(item, [&](const xml_node& n) {
        std::string_view name = xml::local(n);
        return name != "DataContent" && name != "NewsItem" && map_element(n, s, t);
    });
    if (t.bodies.empty()) nested_bodies(item, t);
    if (s.wire.agency.empty()) {  // "www.itar-tass.com" -> "itar-tass"
        std::string provider = xml::text(xml::child(
            xml::child(xml::child(item, "Identification"), "NewsIdentifier"), "ProviderId"));
        std::string_view p = provider;
        if (starts_with_ci(p, "www.")) p.remove_prefix(4);
        s.wire.agency = ascii_lower(p.substr(0, p.find('.')));
    }
    // Prefer the component whose Role says it is the main text (Belga also ships Title/Lead).
    auto pick =
        std::find_if(t.bodies.begin(), t.bodies.end(), [](const auto& b) { return b.main; });
    if (pick == t.bodies.end()) pick = t.bodies.begin();
    if (pick != t.bodies.end()) nearest_lines(pick->data, item, s);
    s.located = !t.city.empty() ? t.city : place_of_dateline(s.wire.dateline);
    if (s.located.empty()) s.located = t.country;
    for (const auto& n : t.notes)
        if (!n.empty()) s.ednote += (s.ednote.empty() ? "" : "\n") + n;
    if (s.language.empty()) s.language = xml::attr_line(item, "lang");
    xml::repair_language(s);
    if (pick != t.bodies.end()) map_body(*pick, s);
    xml::take_rights_paragraph(s);

    for (const std::string* x : {&s.ednote, &s.slugline})
        if (auto k = signal_from_text(*x)) sig = stronger(sig, *k);
    if (!s.headlines.empty())
        if (auto k = headline_signal(s.headlines.front().value)) sig = stronger(sig, *k);
    // A later revision of the same NewsItem is an update (docs/formats.md).
    xml_node rev =
        xml::child(xml::child(xml::child(item, "Identification"), "NewsIdentifier"), "RevisionId");
    std::string prev = xml::attr_line(rev, "PreviousRevision");
    bool later = (all_digits(prev) && prev.find_first_not_of('0') != npos) ||
                 (all_digits(s.version) && s.version.size() < 10 && std::stoi(s.version) > 1);
    if (sig == signal_kind::new_story && later) sig = signal_kind::update;
    s.wire.signal = sig;
    return s;
}

// The NewsItems to read: the <NewsML> root's; else those of a <NewsML> below a transport
// wrapper, or NewsItems anywhere (a wrapper without NewsML), with a layout_guessed warning.
std::vector<xml_node> find_items(const xml_node& root, xml_node& newsml,
                                 std::vector<warning>& warnings) {
    newsml = xml::local(root) == "NewsML" ? root : nitf::find(root, "NewsML");
    std::vector<xml_node> items;
    auto collect = [&](const xml_node& parent) {
        for (auto c : parent.children())
            if (c.type() == pugi::node_element && xml::local(c) == "NewsItem") items.push_back(c);
    };
    if (newsml) collect(newsml);
    if (items.empty())  // NewsItems not directly under NewsML: the outermost ones, wherever
        root.find_node([&](const xml_node& n) {
            if (n.type() == pugi::node_element && xml::local(n) == "NewsItem") {
                bool nested = false;
                for (xml_node p = n.parent(); p; p = p.parent())
                    nested = nested || xml::local(p) == "NewsItem";
                if (!nested) items.push_back(n);
            }
            return items.size() > k_max_items;
        });
    if (!items.empty() && (newsml != root || xml::local(items.front().parent()) != "NewsML"))
        warnings.push_back({"layout_guessed", "the NewsItems are not under a <NewsML> root (<" +
                                                  std::string(root.name()) + ">)"});
    return items;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto e = xml::parse(doc, utf8)) return {*e};
    if (auto e = xml::check_document(doc, utf8)) return {*e};
    xml_node root = doc.document_element(), newsml;
    std::vector<warning> warnings;
    std::vector<xml_node> items = find_items(root, newsml, warnings);
    if (!newsml && items.empty())
        return {adapter_error{story_errc::unsupported,
                              "the root element is <" + std::string(root.name()) +
                                  ">, not <NewsML>, and it holds no NewsItem",
                              std::nullopt, "/" + std::string(root.name())}};
    xml_node envelope = xml::child(newsml, "NewsEnvelope");
    if (!envelope) envelope = nitf::find(root, "NewsEnvelope");  // under a renamed root
    std::vector<item_result> out;
    size_t index = 0;
    for (auto item : items) {
        std::string path = "/NewsML/NewsItem[" + std::to_string(++index) + "]";
        if (index > k_max_items) {  // the first k_max_items are kept; the rest is refused
            out.emplace_back(adapter_error{
                story_errc::too_large,
                "more than " + std::to_string(k_max_items) + " NewsItems; the rest are not read",
                std::nullopt, path});
            break;
        }
        out.push_back(decode_item(item, index, envelope, ctx.prof, warnings));
    }
    if (out.empty())
        out.emplace_back(adapter_error{story_errc::missing_required,
                                       "the NewsML document holds no NewsItem", std::nullopt,
                                       "/NewsML/NewsItem"});
    return out;
}

// <NewsML> (any prefix) that is not in the NewsML-G2 namespace, also inside another root (a
// feed's delivery envelope) or under a renamed root (NewsItem, NewsEnvelope, NewsComponent).
bool sniff(std::string_view head) {
    std::string_view tag = xml::root_start_tag(head);
    std::string_view root = xml::local(xml::tag_name(tag));
    if (root == "NewsML") return tag.find("http://iptc.org/std/nar/2006-10-01/") == npos;
    bool own = false;  // elements only NewsML 1 has (G2's are lower camel case)
    for (std::string_view name : {"NewsML", "NewsItem", "NewsEnvelope", "NewsComponent"})
        own = own || xml::has_start_tag(head, name);
    return !root.empty() && root != "nitf" &&
           head.find("http://iptc.org/std/nar/2006-10-01/") == npos && own;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"newsml-1.2", "IPTC NewsML 1.x (NewsEnvelope + NewsItems)",
                                   decode, sniff, charset_source::xml_declaration, 25});

}  // namespace wire::adapters
