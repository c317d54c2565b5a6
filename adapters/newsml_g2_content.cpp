// NewsML-G2 content: the renditions of a newsItem's contentSet and a packageItem's groupSet.
// docs/formats.md (newsml-g2) says what it reads.
#include <pugixml.hpp>

#include <string>

#include "core/text.hpp"
#include "newsml_g2.hpp"
#include "nitf_common.hpp"
#include "telex_common.hpp"
#include "xml_common.hpp"

namespace wire::adapters::g2 {
namespace {

using pugi::xml_node;

template <class F>
void each(xml_node n, std::string_view name, F&& f) {
    xml::each_child(n, name, f, k_max_list);
}

bool has_body(const story& s) { return !trim(s.body_html).empty() || !trim(s.body_text).empty(); }

// A NITF document: its body, and what its head and body.head say that contentMeta did not.
void read_nitf(xml_node nitf_root, story& s) {
    nitf::body_parts body = nitf::read_body(nitf_root);
    if (body.loose_body)
        s.wire.warn("layout_guessed", "inline NITF without body.content; read the text in <body>");
    nitf::fill(s, body);
    nitf::classification(xml::child(nitf_root, "head"), s);
    nitf::inline_entities(nitf_root, s);
}

// An XML rendition's root: NITF (at any depth: some senders wrap it), XHTML, or a fragment.
void read_markup(xml_node holder, xml_node root, story& s) {
    if (xml_node n = nitf::find(root, "nitf")) {
        read_nitf(n, s);
    } else if (xml::local(root) == "html") {
        // dpa's XHTML <header> repeats the slugline, date and headline: not body text.
        xml_node body = xml::child(root, "body");
        while (xml_node h = xml::child(body, "header")) body.remove_child(h);
        s.body_html = xml::inner_xml(body ? body : root);
    } else {  // a bare fragment (<body>, <section>…)
        s.body_html = xml::inner_xml(holder);
    }
}

// inlineData whose text is markup (NITF or XHTML escaped as text): read as XML when it parses
// and stays shallow, else as HTML.
void read_escaped_markup(const std::string& text, story& s) {
    pugi::xml_document sub;
    if (!xml::parse(sub, text) && !xml::check_depth(sub) && sub.document_element()) {
        read_markup(sub, sub.document_element(), s);
        if (has_body(s)) return;
    }
    s.body_html = text;
}

}  // namespace

void read_content_set(xml_node set, story& s) {
    size_t count = 0;
    for (auto r : set.children()) {
        if (r.type() != pugi::node_element || count++ >= k_max_list) continue;
        std::string_view kind = xml::local(r);
        std::string ct = ascii_lower(xml::attr(r, "contenttype"));
        xml::keep_wordcount(xml::attr(r, "wordcount"), s);
        if (kind == "inlineXML") {
            xml_node root = r.find_child([](xml_node n) { return n.type() == pugi::node_element; });
            if (root) read_markup(r, root, s);
        } else if (kind == "inlineData" && xml::attr(r, "encoding").empty()) {
            std::string text = xml::raw_text(r);
            bool markup = ct.find("xml") != std::string::npos ||
                          ct.find("html") != std::string::npos ||
                          (ct.empty() && trim(text).starts_with("<"));
            if (markup)
                read_escaped_markup(text, s);
            else if (ct.empty() || ct.starts_with("text/"))
                s.body_text = text;
        }
        if (has_body(s)) return;
        s.body_html.clear();
        s.body_text.clear();
    }
}

void read_group_set(xml_node item, story& s) {
    std::string list;
    size_t count = 0;
    auto add = [&](xml_node ref) {
        if (count++ >= k_max_list) return;
        std::string id = xml::attr_line(ref, "residref"),
                    title = xml::text(xml::child(ref, "title"));
        list += "<li>" + escape_html(title.empty() ? id : title + " (" + id + ")");
        each(ref, "description", [&](xml_node d) { list += "<br/>" + escape_html(xml::text(d)); });
        list += "</li>";
    };
    each(xml::child(item, "groupSet"), "group", [&](xml_node g) { each(g, "itemRef", add); });
    each(item, "itemRef", add);  // IPTC's newsMessage listing puts them straight in the package
    if (!list.empty()) s.body_html = "<ul>" + list + "</ul>";
}

// No headline: itemMeta's title, else (STT sends `<headline/>`) the first sentence of the text's
// first paragraph; both with headline_guessed.
void guess_headline(story& s) {
    for (const auto& h : s.headlines)
        if (!trim(h.value).empty()) return;
    s.headlines.clear();
    if (!trim(s.title).empty()) {
        s.headlines.push_back({"main", "", s.title});
        return s.wire.warn("headline_guessed", "no headline; used itemMeta/title");
    }
    std::string text = s.body_html.empty() ? s.body_text : html_to_text(sanitize_html(s.body_html));
    std::string_view para = trim(text);
    para = trim(para.substr(0, para.find("\n")));
    if (std::string h = telex::first_sentence(para); !h.empty()) {
        s.headlines.push_back({"main", "", h});
        s.wire.warn("headline_guessed",
                    "no headline or title; used the first sentence of the text");
    }
}

}  // namespace wire::adapters::g2
