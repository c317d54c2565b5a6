// NewsML-G2 item metadata: rightsInfo, itemMeta, contentMeta, asserted concept names and the
// lifecycle signal. docs/formats.md says what it reads.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/text.hpp"
#include "newsml_g2.hpp"
#include "xml_common.hpp"

namespace wire::adapters::g2 {
namespace {

using pugi::xml_node;

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

// A concept: IPTC schemes we know become URIs, any other QCode stays verbatim in `literal`.
concept_ref concept_of(xml_node n) {
    std::string q = xml::attr_line(n, "qcode");
    concept_ref c = code_concept(name_of(n), q);
    if (q.empty()) c.literal = xml::attr_line(n, "literal");
    if (c.uri.empty() && c.literal.empty()) c.uri = xml::attr_line(n, "uri");
    return c;
}

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

// A subject, and the IPTC codes it names as the same concept or as its broader topic (dpa
// sends its own subject with medtop as <broader>; sports feeds give subj: as <sameAs>).
void add_subject(story& s, xml_node n, concept_ref r) {
    std::string name = r.name;
    auto same = std::find_if(s.subjects.begin(), s.subjects.end(), [&](const concept_ref& e) {
        return !r.uri.empty() && e.uri == r.uri;
    });
    if (same == s.subjects.end())
        add_concept(s.subjects, std::move(r), k_max_list);
    else if (same->name.empty())  // named now, after an earlier subject gave it as broader
        same->name = name;
    for (auto rel : n.children()) {
        std::string_view kind = xml::local(rel);
        if (kind != "broader" && kind != "sameAs") continue;
        std::string alias(qcode_alias(xml::attr_line(rel, "qcode")));
        if (!equals_ci(alias, "medtop") && !equals_ci(alias, "subj")) continue;
        concept_ref c = concept_of(rel);
        if (c.name.empty() && kind == "sameAs") c.name = name;  // the same concept
        bool known = std::any_of(s.subjects.begin(), s.subjects.end(),
                                 [&](const concept_ref& e) { return e.uri == c.uri; });
        if (!known) add_concept(s.subjects, std::move(c), k_max_list);
    }
}

// A creator named by a staff account ("korr", "degenhardt.sandra": no capital, no space) is
// who keyed the item in, not a byline; a display name ("Meredith Jameson", "Reuters") is.
bool is_account(std::string_view name) {
    if (trim(name).empty()) return true;
    return name.find(' ') == std::string_view::npos &&
           std::none_of(name.begin(), name.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
}

}  // namespace

// The text of the first <name> child, else the @literal (Reuters: <creator literal="Reuters"/>).
std::string name_of(xml_node n) {
    std::string name = xml::text(xml::child(n, "name"));
    return name.empty() ? xml::attr_line(n, "literal") : name;
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
        // A private note (STT sttnote:private) is the agency's own: never passed on.
        if (role.ends_with("private")) return;
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
    if (s.firstcreated.empty())
        s.firstcreated = time_of(xml::child(m, "contentCreated"), "contentCreated", s);
    c.content_modified = xml::text(xml::child(m, "contentModified"));
    each(m, "creator", [&](xml_node n) {
        std::string name = name_of(n);
        if (!is_account(name)) c.creators += (c.creators.empty() ? "" : ", ") + name;
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
            add_subject(s, n, std::move(r));
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

// Concepts may carry only a QCode, their names sit in <assert> (AP's metadata example).
void asserted_names(xml_node item, story& s) {
    std::map<std::string, std::string, std::less<>> asserted;
    each(item, "assert", [&](xml_node a) { asserted[xml::attr_line(a, "qcode")] = name_of(a); });
    for (auto* v : {&s.subjects, &s.places, &s.people, &s.organisations, &s.genres})
        for (auto& r : *v)
            if (auto it = asserted.find(r.literal); r.name.empty() && it != asserted.end())
                r.name = it->second;
}

// The lifecycle: the status decides kill/withhold; otherwise an explicit signal QCode or
// headline/slug marker; the edNotes only when the agency sent neither. dpa's sig:repeat items
// carry a correction note explaining the repeat: the repeat is what was sent.
void lifecycle(item_ctx& c) {
    story& s = c.s;
    for (const auto& hl : s.headlines) headline_markers(hl.value, c);
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
}

}  // namespace wire::adapters::g2
