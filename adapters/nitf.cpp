// NITF 3.1-3.6 (News Industry Text Format), DTD-era without a namespace or XSD-era in
// http://iptc.org/std/NITF/2006-10-18/ under any prefix: one <nitf> document is one story.
// Elements and attributes are matched by local name (wire-formats.md section 4).
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
constexpr size_t k_max_list = 200;  // concepts, keywords, bylines: generous, but bounded
constexpr auto npos = std::string_view::npos;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// --- XML guards (kept local: each adapter is one file) ---------------------------------------

// We never process a DOCTYPE, so general entities declared in an internal subset would be left
// unexpanded (and an entity bomb is the usual reason to send them): refuse those. A parameter
// entity that only pulls in an external DTD (Kyodo's `<!ENTITY % nitf SYSTEM …>`) is harmless.
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

// Text of a subtree, iteratively. Adjoining elements get a space between them unless
// punctuation follows ("<city>KYIV</city>, Ukraine" stays "KYIV, Ukraine"). `skip` names an
// element whose subtree is left out.
std::string text_of(const xml_node& root, std::string_view skip = {}) {
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
            if ((skip.empty() || xml::local(n) != skip) && n.first_child()) {
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

template <typename F>
void each_child(const xml_node& n, std::string_view name, F f) {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && xml::local(c) == name) f(c);
}

// --- mapping helpers ----------------------------------------------------------------------------

// A code as a concept: the IPTC schemes we know become URIs, anything else stays a literal.
concept_ref code_concept(std::string name, std::string_view code) {
    concept_ref c{std::move(name), "", "", "", ""};
    auto all_digits = [](std::string_view s) {
        return s.size() == 8 && std::all_of(s.begin(), s.end(), is_digit);
    };
    if (starts_with_ci(code, "medtop:"))
        c.uri = "http://cv.iptc.org/newscodes/mediatopic/" + std::string(code.substr(7));
    else if (starts_with_ci(code, "subj:"))
        c.uri = "http://cv.iptc.org/newscodes/subjectcode/" + std::string(code.substr(5));
    else if (starts_with_ci(code, "genre:"))
        c.uri = "http://cv.iptc.org/newscodes/genre/" + std::string(code.substr(6));
    else if (all_digits(code))  // an IIM/NITF refnum is an IPTC subject code
        c.uri = "http://cv.iptc.org/newscodes/subjectcode/" + std::string(code);
    else
        c.literal = std::string(code);
    return c;
}

void add(std::vector<concept_ref>& v, concept_ref c) {
    if (v.size() >= k_max_list || (c.name.empty() && c.uri.empty() && c.literal.empty())) return;
    for (const auto& e : v)
        if (e.name == c.name && e.uri == c.uri && e.literal == c.literal) return;
    v.push_back(std::move(c));
}

// A @norm date-time in RFC 3339 UTC; "" for absent, for the "YYYYMMDD000000-HHMM" placeholder
// (treated as absent, section 4) and, with a warning, for anything unparsable.
std::string norm_time(std::string_view v, std::string_view what, story& s) {
    v = trim(v);
    if (v.empty() || starts_with_ci(v, "YYYY")) return "";
    if (auto t = parse_iso8601(v)) return t->rfc3339();
    s.wire.warnings.push_back(std::string(what) + " '" + clean_line(v) +
                              "' is not a date-time; ignored");
    return "";
}

// Lifecycle markers at the head of a headline ("CORRECTED-", "KILL:", "UPDATE 1-"): only the
// part before an early colon, or the leading capitals, is searched, so an ordinary word in a
// headline ("plans to update rules") is not taken for a signal.
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

// The place of a dateline that has no <location>: "Oslo", "MOSCOW, July 10" -> "MOSCOW". A
// part with digits is a date ("January 21"), not a place.
std::string place_of_dateline(std::string_view d) {
    size_t cut = std::min({d.find(','), d.find('('), d.find(" - "), d.find("\xE2\x80\x94")});
    std::string p = clean_line(d.substr(0, cut == npos ? d.size() : cut));
    if (p.size() > 40 || std::any_of(p.begin(), p.end(), is_digit)) return "";
    return p;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (const auto& s : v)
        if (!s.empty()) out += (out.empty() ? "" : std::string(sep)) + s;
    return out;
}

// --- the story ----------------------------------------------------------------------------------

void map_meta(const xml_node& head, story& s, std::string& own_priority) {
    const std::pair<std::string_view, std::string*> fields[] = {
        {"anpa-category", &s.wire.category}, {"categoria", &s.wire.category},
        {"category", &s.wire.category},      {"anpa-takekey", &s.wire.take_key},
        {"anpa-keyword", &s.slugline},       {"ntbstikkord", &s.slugline},
        {"anpa-sequence", &s.wire.sequence}, {"ntbiptcsequence", &s.wire.sequence},
        {"prioridad", &own_priority},        {"anpa-priority", &own_priority}};
    each_child(head, "meta", [&](const xml_node& m) {
        std::string name = ascii_lower(trim(xml::attr(m, "name"))), value = attr_s(m, "content");
        for (auto [key, field] : fields)
            if (name == key && !value.empty()) *field = value;
    });
}

void map_classification(const xml_node& head, const xml_node& docdata, story& s) {
    each_child(head, "tobject", [&](const xml_node& t) {
        each_child(t, "tobject.subject", [&](const xml_node& sub) {
            std::string ref = attr_s(sub, "tobject.subject.refnum");
            std::string ipr = attr_s(sub, "tobject.subject.ipr");
            std::string name = attr_s(sub, "tobject.subject.detail");
            if (name.empty()) name = attr_s(sub, "tobject.subject.matter");
            if (name.empty()) name = attr_s(sub, "tobject.subject.type");
            if (ref.empty()) return add(s.subjects, {name, "", "", "", ""});
            // A provider's own refnums (EFE "F01001000") are not IPTC codes: keep their source.
            bool iptc = ipr.empty() || ascii_lower(ipr) == "iptc";
            add(s.subjects, code_concept(name, iptc ? ref : ipr + ":" + ref));
        });
        each_child(t, "tobject.property", [&](const xml_node& p) {
            add(s.genres, {attr_s(p, "tobject.property.type"), "", "", "", ""});
        });
    });
    each_child(docdata, "identified-content", [&](const xml_node& ic) {
        for (auto c : ic.children()) {
            std::string_view kind = xml::local(c);
            std::string name = text_of(c), value = attr_s(c, "value");
            if (kind == "classifier" && !value.empty()) add(s.subjects, code_concept(name, value));
            auto* v = kind == "person"     ? &s.people
                      : kind == "org"      ? &s.organisations
                      : kind == "location" ? &s.places
                                           : nullptr;
            if (v) add(*v, {name.empty() ? value : name, "", "", "", ""});
        }
    });
}

void map_body_head(const xml_node& bhead, story& s, std::vector<std::string>& notes) {
    xml_node hed = xml::child(bhead, "hedline");
    std::string main = text_of(xml::child(hed, "hl1"));
    s.headlines.push_back({"main", "text/plain", main.empty() ? s.title : main});
    each_child(hed, "hl2", [&](const xml_node& h) {
        std::string sub = text_of(h);  // AP repeats hl1 as an "originalHeadline" hl2
        if (sub != s.headlines.front().value) s.headlines.push_back({"sub", "text/plain", sub});
    });
    std::vector<std::string> bylines;
    each_child(bhead, "byline", [&](const xml_node& b) {
        if (bylines.size() >= k_max_list) return;
        std::string by = text_of(b, "byttl"), title = text_of(xml::child(b, "byttl"));
        if (!title.empty()) by += (by.empty() || by.back() == ',' ? "" : ",") + (" " + title);
        bylines.push_back(clean_line(by));
    });
    s.by = join(bylines, "; ");
    if (xml_node d = xml::child(bhead, "dateline")) {
        // EFE repeats the @norm as the story.date text by mistake: that is not display text.
        xml_node sd = xml::child(d, "story.date");
        bool norm_text = sd && text_of(sd) == attr_s(sd, "norm");
        s.wire.dateline = text_of(d, norm_text ? "story.date" : "");
        s.located = text_of(xml::child(d, "location"));
        if (s.located.empty()) s.located = place_of_dateline(s.wire.dateline);
    }
    each_child(bhead, "abstract", [&](const xml_node& a) {
        s.descriptions.push_back(
            {"summary", "text/plain", html_to_text(sanitize_html(xml::inner_xml(a)))});
    });
    each_child(bhead, "note", [&](const xml_node& n) { notes.push_back(text_of(n)); });
    each_child(bhead, "distributor", [&](const xml_node& d) {
        add(s.infosources, {text_of(d), "", "", "", ""});
    });
    if (s.copyrightholder.empty())
        s.copyrightholder = text_of(xml::child(xml::child(bhead, "rights"), "rights.owner"));
}

// People, organisations and places tagged inline in the body (PA marks them up).
void map_inline_entities(const xml_node& content, story& s) {
    struct walker : pugi::xml_tree_walker {  // pugixml walks iteratively
        story* s;
        bool for_each(xml_node& n) override {
            std::string_view kind = xml::local(n);
            auto* v = kind == "person"     ? &s->people
                      : kind == "org"      ? &s->organisations
                      : kind == "location" ? &s->places
                                           : nullptr;
            if (v) add(*v, {text_of(n), "mentioned", "", "", ""});
            return true;
        }
    } w;
    w.s = &s;
    xml_node(content).traverse(w);
}

item_result decode_story(const xml_node& nitf, const profile& prof) {
    story s;
    xml_node head = xml::child(nitf, "head"), body = xml::child(nitf, "body");
    xml_node docdata = xml::child(head, "docdata"), bhead = xml::child(body, "body.head");
    s.language = attr_s(nitf, "baselang");
    if (s.language.empty()) s.language = attr_s(nitf, "lang");
    s.title = text_of(xml::child(head, "title"));

    // Identity. A kill or correction that points at another document belongs to that
    // document's story; the du-key is the stable key when the doc-id is missing or carries a
    // version (NTB: doc-id "<key>_47", du-key key="<key>" version="48").
    xml_node doc_id_node = xml::child(docdata, "doc-id"), du = xml::child(docdata, "du-key");
    xml_node corr = xml::child(docdata, "correction");
    std::string doc_id = attr_s(doc_id_node, "id-string"), du_key = attr_s(du, "key");
    std::string idref = attr_s(docdata, "management-doc-idref");
    std::string key = !idref.empty() ? idref : attr_s(corr, "id-string");
    if (key.empty()) key = doc_id;
    if (!du_key.empty() && (key.empty() || (key.size() > du_key.size() && key.starts_with(du_key))))
        key = du_key;
    if (key.empty())
        return adapter_error{story_errc::missing_required,
                             "NITF has no doc-id/@id-string, du-key/@key or management-doc-idref",
                             std::nullopt, "/nitf/head/docdata/doc-id/@id-string"};
    s.uri = key;
    if (!doc_id.empty() && doc_id != key) s.altids.push_back({"doc-id", doc_id});
    s.version = attr_s(du, "version");
    if (s.version.empty()) s.version = attr_s(du, "generation");
    if (std::string src = attr_s(doc_id_node, "regsrc"); !src.empty())
        s.wire.agency = ascii_lower(src);

    std::string own_priority;
    map_meta(head, s, own_priority);
    std::string ed_urg = attr_s(xml::child(docdata, "urgency"), "ed-urg");
    // wire.priority is the agency's own code: EFE's prioridad letter beats NITF's generic ed-urg.
    s.wire.priority = own_priority.empty() ? ed_urg : own_priority;
    if (auto it = prof.source_urgency.find(ed_urg);
        !ed_urg.empty() && it != prof.source_urgency.end())
        s.urgency = it->second;
    else if (auto a = prof.anpa_priority.find(ascii_lower(own_priority));
             !own_priority.empty() && a != prof.anpa_priority.end())
        s.urgency = a->second;

    // Times. No date.issue: leave versioncreated empty so finalize uses received_at (spec).
    s.versioncreated =
        norm_time(xml::attr(xml::child(docdata, "date.issue"), "norm"), "date.issue", s);
    std::string release =
        norm_time(xml::attr(xml::child(docdata, "date.release"), "norm"), "date.release", s);
    s.expires = norm_time(xml::attr(xml::child(docdata, "date.expire"), "norm"), "date.expire", s);
    std::string status = ascii_lower(attr_s(docdata, "management-status"));
    if (std::string st = ascii_lower(attr_s(docdata, "management-idref-status"));
        !idref.empty() && !st.empty())
        status = st;  // the status given to the referenced document is what this message says
    // AAP sends a date.release equal to date.issue on every story ("release on receipt"): only
    // a release later than the issue, or an explicit "embargoed" status, is an embargo.
    if (!release.empty() &&
        (status == "embargoed" || s.versioncreated.empty() || release > s.versioncreated))
        s.embargoed = release;

    signal_kind sig = signal_kind::new_story;
    if (status == "canceled" || status == "cancelled")
        sig = signal_kind::kill;
    else if (status == "withheld")
        sig = signal_kind::withhold;
    std::vector<std::string> notes;
    each_child(docdata, "ed-msg", [&](const xml_node& m) { notes.push_back(attr_s(m, "info")); });
    if (corr) {
        sig = stronger(sig, signal_kind::correction);
        notes.push_back(attr_s(corr, "info"));
    }

    if (std::string holder = attr_s(xml::child(docdata, "doc.copyright"), "holder");
        !holder.empty())
        s.copyrightholder = holder;
    each_child(docdata, "key-list", [&](const xml_node& kl) {
        each_child(kl, "keyword", [&](const xml_node& k) {
            if (s.wire.keywords.size() < k_max_list) s.wire.keywords.push_back(attr_s(k, "key"));
        });
    });
    map_classification(head, docdata, s);
    map_body_head(bhead, s, notes);
    if (s.located.empty()) {  // the event location, when the dateline names none
        xml_node ev = xml::child(docdata, "evloc");
        for (const char* a : {"city", "state-prov", "county-dist", "iso-cc"})
            if (s.located.empty()) s.located = attr_s(ev, a);
    }
    s.ednote = join(notes, "\n");

    each_child(body, "body.content", [&](const xml_node& c) {
        s.body_html += xml::inner_xml(c);
        map_inline_entities(c, s);
    });
    each_child(xml::child(body, "body.end"), "tagline",
               [&](const xml_node& t) { s.body_html += "<p>" + xml::inner_xml(t) + "</p>"; });

    // Lifecycle from text: editor notes, the headline's leading marker, slug and take key.
    for (const std::string* t : {&s.ednote, &s.slugline, &s.wire.take_key})
        if (auto x = signal_from_text(*t)) sig = stronger(sig, *x);
    if (!s.headlines.empty())
        if (auto x = headline_signal(s.headlines.front().value)) sig = stronger(sig, *x);
    // Same du-key with a higher version is an update (wire-formats.md section 12).
    if (sig == signal_kind::new_story && !s.version.empty() &&
        std::all_of(s.version.begin(), s.version.end(), is_digit) && s.version.size() < 10 &&
        std::stoi(s.version) > 1)
        sig = signal_kind::update;
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
    if (xml::local(root) != "nitf")
        return {adapter_error{story_errc::unsupported,
                              "the root element is <" + std::string(root.name()) + ">, not <nitf>",
                              std::nullopt, "/" + std::string(root.name())}};
    return {decode_story(root, ctx.prof)};
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

// <nitf>, <nitf:nitf>, <ns0:nitf xmlns:ns0="http://iptc.org/std/NITF/2006-10-18/">.
bool sniff(std::string_view head) {
    std::string_view tag = root_start_tag(head);
    std::string_view name = tag.substr(std::min<size_t>(1, tag.size()));
    name = name.substr(0, name.find_first_of(" \t\r\n/>"));
    return name == "nitf" || name.ends_with(":nitf");
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"nitf", "NITF 3.x (3.1-3.6, with or without namespace)", decode,
                                   sniff, charset_source::xml_declaration, 30});

}  // namespace wire::adapters
