// NITF 3.1-3.6 (News Industry Text Format), DTD-era without a namespace or XSD-era in
// http://iptc.org/std/NITF/2006-10-18/ under any prefix: one <nitf> document is one story.
// Elements and attributes are matched by local name (docs/formats.md). A <nitf>
// wrapped in another root, or a root that is a renamed <nitf>, is read with a warning. The head's
// meta, pubdata and ids are read in nitf_head.cpp, the body in nitf_common.hpp.
#include <pugixml.hpp>

#include <string>
#include <vector>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "nitf.hpp"
#include "nitf_common.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using namespace nitf;
using pugi::xml_node;
constexpr auto npos = std::string_view::npos;

// A @norm date-time in RFC 3339 UTC; "" for absent, for the "YYYYMMDD000000-HHMM" placeholder
// (treated as absent, section 4) and, with a warning, for anything unparsable.
std::string norm_time(std::string_view v, std::string_view what, story& s) {
    if (starts_with_ci(trim(v), "YYYY")) return "";
    return rfc3339_or_warn(v, what, s.wire.warnings);
}

void map_urgency(const xml_node& docdata, const xml_node& head, const meta_out& meta,
                 const profile& prof, story& s) {
    std::string ed_urg = xml::attr_line(dd(docdata, head, "urgency"), "ed-urg");
    const std::string& own = meta.own_priority;
    // wire.priority is the agency's own code: EFE's prioridad letter beats NITF's generic ed-urg.
    s.wire.priority = own.empty() ? ed_urg : own;
    if (auto it = prof.source_urgency.find(ed_urg);
        !ed_urg.empty() && it != prof.source_urgency.end())
        s.urgency = it->second;
    else if (auto a = prof.anpa_priority.find(ascii_lower(own));
             !own.empty() && a != prof.anpa_priority.end())
        s.urgency = a->second;
    else if (auto d = prof.source_urgency.find(own); !own.empty() && d != prof.source_urgency.end())
        s.urgency = d->second;
    else if (!ed_urg.empty() || !own.empty())
        s.wire.warn("urgency_unmapped", "urgency '" + (ed_urg.empty() ? own : ed_urg) +
                                            "' is not on the profile's scale");
}

// Times. No issue time: the publication date, else versioncreated stays empty and finalize
// uses received_at (spec). The first version's issue time is also its first-created time;
// otherwise the earliest revision-history entry is.
void map_times(const xml_node& docdata, const xml_node& head, const std::string& published,
               story& s) {
    auto norm = [&](const char* name) { return xml::attr(dd(docdata, head, name), "norm"); };
    s.versioncreated = norm_time(norm("date.issue"), "date.issue", s);
    if (s.versioncreated.empty() && !published.empty())
        s.versioncreated = norm_time(published, "pubdata/@date.publication", s);
    s.expires = norm_time(norm("date.expire"), "date.expire", s);
    if (s.version == "1") s.firstcreated = s.versioncreated;
    xml::each_child(
        head, "revision-history",
        [&](const xml_node& r) {
            auto t = parse_iso8601(xml::attr_line(r, "norm"));
            if (t && (s.firstcreated.empty() || t->rfc3339() < s.firstcreated))
                s.firstcreated = t->rfc3339();
        },
        k_max_list);
}

signal_kind map_status(const xml_node& docdata, const xml_node& head, story& s,
                       std::vector<std::string>& notes) {
    std::string release =
        norm_time(xml::attr(dd(docdata, head, "date.release"), "norm"), "date.release", s);
    std::string status = ascii_lower(xml::attr_line(docdata, "management-status"));
    if (std::string st = ascii_lower(xml::attr_line(docdata, "management-idref-status"));
        !xml::attr_line(docdata, "management-doc-idref").empty() && !st.empty())
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
    xml::each_child(
        docdata, "ed-msg",
        [&](const xml_node& m) {
            std::string info = xml::attr_line(m, "info");
            notes.push_back(info.empty() ? xml::text(m) : info);
        },
        k_max_list);
    if (xml_node corr = dd(docdata, head, "correction")) {
        sig = stronger(sig, signal_kind::correction);
        notes.push_back(xml::attr_line(corr, "info"));
    }
    return sig;
}

item_result decode_story(const xml_node& nitf_root, const profile& prof, story s) {
    xml_node head = xml::child(nitf_root, "head");
    xml_node docdata = xml::child(head, "docdata");
    s.language = xml::attr_line(nitf_root, "baselang");
    if (s.language.empty()) s.language = xml::attr_line(nitf_root, "lang");
    s.title = xml::text(xml::child(head, "title"));
    xml::repair_language(s);

    meta_out meta;
    map_meta(head, s, meta);
    std::string published;
    map_pubdata(head, s, published);
    map_identity(docdata, head, meta, s);
    xml_node du = dd(docdata, head, "du-key");
    s.version = xml::attr_line(du, "version");
    if (s.version.empty()) s.version = xml::attr_line(du, "generation");
    if (s.wire.take_key.empty()) s.wire.take_key = xml::attr_line(du, "part");
    map_urgency(docdata, head, meta, prof, s);
    map_times(docdata, head, published, s);
    std::vector<std::string> notes;
    signal_kind sig = map_status(docdata, head, s, notes);
    if (std::string holder = xml::attr_line(dd(docdata, head, "doc.copyright"), "holder");
        !holder.empty())
        s.copyrightholder = holder;
    const size_t keywords_before = s.wire.keywords.size();
    nitf::classification(head, s);
    // EFE's only slug is its key-list keyword: the first one stands in for a missing slug.
    if (s.slugline.empty() && s.wire.keywords.size() > keywords_before)
        s.slugline = s.wire.keywords[keywords_before];
    if (s.located.empty()) {  // the event location, when the dateline names none (below)
        xml_node ev = dd(docdata, head, "evloc");
        for (const char* a : {"city", "state-prov", "county-dist", "iso-cc"})
            if (s.located.empty()) s.located = xml::attr_line(ev, a);
    }
    nitf::body_parts body = nitf::read_body(nitf_root);
    if (body.loose_body) s.wire.warn("layout_guessed", "no body.content; read the text in <body>");
    if (!body.located.empty()) s.located = body.located;
    if (body.headlines.empty() && !s.title.empty()) {
        body.headlines.push_back({"main", "text/plain", s.title});
        s.wire.warn("headline_guessed", "no hedline/hl1; used head/title");
    }
    if (body.descriptions.empty() && !meta.description.empty())
        body.descriptions.push_back({"summary", "text/plain", meta.description});
    for (auto& n : body.notes) notes.push_back(std::move(n));
    body.notes.clear();
    s.ednote = nitf::join(notes, "\n");
    nitf::fill(s, body);
    nitf::inline_entities(nitf_root, s);

    // Lifecycle from text: editor notes, the headline's leading marker, slug and take key.
    for (const std::string* t : {&s.ednote, &s.slugline, &s.wire.take_key})
        if (auto x = signal_from_text(*t)) sig = stronger(sig, *x);
    if (!s.headlines.empty())
        if (auto x = headline_signal(s.headlines.front().value)) sig = stronger(sig, *x);
    // Same du-key with a higher version is an update (docs/formats.md).
    if (sig == signal_kind::new_story && !s.version.empty() &&
        s.version.find_first_not_of("0123456789") == npos && s.version.size() < 10 &&
        std::stoi(s.version) > 1)
        sig = signal_kind::update;
    // Nothing says this is a later version (no version, history, update or correction): the
    // issue time is also when the story was first created (AAP sends only date.issue).
    if (s.firstcreated.empty() && s.version.empty() && sig == signal_kind::new_story)
        s.firstcreated = s.versioncreated;
    s.wire.signal = sig;
    return s;
}

// The <nitf> to read: the root; else the first <nitf> below another root (a transport
// wrapper); else a root that has NITF's <head>/<body> under another name; else the parent of
// the first <body.content>. An empty node when the document holds no NITF at all.
xml_node find_nitf(const xml_node& root) {
    if (equals_ci(xml::local(root), "nitf")) return root;
    if (xml_node n = nitf::find(root, "nitf")) return n;
    xml_node body = xml::child(root, "body");
    if (xml::child(body, "body.content") || xml::child(body, "body.head")) return root;
    xml_node content = nitf::find(root, "body.content");
    if (!content) return {};
    xml_node parent = content.parent();
    return xml::local(parent) == "body" && parent != root ? parent.parent() : parent;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto e = xml::parse(doc, utf8)) return {*e};
    if (auto e = xml::check_document(doc, utf8)) return {*e};
    xml_node root = doc.document_element();
    xml_node n = find_nitf(root);
    if (!n)
        return {adapter_error{story_errc::unsupported,
                              "the root element is <" + std::string(root.name()) +
                                  ">, not <nitf>, and it holds no NITF document",
                              std::nullopt, "/" + std::string(root.name())}};
    story s;
    if (n != root)
        s.wire.warn("layout_guessed", "the NITF document is <" + std::string(n.name()) +
                                          "> inside <" + std::string(root.name()) + ">");
    else if (xml::local(root) != "nitf")
        s.wire.warn("layout_guessed",
                    "the root <" + std::string(root.name()) + "> is read as a <nitf>");
    return {decode_story(n, ctx.prof, std::move(s))};
}

// <nitf>, <nitf:nitf>, <ns0:nitf xmlns:ns0="http://iptc.org/std/NITF/2006-10-18/">; or a
// <nitf> (or elements only NITF has) inside another XML root that is not a news format's own:
// a transport wrapper, a renamed root.
bool sniff(std::string_view head) {
    std::string_view root = xml::local(xml::tag_name(xml::root_start_tag(head)));
    if (root == "nitf") return true;
    for (std::string_view other : {"newsItem", "newsMessage", "packageItem", "NewsML"})
        if (root == other) return false;
    if (root.empty()) return false;
    for (std::string_view own : {"nitf", "body.head", "body.content", "hedline", "docdata"})
        if (xml::has_start_tag(head, own)) return true;  // elements only NITF has
    return false;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"nitf", "NITF 3.x (3.1-3.6, with or without namespace)", decode,
                                   sniff, charset_source::xml_declaration, 30});

}  // namespace wire::adapters
