#pragma once
// NITF reading shared by the NITF adapter and the formats that carry a whole NITF document
// inside (NewsML-G2 inlineXML, NewsML 1.2 DataContent): the body (headlines, bylines,
// dateline, abstracts, notes, body.content) and the head's classification (tobject subjects
// and genres, identified-content, key-list). Header-only, inline.
#include <pugixml.hpp>

#include <string>
#include <vector>

#include "core/concepts.hpp"
#include "core/story.hpp"
#include "core/text.hpp"
#include "xml_common.hpp"

namespace wire::adapters::nitf {

using pugi::xml_node;
inline constexpr size_t k_max_list = 200;  // concepts, keywords, bylines: generous, but bounded

inline void add(std::vector<concept_ref>& v, concept_ref c) {
    add_concept(v, std::move(c), k_max_list);
}

inline std::string join(const std::vector<std::string>& v, std::string_view sep) {
    std::string out;
    for (const auto& s : v)
        if (!s.empty()) out += (out.empty() ? "" : std::string(sep)) + s;
    return out;
}

/// The first element at or below `root` whose local name is `name` (ASCII case-insensitive),
/// in document order, iteratively; an empty node when there is none.
inline xml_node find(const xml_node& root, std::string_view name) {
    if (root.type() == pugi::node_element && equals_ci(xml::local(root), name)) return root;
    return root.find_node([name](const xml_node& n) {
        return n.type() == pugi::node_element && equals_ci(xml::local(n), name);
    });
}

/// What a NITF <body> holds for the story text.
struct body_parts {
    std::vector<text_item> headlines;  // the main one first (role "main"), then hl2 as "sub"
    std::string by, dateline, located, html, rights_owner;
    std::vector<text_item> descriptions;
    std::vector<std::string> notes;
    std::vector<concept_ref> distributors;
    bool loose_body = false;  // no body.content: the text sat straight in <body>
};

/// The <body> of a <nitf>; a document whose body.head / body.content sit straight under the
/// root (no <body>) is read from the root.
inline xml_node body_of(const xml_node& nitf) {
    xml_node b = xml::child(nitf, "body");
    return b ? b : nitf;
}

/// One byline: the names it tags as <person> ("By <person>Jane Doe</person>" -> "Jane Doe"),
/// else its text; a <byttl> title is kept after a comma ("Jane Doe, Staff Writer").
inline std::string byline(const xml_node& b) {
    std::vector<std::string> names;
    xml::each_child(
        b, "person", [&](const xml_node& p) { names.push_back(xml::text(p)); }, k_max_list);
    std::string by = join(names, ", ");
    if (by.empty()) by = xml::text(b, "byttl");
    std::string title = xml::text(xml::child(b, "byttl"));
    if (!title.empty()) by += (by.empty() || by.back() == ',' ? "" : ",") + (" " + title);
    return clean_line(by);
}

/// Editor initials ("gr/bp", "mv/jl/ab"): lower-case letter groups of one to four joined by
/// slashes. EFE puts them in <byline>; they name the desk, not the author ("RFE/RL" is a name).
inline bool is_initials(std::string_view t) {
    t = trim(t);
    if (t.find('/') == std::string_view::npos || t.size() > 40) return false;
    size_t run = 0;
    for (char ch : t) {
        if (ch >= 'a' && ch <= 'z') {
            if (++run > 4) return false;
        } else if (ch == '/' && run > 0) {
            run = 0;
        } else {
            return false;
        }
    }
    return run > 0;
}

/// The dateline's display text and place: <location> (its text), else the dateline's place.
inline void dateline(const xml_node& d, body_parts& out) {
    // EFE repeats the @norm as the story.date text by mistake: that is not display text.
    xml_node sd = xml::child(d, "story.date");
    bool norm_text = sd && xml::text(sd) == xml::attr_line(sd, "norm");
    out.dateline = xml::text(d, norm_text ? "story.date" : "");
    out.located = xml::text(xml::child(d, "location"));
    if (out.located.empty()) out.located = place_of_dateline(out.dateline);
}

/// Headlines: hedline/hl1 (main) and hl2 (subs); AP writes body.head/headline, and a hedline
/// without hl1 gives its own text.
inline void headlines(const xml_node& bhead, body_parts& out) {
    xml_node hed = xml::child(bhead, "hedline");
    if (!hed) hed = xml::child(bhead, "headline");
    xml_node hl1 = xml::child(hed, "hl1");
    std::string main = hl1 ? xml::text(hl1) : xml::text(hed, "hl2");
    if (!main.empty()) out.headlines.push_back({"main", "text/plain", main});
    xml::each_child(
        hed, "hl2",
        [&](const xml_node& h) {
            std::string sub = xml::text(h);  // AP repeats hl1 as an "originalHeadline" hl2
            if (sub != main) out.headlines.push_back({"sub", "text/plain", sub});
        },
        k_max_list);
}

/// Everything body.head and body.content hold, read from a <nitf> (or a body-less document).
inline body_parts read_body(const xml_node& nitf) {
    body_parts out;
    xml_node body = body_of(nitf), bhead = xml::child(body, "body.head");
    headlines(bhead, out);
    std::vector<std::string> bylines;
    xml::each_child(
        bhead, "byline",
        [&](const xml_node& b) {
            std::string by = byline(b);
            (is_initials(by) ? out.notes : bylines).push_back(std::move(by));
        },
        k_max_list);
    out.by = join(bylines, "; ");
    if (xml_node d = xml::child(bhead, "dateline")) dateline(d, out);
    xml::each_child(bhead, "abstract", [&](const xml_node& a) {
        out.descriptions.push_back(
            {"summary", "text/plain", html_to_text(sanitize_html(xml::inner_xml(a)))});
    });
    xml::each_child(bhead, "note", [&](const xml_node& n) { out.notes.push_back(xml::text(n)); });
    xml::each_child(bhead, "distributor", [&](const xml_node& d) {
        add(out.distributors, {xml::text(d), "", "", "", ""});
    });
    out.rights_owner = xml::text(xml::child(xml::child(bhead, "rights"), "rights.owner"));
    xml::each_child(body, "body.content",
                    [&](const xml_node& c) { out.html += xml::inner_xml(c); });
    if (!xml::child(body, "body.content")) {  // <p> and text straight in <body>
        for (auto c : body.children()) {
            std::string_view name = xml::local(c);
            if (c.type() == pugi::node_element &&
                (name == "body.head" || name == "body.end" || name == "head" || name == "body"))
                continue;
            out.html += xml::outer_xml(c);
        }
        out.loose_body = !trim(html_to_text(sanitize_html(out.html))).empty();
        if (!out.loose_body) out.html.clear();
    }
    xml::each_child(xml::child(body, "body.end"), "tagline",
                    [&](const xml_node& t) { out.html += "<p>" + xml::inner_xml(t) + "</p>"; });
    return out;
}

/// Fills what the story left empty from a NITF body: headlines, byline, dateline, place,
/// summaries, copyright holder and the body itself; notes not already in the ednote join it.
inline void fill(story& s, const body_parts& p) {
    if (s.headlines.empty()) s.headlines = p.headlines;
    if (s.by.empty()) s.by = p.by;
    if (s.wire.dateline.empty()) s.wire.dateline = p.dateline;
    if (s.located.empty()) s.located = p.located;
    if (s.descriptions.empty()) s.descriptions = p.descriptions;
    if (s.copyrightholder.empty()) s.copyrightholder = p.rights_owner;
    if (trim(s.body_html).empty() && trim(s.body_text).empty()) s.body_html = p.html;
    for (const auto& n : p.notes)
        if (!n.empty() && s.ednote.find(n) == std::string::npos)
            s.ednote += (s.ednote.empty() ? "" : "\n") + n;
    for (const auto& d : p.distributors) add(s.infosources, d);
}

/// People, organisations and places tagged inline in the body (PA marks them up).
inline void inline_entities(const xml_node& body, story& s) {
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
    xml::each_child(body_of(body), "body.content",
                    [&](const xml_node& c) { xml_node(c).traverse(w); });
}

/// The head's classification: tobject subjects (IPTC refnums, a provider's own refnums kept
/// with their source, or names only) and properties (genres), identified-content
/// (classifiers, people, organisations, places) and key-list keywords.
inline void classification(const xml_node& head, story& s) {
    xml_node docdata = xml::child(head, "docdata");
    xml::each_child(head, "tobject", [&](const xml_node& t) {
        xml::each_child(t, "tobject.subject", [&](const xml_node& sub) {
            std::string ref = xml::attr_line(sub, "tobject.subject.refnum");
            std::string ipr = xml::attr_line(sub, "tobject.subject.ipr");
            std::string name = xml::attr_line(sub, "tobject.subject.detail");
            if (name.empty()) name = xml::attr_line(sub, "tobject.subject.matter");
            if (name.empty()) name = xml::attr_line(sub, "tobject.subject.type");
            if (ref.empty()) return add(s.subjects, {name, "", "", "", ""});
            // A provider's own refnums (EFE "F01001000") are not IPTC codes: keep their source.
            // A refnum written as a QCode ("medtop:04000000") names its scheme itself.
            bool iptc =
                ipr.empty() || ascii_lower(ipr) == "iptc" || ref.find(':') != std::string::npos;
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
    xml::each_child(docdata, "key-list", [&](const xml_node& kl) {
        xml::each_child(kl, "keyword", [&](const xml_node& k) {
            std::string key = xml::attr_line(k, "key");
            if (key.empty()) key = xml::text(k);  // <keyword>text</keyword>, not the DTD's way
            if (s.wire.keywords.size() < k_max_list) s.wire.keywords.push_back(key);
        });
    });
}

}  // namespace wire::adapters::nitf
