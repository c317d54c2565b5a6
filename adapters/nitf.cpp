// NITF 3.1-3.6 (News Industry Text Format), DTD-era without a namespace or XSD-era in
// http://iptc.org/std/NITF/2006-10-18/ under any prefix: one <nitf> document is one story.
// Elements and attributes are matched by local name (wire-formats.md section 4).
#include <pugixml.hpp>

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
constexpr size_t k_max_list = 200;  // concepts, keywords, bylines: generous, but bounded
constexpr auto npos = std::string_view::npos;

void add(std::vector<concept_ref>& v, concept_ref c) { add_concept(v, std::move(c), k_max_list); }

// A @norm date-time in RFC 3339 UTC; "" for absent, for the "YYYYMMDD000000-HHMM" placeholder
// (treated as absent, section 4) and, with a warning, for anything unparsable.
std::string norm_time(std::string_view v, std::string_view what, story& s) {
    if (starts_with_ci(trim(v), "YYYY")) return "";
    return rfc3339_or_warn(v, what, s.wire.warnings);
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
    xml::each_child(head, "meta", [&](const xml_node& m) {
        std::string name = ascii_lower(trim(xml::attr(m, "name"))),
                    value = xml::attr_line(m, "content");
        for (auto [key, field] : fields)
            if (name == key && !value.empty()) *field = value;
    });
}

void map_classification(const xml_node& head, const xml_node& docdata, story& s) {
    xml::each_child(head, "tobject", [&](const xml_node& t) {
        xml::each_child(t, "tobject.subject", [&](const xml_node& sub) {
            std::string ref = xml::attr_line(sub, "tobject.subject.refnum");
            std::string ipr = xml::attr_line(sub, "tobject.subject.ipr");
            std::string name = xml::attr_line(sub, "tobject.subject.detail");
            if (name.empty()) name = xml::attr_line(sub, "tobject.subject.matter");
            if (name.empty()) name = xml::attr_line(sub, "tobject.subject.type");
            if (ref.empty()) return add(s.subjects, {name, "", "", "", ""});
            // A provider's own refnums (EFE "F01001000") are not IPTC codes: keep their source.
            bool iptc = ipr.empty() || ascii_lower(ipr) == "iptc";
            add(s.subjects, code_concept(name, iptc ? ref : ipr + ":" + ref));
        });
        xml::each_child(t, "tobject.property", [&](const xml_node& p) {
            add(s.genres, {xml::attr_line(p, "tobject.property.type"), "", "", "", ""});
        });
    });
    xml::each_child(docdata, "identified-content", [&](const xml_node& ic) {
        for (auto c : ic.children()) {
            std::string_view kind = xml::local(c);
            std::string name = xml::text(c), value = xml::attr_line(c, "value");
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
    std::string main = xml::text(xml::child(hed, "hl1"));
    s.headlines.push_back({"main", "text/plain", main.empty() ? s.title : main});
    xml::each_child(hed, "hl2", [&](const xml_node& h) {
        std::string sub = xml::text(h);  // AP repeats hl1 as an "originalHeadline" hl2
        if (sub != s.headlines.front().value) s.headlines.push_back({"sub", "text/plain", sub});
    });
    std::vector<std::string> bylines;
    xml::each_child(bhead, "byline", [&](const xml_node& b) {
        if (bylines.size() >= k_max_list) return;
        std::string by = xml::text(b, "byttl"), title = xml::text(xml::child(b, "byttl"));
        if (!title.empty()) by += (by.empty() || by.back() == ',' ? "" : ",") + (" " + title);
        bylines.push_back(clean_line(by));
    });
    s.by = join(bylines, "; ");
    if (xml_node d = xml::child(bhead, "dateline")) {
        // EFE repeats the @norm as the story.date text by mistake: that is not display text.
        xml_node sd = xml::child(d, "story.date");
        bool norm_text = sd && xml::text(sd) == xml::attr_line(sd, "norm");
        s.wire.dateline = xml::text(d, norm_text ? "story.date" : "");
        s.located = xml::text(xml::child(d, "location"));
        if (s.located.empty()) s.located = place_of_dateline(s.wire.dateline);
    }
    xml::each_child(bhead, "abstract", [&](const xml_node& a) {
        s.descriptions.push_back(
            {"summary", "text/plain", html_to_text(sanitize_html(xml::inner_xml(a)))});
    });
    xml::each_child(bhead, "note", [&](const xml_node& n) { notes.push_back(xml::text(n)); });
    xml::each_child(bhead, "distributor", [&](const xml_node& d) {
        add(s.infosources, {xml::text(d), "", "", "", ""});
    });
    if (s.copyrightholder.empty())
        s.copyrightholder = xml::text(xml::child(xml::child(bhead, "rights"), "rights.owner"));
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
            if (v) add(*v, {xml::text(n), "mentioned", "", "", ""});
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
    s.language = xml::attr_line(nitf, "baselang");
    if (s.language.empty()) s.language = xml::attr_line(nitf, "lang");
    s.title = xml::text(xml::child(head, "title"));

    // Identity. A kill or correction that points at another document belongs to that
    // document's story; the du-key is the stable key when the doc-id is missing or carries a
    // version (NTB: doc-id "<key>_47", du-key key="<key>" version="48").
    xml_node doc_id_node = xml::child(docdata, "doc-id"), du = xml::child(docdata, "du-key");
    xml_node corr = xml::child(docdata, "correction");
    std::string doc_id = xml::attr_line(doc_id_node, "id-string"),
                du_key = xml::attr_line(du, "key");
    std::string idref = xml::attr_line(docdata, "management-doc-idref");
    std::string key = !idref.empty() ? idref : xml::attr_line(corr, "id-string");
    if (key.empty()) key = doc_id;
    if (!du_key.empty() && (key.empty() || (key.size() > du_key.size() && key.starts_with(du_key))))
        key = du_key;
    if (key.empty())
        return adapter_error{story_errc::missing_required,
                             "NITF has no doc-id/@id-string, du-key/@key or management-doc-idref",
                             std::nullopt, "/nitf/head/docdata/doc-id/@id-string"};
    s.uri = key;
    if (!doc_id.empty() && doc_id != key) s.altids.push_back({"doc-id", doc_id});
    s.version = xml::attr_line(du, "version");
    if (s.version.empty()) s.version = xml::attr_line(du, "generation");
    if (std::string src = xml::attr_line(doc_id_node, "regsrc"); !src.empty())
        s.wire.agency = ascii_lower(src);

    std::string own_priority;
    map_meta(head, s, own_priority);
    std::string ed_urg = xml::attr_line(xml::child(docdata, "urgency"), "ed-urg");
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
    std::string status = ascii_lower(xml::attr_line(docdata, "management-status"));
    if (std::string st = ascii_lower(xml::attr_line(docdata, "management-idref-status"));
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
    xml::each_child(docdata, "ed-msg",
                    [&](const xml_node& m) { notes.push_back(xml::attr_line(m, "info")); });
    if (corr) {
        sig = stronger(sig, signal_kind::correction);
        notes.push_back(xml::attr_line(corr, "info"));
    }

    if (std::string holder = xml::attr_line(xml::child(docdata, "doc.copyright"), "holder");
        !holder.empty())
        s.copyrightholder = holder;
    xml::each_child(docdata, "key-list", [&](const xml_node& kl) {
        xml::each_child(kl, "keyword", [&](const xml_node& k) {
            if (s.wire.keywords.size() < k_max_list)
                s.wire.keywords.push_back(xml::attr_line(k, "key"));
        });
    });
    map_classification(head, docdata, s);
    map_body_head(bhead, s, notes);
    if (s.located.empty()) {  // the event location, when the dateline names none
        xml_node ev = xml::child(docdata, "evloc");
        for (const char* a : {"city", "state-prov", "county-dist", "iso-cc"})
            if (s.located.empty()) s.located = xml::attr_line(ev, a);
    }
    s.ednote = join(notes, "\n");

    xml::each_child(body, "body.content", [&](const xml_node& c) {
        s.body_html += xml::inner_xml(c);
        map_inline_entities(c, s);
    });
    xml::each_child(xml::child(body, "body.end"), "tagline",
                    [&](const xml_node& t) { s.body_html += "<p>" + xml::inner_xml(t) + "</p>"; });

    // Lifecycle from text: editor notes, the headline's leading marker, slug and take key.
    for (const std::string* t : {&s.ednote, &s.slugline, &s.wire.take_key})
        if (auto x = signal_from_text(*t)) sig = stronger(sig, *x);
    if (!s.headlines.empty())
        if (auto x = headline_signal(s.headlines.front().value)) sig = stronger(sig, *x);
    // Same du-key with a higher version is an update (wire-formats.md section 12).
    if (sig == signal_kind::new_story && !s.version.empty() &&
        s.version.find_first_not_of("0123456789") == npos && s.version.size() < 10 &&
        std::stoi(s.version) > 1)
        sig = signal_kind::update;
    s.wire.signal = sig;
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto e = xml::parse(doc, utf8)) return {*e};
    if (auto e = xml::check_document(doc, utf8)) return {*e};
    xml_node root = doc.document_element();
    if (xml::local(root) != "nitf")
        return {adapter_error{story_errc::unsupported,
                              "the root element is <" + std::string(root.name()) + ">, not <nitf>",
                              std::nullopt, "/" + std::string(root.name())}};
    return {decode_story(root, ctx.prof)};
}

// <nitf>, <nitf:nitf>, <ns0:nitf xmlns:ns0="http://iptc.org/std/NITF/2006-10-18/">.
bool sniff(std::string_view head) {
    return xml::local(xml::tag_name(xml::root_start_tag(head))) == "nitf";
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"nitf", "NITF 3.x (3.1-3.6, with or without namespace)", decode,
                                   sniff, charset_source::xml_declaration, 30});

}  // namespace wire::adapters
