// NewsML-G2 (IPTC): a bare newsItem or packageItem, or a newsMessage whose itemSet holds several;
// one story per item. wire-formats.md sections 1-3 are the facts this file follows.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using pugi::xml_node;

constexpr std::string_view k_nar = "http://iptc.org/std/nar/2006-10-01/";
constexpr size_t k_max_items = 1000;  // items per newsMessage
constexpr size_t k_max_list = 2000;   // subjects, keywords, itemRefs… per item

// Lifecycle signal QCodes, lower-cased. Reuters edStat: N new, U update, C correction.
constexpr std::pair<std::string_view, signal_kind> k_signals[] = {
    {"sig:update", signal_kind::update}, {"sig:correction", signal_kind::correction},
    {"sig:repeat", signal_kind::repeat}, {"edstat:n", signal_kind::new_story},
    {"edstat:u", signal_kind::update},   {"edstat:c", signal_kind::correction}};

// Calls f(child) for every element child with this local name, at most k_max_list times.
template <class F>
void each(xml_node n, std::string_view name, F&& f) {
    xml::each_child(n, name, f, k_max_list);
}

// The text of the first <name> child, else the @literal (Reuters: <creator literal="Reuters"/>).
std::string name_of(xml_node n) {
    std::string name = xml::text(xml::child(n, "name"));
    return name.empty() ? xml::attr_line(n, "literal") : name;
}

// A concept: IPTC schemes we know become URIs, any other QCode stays verbatim in `literal`.
concept_ref concept_of(xml_node n) {
    std::string q = xml::attr_line(n, "qcode");
    concept_ref c = code_concept(name_of(n), q);
    if (q.empty()) c.literal = xml::attr_line(n, "literal");
    if (c.uri.empty() && c.literal.empty()) c.uri = xml::attr_line(n, "uri");
    return c;
}

// wire.agency from a provider QCode, literal or URI, or the header sender.
std::string agency_of(std::string id) {
    std::string l = ascii_lower(id);
    if (l.find("reuters") != std::string::npos) return "reuters";
    if (starts_with_ci(l, "approviderid:") || l == "ap.org" || qcode_code(l) == "ap") return "ap";
    if (l.find("interfax") != std::string::npos) return "interfax";
    if (size_t s = l.find("://"); s != std::string::npos) l = l.substr(s + 3);  // uri: host
    std::string_view v = qcode_code(l);
    if (starts_with_ci(v, "www.")) v.remove_prefix(4);
    v = v.substr(0, v.find_first_of("./"));  // "acmenews.com" -> "acmenews"
    return std::string(v);
}

adapter_error fail(story_errc code, std::string message, std::string path,
                   std::optional<size_t> offset = {}) {
    return adapter_error{code, std::move(message), offset, std::move(path)};
}

struct header_info {
    std::string priority, sent, agency, transmit_id;
    std::vector<warning> warnings;
    bool lone_unidentified = false;  // exactly one item lacks a guid: it may use transmitId
};

struct item_ctx {
    story s;
    bool have_explicit = false;  // a lifecycle signal QCode or marker was present
    bool embargo_hold = false;   // <embargoed/> present but without a usable time
    signal_kind sig = signal_kind::new_story;
    std::optional<signal_kind> inferred;  // from edNotes; used only without an explicit signal
    void mark(signal_kind k) {
        sig = have_explicit ? stronger(sig, k) : k;
        have_explicit = true;
    }
};

// Reuters headline prefixes: "CORRECTED-", "UPDATE 2-", "REFILE-", "RPT-", possibly chained.
void headline_markers(std::string_view h, item_ctx& c) {
    for (int guard = 0; guard < 4; ++guard) {
        size_t dash = h.find('-');
        std::string_view p = h.substr(0, dash);
        if (dash == std::string_view::npos) return;
        if (p == "CORRECTED")
            c.mark(signal_kind::correction);
        else if (p == "REFILE" || p == "RPT")
            c.mark(signal_kind::repeat);
        else if (p.size() > 7 && p.starts_with("UPDATE ") &&
                 p.find_first_not_of("0123456789", 7) == std::string_view::npos)
            c.mark(signal_kind::update);
        else
            return;
        h.remove_prefix(dash + 1);
    }
}

// A parsed date-time as RFC 3339 UTC; a bad value is dropped with a warning (not versionCreated:
// that one orders revisions, so the caller refuses it instead).
std::string time_of(xml_node n, const char* what, story& s) {
    std::string t = xml::text(n);
    if (t.empty()) return t;
    if (auto p = parse_iso8601(t)) return p->rfc3339();
    s.wire.warn("bad_date", std::string(what) + " '" + t + "' is not a date-time; dropped");
    return "";
}

void read_rights(xml_node item, story& s) {
    xml_node r = xml::child(item, "rightsInfo");
    if (xml_node h = xml::child(r, "copyrightHolder")) {
        s.copyrightholder = name_of(h);
        if (s.copyrightholder.empty()) s.copyrightholder = xml::attr_line(h, "uri");
    }
    s.copyrightnotice = xml::text(xml::child(r, "copyrightNotice"));
    s.usageterms = xml::text(xml::child(r, "usageTerms"));
}

void read_item_meta(xml_node m, item_ctx& c, std::string& service) {
    story& s = c.s;
    std::string cls(qcode_code(xml::attr_line(xml::child(m, "itemClass"), "qcode")));
    for (const char* t : {"text", "picture", "video", "audio", "graphic", "composite"})
        if (cls == t) s.type = t;
    xml_node prov = xml::child(m, "provider");
    std::string pid = xml::attr_line(prov, "qcode");
    if (pid.empty()) pid = xml::attr_line(prov, "literal");
    if (pid.empty()) pid = xml::attr_line(prov, "uri");
    if (!pid.empty()) s.wire.agency = agency_of(pid);
    s.firstcreated = time_of(xml::child(m, "firstCreated"), "firstCreated", s);
    s.expires = time_of(xml::child(m, "expires"), "expires", s);
    if (xml_node e = xml::child(m, "embargoed")) {
        s.embargoed = time_of(e, "embargoed", s);
        c.embargo_hold = s.embargoed.empty();
    }
    if (xml_node p = xml::child(m, "pubStatus")) {
        std::string st = ascii_lower(qcode_code(xml::attr_line(p, "qcode")));
        if (st == "canceled" || st == "cancelled")
            s.pubstatus = "canceled";
        else if (st == "withheld")
            s.pubstatus = "withheld";
        else if (st != "usable" && !st.empty())
            s.wire.warn("unknown_value",
                        "pubStatus '" + xml::attr_line(p, "qcode") + "' is unknown; ignored");
    }
    s.profile = xml::text(xml::child(m, "profile"));
    service = std::string(qcode_code(xml::attr_line(xml::child(m, "service"), "qcode")));
    s.title = xml::text(xml::child(m, "title"));
    std::vector<std::string> notes;
    each(m, "edNote", [&](xml_node n) {
        std::string role = ascii_lower(qcode_code(xml::attr_line(n, "role")));
        // dpa's notepad is an XHTML digest of the other notes: it would only repeat them.
        if (role == "notepad") return;
        std::string text = xml::text(n);
        if (text.empty()) return;
        notes.push_back(text);
        // dpa roles correction/correctionshort name a correction; role-less notes are free text
        // ("Eds: UPDATES with…"); other roles (closingline, contacts…) never carry a signal.
        std::optional<signal_kind> k;
        if (role.starts_with("correction"))
            k = signal_kind::correction;
        else if (role.empty())
            k = signal_from_text(text);
        if (k) c.inferred = c.inferred ? stronger(*c.inferred, *k) : *k;
    });
    for (const auto& n : notes) s.ednote += (s.ednote.empty() ? "" : "\n") + n;
    each(m, "signal", [&](xml_node n) {
        std::string q = ascii_lower(xml::attr_line(n, "qcode"));
        for (auto [code, k] : k_signals)
            if (q == code) c.mark(k);
        if (q == "edstat:d") s.pubstatus = "canceled";  // Reuters delete: a kill (decode_item)
        if (q.starts_with("apsig:"))  // apsig:consumerready etc. name no lifecycle event
            if (auto k = signal_from_text(qcode_code(q))) c.mark(*k);
    });
}

// The place of a dateline: "KIEV, July 10 (Reuters)", "Berlin (dpa)", "МОСКВА. 10 июля.".
std::string dateline_place(std::string_view d) {
    size_t end = d.find_first_of(",(");
    for (size_t i = d.find(". "); i != std::string_view::npos; i = d.find(". ", i + 1))
        if (i + 2 < d.size() && std::isdigit(static_cast<unsigned char>(d[i + 2]))) {
            end = std::min(end, i);  // not "St. Louis", only a date after the full stop
            break;
        }
    return std::string(trim(d.substr(0, end)));
}

void read_content_meta(xml_node m, item_ctx& c, const profile& prof) {
    story& s = c.s;
    // G2 urgency is the agency's own 1-9: verbatim in wire.priority, mapped by the profile.
    if (std::string u = xml::text(xml::child(m, "urgency")); !u.empty()) {
        s.wire.priority = u;
        if (auto it = prof.source_urgency.find(u); it != prof.source_urgency.end())
            s.urgency = it->second;
        else
            s.wire.warn("urgency_unmapped", "urgency '" + u + "' is not on the profile's scale");
    }
    s.located = name_of(xml::child(m, "located"));
    each(m, "infoSource", [&](xml_node n) {
        concept_ref r = concept_of(n);
        r.role = xml::attr_line(n, "role");
        s.infosources.push_back(std::move(r));
    });
    std::string creators;
    each(m, "creator", [&](xml_node n) {
        std::string name = name_of(n);
        if (!name.empty()) creators += (creators.empty() ? "" : ", ") + name;
    });
    each(m, "altId", [&](xml_node n) {
        std::string v = xml::text(n);
        // IPTC's own sports example puts the value in @id.
        if (v.empty()) v = xml::attr_line(n, "id");
        s.altids.push_back({xml::attr_line(n, "type"), v});
    });
    s.language = xml::attr_line(xml::child(m, "language"), "tag");
    each(m, "genre", [&](xml_node n) { s.genres.push_back(concept_of(n)); });
    each(m, "keyword", [&](xml_node n) { s.wire.keywords.push_back(xml::text(n)); });
    each(m, "subject", [&](xml_node n) {
        std::string type = ascii_lower(xml::attr_line(n, "type"));
        concept_ref r = concept_of(n);
        // The agency's own category code (Reuters MCC, ANPA category, dpa Ressort).
        std::string q = xml::attr_line(n, "qcode");
        std::string alias = ascii_lower(qcode_alias(q));
        if (s.wire.category.empty() && (alias == "mcc" || alias == "a1312cat" ||
                                        alias == "apcategorycode" || alias == "dpacat"))
            s.wire.category = qcode_code(q);
        if (type == "cpnat:geoarea" || type == "cpnat:poi" || type == "cpttype:5")  // Reuters
            s.places.push_back(std::move(r));
        else if (type == "cpnat:person")
            s.people.push_back(std::move(r));
        else if (type == "cpnat:organisation" || type == "cpnat:organization")
            s.organisations.push_back(std::move(r));
        else
            s.subjects.push_back(std::move(r));
    });
    s.slugline = xml::text(xml::child(m, "slugline"));
    // A slug's version part ("GLOBAL-PRECIOUS/ (UPDATE 1)", "BC-US--Earns, 1st Ld-Writethru").
    size_t vp = s.slugline.find_last_of("(,");
    if (vp != std::string::npos) {
        std::string ver = s.slugline.substr(vp + 1);
        std::replace(ver.begin(), ver.end(), '-', ' ');
        if (auto k = signal_from_text(ver)) c.mark(*k);
    }
    bool main_taken = false;
    each(m, "headline", [&](xml_node n) {
        std::string role = ascii_lower(qcode_code(xml::attr_line(n, "role")));
        bool main = !main_taken && (role.empty() || role == "main" || role == "first");
        main_taken = main_taken || main;
        s.headlines.push_back({main ? "main" : "sub", "text/plain", xml::text(n)});
    });
    // Some feeds give only roles we do not know: the first headline is still the main one.
    if (!main_taken && !s.headlines.empty()) s.headlines.front().role = "main";
    std::string dl = xml::text(xml::child(m, "dateline"));
    // "Berlin (dpa) - ": the trailing separator belongs to the body, not to the dateline.
    while (!dl.empty() && (dl.back() == '-' || dl.back() == ' ' || dl.back() == ':')) dl.pop_back();
    s.wire.dateline = dl;
    if (s.located.empty()) s.located = dateline_place(dl);
    s.by = xml::text(xml::child(m, "by"));
    if (s.by.empty()) s.by = creators;
    // ninjs has no creditline: it names who to credit, which is what infosources are for.
    std::string credit = xml::text(xml::child(m, "creditline"));
    bool known = false;
    for (const auto& i : s.infosources) known = known || i.name == credit;
    if (!credit.empty() && !known) s.infosources.push_back({credit, "", "", "", "creditline"});
    each(m, "description", [&](xml_node n) {
        std::string role(qcode_code(xml::attr_line(n, "role")));
        s.descriptions.push_back({role.empty() ? "summary" : role, "text/plain", xml::text(n)});
    });
}

// NITF inside inlineXML: body.content is the body; the head fills what contentMeta left empty.
void read_nitf(xml_node nitf, story& s) {
    xml_node body = xml::child(nitf, "body");
    xml_node head = xml::child(body, "body.head");
    s.body_html = xml::inner_xml(xml::child(body, "body.content"));
    xml_node hed = xml::child(head, "hedline");
    if (!hed) hed = xml::child(head, "headline");  // AP writes body.head/headline
    if (s.headlines.empty()) {
        each(hed, "hl1", [&](xml_node n) { s.headlines.push_back({"main", "", xml::text(n)}); });
        each(hed, "hl2", [&](xml_node n) { s.headlines.push_back({"sub", "", xml::text(n)}); });
    }
    if (s.by.empty()) s.by = xml::text(xml::child(head, "byline"));
    if (s.wire.dateline.empty()) s.wire.dateline = xml::text(xml::child(head, "dateline"));
    if (s.located.empty()) s.located = dateline_place(s.wire.dateline);
    if (s.descriptions.empty())
        if (std::string a = xml::text(xml::child(head, "abstract")); !a.empty())
            s.descriptions.push_back({"summary", "", a});
}

// The first text rendition that has content: inlineXML (NITF or XHTML) or text inlineData.
void read_content_set(xml_node set, story& s) {
    size_t count = 0;
    for (auto r : set.children()) {
        if (r.type() != pugi::node_element || count++ >= k_max_list) continue;
        std::string_view kind = xml::local(r);
        std::string ct = ascii_lower(xml::attr(r, "contenttype"));
        if (kind == "inlineXML") {
            xml_node root = r.find_child([](xml_node n) { return n.type() == pugi::node_element; });
            std::string_view name = root ? xml::local(root) : std::string_view();
            if (name == "nitf") {
                read_nitf(root, s);
            } else if (name == "html") {
                // dpa's XHTML <header> repeats the slugline, date and headline: not body text.
                xml_node body = xml::child(root, "body");
                while (xml_node h = xml::child(body, "header")) body.remove_child(h);
                s.body_html = xml::inner_xml(body);
            } else if (root) {  // a bare fragment (<body>, <section>…)
                s.body_html = xml::inner_xml(r);
            }
        } else if (kind == "inlineData" && xml::attr(r, "encoding").empty()) {
            if (ct.empty() || ct.starts_with("text/plain"))
                s.body_text = xml::raw_text(r);
            else if (ct.find("html") != std::string::npos)
                s.body_html = xml::raw_text(r);
        }
        if (!trim(s.body_html).empty() || !trim(s.body_text).empty()) return;
        s.body_html.clear();
        s.body_text.clear();
    }
}

// packageItem: the groupSet's itemRefs become the body, a list a desk can read.
void read_group_set(xml_node item, story& s) {
    std::string list;
    size_t count = 0;
    auto add = [&](xml_node ref) {
        if (count++ >= k_max_list) return;
        std::string id = xml::attr_line(ref, "residref"),
                    title = xml::text(xml::child(ref, "title"));
        list += "<li>" + escape_html(title.empty() ? id : title + " (" + id + ")") + "</li>";
    };
    each(xml::child(item, "groupSet"), "group", [&](xml_node g) { each(g, "itemRef", add); });
    each(item, "itemRef", add);  // IPTC's newsMessage listing puts them straight in the package
    if (!list.empty()) s.body_html = "<ul>" + list + "</ul>";
}

item_result decode_item(xml_node item, const header_info& h, const std::string& path,
                        const profile& prof) {
    item_ctx c;
    story& s = c.s;
    s.wire.warnings = h.warnings;
    s.uri = xml::attr_line(item, "guid");
    if (s.uri.empty() && h.lone_unidentified && !h.transmit_id.empty()) {
        s.uri = h.transmit_id;
        s.wire.warn("id_derived", "item has no guid; used the header transmitId");
    }
    if (s.uri.empty())
        return fail(story_errc::missing_required, "item has no guid", path + "/@guid");
    s.version = xml::attr_line(item, "version");
    if (s.version.empty()) s.version = "1";  // the schema default
    // Kept verbatim: Reuters sends huge, non-consecutive numbers; order comes from the envelope.
    if (s.version.find_first_not_of("0123456789") != std::string::npos)
        s.wire.warn("bad_version", "version '" + s.version + "' is not a number");
    read_rights(item, s);

    xml_node meta = xml::child(item, "itemMeta");
    std::string service;
    read_item_meta(meta, c, service);
    xml_node vc = xml::child(meta, "versionCreated");
    std::string vct = xml::text(vc);
    if (auto t = parse_iso8601(vct)) {
        s.versioncreated = t->rfc3339();
    } else if (!vct.empty()) {
        return fail(story_errc::bad_value, "versionCreated '" + vct + "' is not a date-time",
                    path + "/itemMeta/versionCreated");
    } else if (!h.sent.empty()) {
        s.versioncreated = h.sent;
        s.wire.warn("no_version_time", "item has no versionCreated; used the header sent time");
    }
    if (s.wire.agency.empty()) s.wire.agency = h.agency;

    read_content_meta(xml::child(item, "contentMeta"), c, prof);
    if (s.wire.priority.empty()) s.wire.priority = h.priority;
    if (s.wire.category.empty()) s.wire.category = service;
    if (s.language.empty()) s.language = xml::attr_line(item, "lang");

    // Concepts may carry only a QCode, their names sit in <assert> (AP's metadata example).
    std::map<std::string, std::string, std::less<>> asserted;
    each(item, "assert", [&](xml_node a) { asserted[xml::attr_line(a, "qcode")] = name_of(a); });
    for (auto* v : {&s.subjects, &s.places, &s.people, &s.organisations, &s.genres})
        for (auto& r : *v)
            if (auto it = asserted.find(r.literal); r.name.empty() && it != asserted.end())
                r.name = it->second;

    if (equals_ci(xml::local(item), "packageItem")) {
        s.type = "composite";
        read_group_set(item, s);
    } else {
        read_content_set(xml::child(item, "contentSet"), s);  // may add NITF headlines
    }
    if (s.headlines.empty() && !s.title.empty()) s.headlines.push_back({"main", "", s.title});
    for (const auto& hl : s.headlines) headline_markers(hl.value, c);

    // Lifecycle: the status decides kill/withhold; otherwise an explicit signal QCode or
    // headline/slug marker; the edNotes only when the agency sent neither. dpa's sig:repeat
    // items carry a correction note explaining the repeat: the repeat is what was sent.
    if (s.pubstatus == "canceled")
        s.wire.signal = signal_kind::kill;
    else if (s.pubstatus == "withheld")
        s.wire.signal = signal_kind::withhold;
    else if (c.have_explicit)
        s.wire.signal = c.sig;
    else if (c.inferred)
        s.wire.signal = *c.inferred;
    // Empty (or unreadable) embargoed = embargoed, time not yet known. Keep the story but hold
    // it: withheld is the only ninjs status that stops a consumer publishing it. The signal
    // stays as sent: this is not the withdrawal of an earlier version.
    if (c.embargo_hold) {
        if (s.pubstatus == "usable") s.pubstatus = "withheld";
        s.wire.warn("embargo_unknown", "embargoed has no time: embargo until further notice, held");
    }
    return s;
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto err = xml::parse(doc, utf8)) return {*err};
    if (auto err = xml::check_document(doc, utf8)) return {*err};
    xml_node root = doc.document_element();
    std::string_view rname = xml::local(root);
    std::string rpath = "/" + std::string(rname);
    header_info h;
    if (equals_ci(rname, "newsItem") || equals_ci(rname, "packageItem"))
        return {decode_item(root, h, rpath, ctx.prof)};
    if (!equals_ci(rname, "newsMessage"))
        return {fail(story_errc::unknown_format,
                     "root <" + std::string(root.name()) + "> is not a NewsML-G2 item or message",
                     rpath)};

    xml_node header = xml::child_ci(root, "header");
    h.priority = xml::text(xml::child_ci(header, "priority"));
    h.transmit_id = xml::text(xml::child_ci(header, "transmitId"));
    if (std::string sender = xml::text(xml::child_ci(header, "sender")); !sender.empty())
        h.agency = agency_of(sender);
    if (std::string sent = xml::text(xml::child_ci(header, "sent")); !sent.empty()) {
        if (auto t = parse_iso8601(sent))  // also reads the non-ISO "2016-01-12 12:35:40"
            h.sent = t->rfc3339();
        else
            h.warnings.push_back(
                {"bad_date", "header sent '" + sent + "' is not a date-time; ignored"});
    }
    std::vector<xml_node> items;
    int unidentified = 0;
    for (auto c : xml::child_ci(root, "itemSet").children())
        if (c.type() == pugi::node_element) {
            items.push_back(c);
            unidentified += xml::attr(c, "guid").empty() ? 1 : 0;
        }
    // transmitId names one transmission, so it can stand in for one missing guid, not several.
    h.lone_unidentified = unidentified == 1;

    std::vector<item_result> out;
    std::map<std::string, int, std::less<>> seen;  // index per element name, for paths
    for (auto item : items) {
        std::string name(xml::local(item));
        std::string path = rpath + "/itemSet/" + name + "[" + std::to_string(++seen[name]) + "]";
        if (out.size() >= k_max_items) {
            out.push_back(fail(
                story_errc::too_large,
                "more than " + std::to_string(k_max_items) + " items; the rest are refused", path));
            break;
        }
        if (equals_ci(name, "newsItem") || equals_ci(name, "packageItem"))
            out.push_back(decode_item(item, h, path, ctx.prof));
        else  // conceptItem, knowledgeItem, planningItem: metadata, not stories
            out.push_back(fail(story_errc::unsupported, "<" + name + "> is not a story", path));
    }
    return out;
}

// Root <newsMessage>, <newsItem> or <packageItem>: in the NAR namespace, or with any prefix
// (tool-rewritten files use ns0:).
bool sniff(std::string_view head) {
    std::string_view name = xml::tag_name(xml::root_start_tag(head));
    std::string_view local = xml::local(name);
    if (local != "newsMessage" && local != "newsItem" && local != "packageItem") return false;
    return local.size() < name.size() || head.find(k_nar) != std::string_view::npos;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"newsml-g2", "IPTC NewsML-G2 newsMessage, newsItem, packageItem",
                                   decode, sniff, charset_source::xml_declaration, 20});

}  // namespace wire::adapters
