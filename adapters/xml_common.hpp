#pragma once
// Helpers shared by the XML adapters (NewsML-G2, NITF, NewsML 1.2): node access by local name,
// subtree text, the document guards (DOCTYPE entities, nesting depth) and root sniffing.
// Header-only, inline.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/story.hpp"
#include "core/text.hpp"

namespace wire::adapters::xml {

/// Elements nest at most this deep (the samples, inline XHTML included, stay under 15).
inline constexpr int k_max_depth = 64;

/// Local part of a qualified name: "nitf:hl1" -> "hl1". Real feeds use any prefix (ns0:, x:).
inline std::string_view local(std::string_view qname) {
    size_t colon = qname.rfind(':');
    return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

/// Local name of a node.
inline std::string_view local(const pugi::xml_node& n) { return local(std::string_view(n.name())); }

/// First child element with this local name (case-sensitive), or an empty node.
inline pugi::xml_node child(const pugi::xml_node& n, std::string_view name) {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && local(c) == name) return c;
    return {};
}

/// First child element with this local name, ASCII case-insensitively (envelopes that send
/// `Header`/`Sent`), or an empty node.
inline pugi::xml_node child_ci(const pugi::xml_node& n, std::string_view name) {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && equals_ci(local(c), name)) return c;
    return {};
}

/// Calls f(child) for the first `max` child elements with this local name.
template <typename F>
void each_child(const pugi::xml_node& n, std::string_view name, F&& f, size_t max = SIZE_MAX) {
    size_t count = 0;
    for (auto c : n.children())
        if (c.type() == pugi::node_element && local(c) == name && count++ < max) f(c);
}

/// Attribute by local name (xml:lang -> "lang").
inline std::string_view attr(const pugi::xml_node& n, std::string_view name) {
    for (auto a : n.attributes())
        if (local(std::string_view(a.name())) == name) return a.value();
    return {};
}

/// Attribute by local name, cleaned to one line.
inline std::string attr_line(const pugi::xml_node& n, std::string_view name) {
    return clean_line(attr(n, name));
}

/// Whether adjoining elements' text needs a space between them: not when there is one already
/// or punctuation follows.
inline bool needs_space(char before, char after) {
    return !std::isspace(static_cast<unsigned char>(before)) && before != '(' &&
           !std::isspace(static_cast<unsigned char>(after)) &&
           std::string_view(",.;:)!?").find(after) == std::string_view::npos;
}

/// All text below a node, whitespace collapsed, iteratively (no recursion on deep documents).
/// Adjoining elements get a space between them unless punctuation follows
/// ("<city>KYIV</city>, Ukraine" stays "KYIV, Ukraine"). `skip` names an element whose subtree
/// is left out. An empty node gives "".
inline std::string text(const pugi::xml_node& root, std::string_view skip = {}) {
    if (root.type() == pugi::node_pcdata || root.type() == pugi::node_cdata)
        return clean_line(root.value());
    std::string out;
    bool boundary = false;
    pugi::xml_node n = root.first_child();
    while (n && n != root) {
        if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
            std::string_view t = n.value();
            if (!t.empty() && boundary && !out.empty() && needs_space(out.back(), t[0])) out += ' ';
            out += t;
            boundary = false;
        } else if (n.type() == pugi::node_element) {
            boundary = true;
            if ((skip.empty() || local(n) != skip) && n.first_child()) {
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

/// The node's own character data (text and CDATA children, unjoined and uncleaned: newlines
/// kept, they separate paragraphs).
inline std::string raw_text(const pugi::xml_node& n) {
    std::string out;
    for (auto c : n.children())
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
    return out;
}

/// The node's inner markup, serialised (for bodies handed to sanitize_html).
inline std::string inner_xml(const pugi::xml_node& n) {
    struct sink : pugi::xml_writer {
        std::string s;
        void write(const void* data, size_t size) override {
            s.append(static_cast<const char*>(data), size);
        }
    } w;
    for (auto c : n.children()) c.print(w, "", pugi::format_raw);
    return w.s;
}

/// A language tag as BCP 47 writes it: "en_US" (a locale name) becomes "en-US", with a
/// field_repaired warning.
inline void repair_language(story& s) {
    if (s.language.find('_') == std::string::npos) return;
    std::string was = s.language;
    std::replace(s.language.begin(), s.language.end(), '_', '-');
    s.wire.warn("field_repaired", "language '" + was + "' read as '" + s.language + "'");
}

/// The node itself, serialised (text escaped, elements with their markup).
inline std::string outer_xml(const pugi::xml_node& n) {
    struct sink : pugi::xml_writer {
        std::string s;
        void write(const void* data, size_t size) override {
            s.append(static_cast<const char*>(data), size);
        }
    } w;
    n.print(w, "", pugi::format_raw);
    return w.s;
}

/// Parses with no DOCTYPE expansion (pugixml never loads external entities) and reports the
/// byte offset of a syntax error. Follow it with check_document().
inline std::optional<adapter_error> parse(pugi::xml_document& doc, std::string_view utf8) {
    // parse_default leaves DOCTYPE out of the tree; pugixml never expands custom entities.
    auto r = doc.load_buffer(utf8.data(), utf8.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r)
        return adapter_error{story_errc::malformed, std::string("XML: ") + r.description(),
                             static_cast<size_t>(r.offset), ""};
    return std::nullopt;
}

/// We never process a DOCTYPE, so general entities declared in an internal subset would be left
/// unexpanded (and an entity bomb is the usual reason to send them): refuse those. A DOCTYPE
/// that names an external DTD, or whose subset only declares parameter entities pulling one in
/// (Kyodo's `<!ENTITY % nitf SYSTEM …>`), is harmless. A DOCTYPE after the root is ignored.
inline std::optional<adapter_error> check_doctype(std::string_view utf8,
                                                  const pugi::xml_node& root) {
    constexpr auto npos = std::string_view::npos;
    size_t d = utf8.find("<!DOCTYPE");
    ptrdiff_t root_at = root.offset_debug();
    if (d == npos || (root_at >= 0 && d > static_cast<size_t>(root_at))) return std::nullopt;
    size_t gt = utf8.find('>', d), open = utf8.find('[', d);
    if (open == npos || (gt != npos && gt < open)) return std::nullopt;
    // The subset ends at the root element, not at the first "]>": that may sit in a comment or
    // a literal inside the subset and hide the declarations after it.
    size_t end = root_at >= 0 ? static_cast<size_t>(root_at) : utf8.size();
    for (size_t p = utf8.find("<!ENTITY", open); p < end; p = utf8.find("<!ENTITY", p + 8)) {
        size_t q = utf8.find_first_not_of(" \t\r\n", p + 8);
        if (q < end && utf8[q] != '%')
            return adapter_error{story_errc::unsupported,
                                 "the DOCTYPE declares entities; entity expansion is not supported",
                                 p, "/!DOCTYPE"};
    }
    return std::nullopt;
}

/// Refuses nodes nested deeper than k_max_depth (pugixml walks iteratively, so hostile depth
/// is safe to measure).
inline std::optional<adapter_error> check_depth(pugi::xml_document& doc) {
    struct : pugi::xml_tree_walker {
        pugi::xml_node deep;
        bool for_each(pugi::xml_node& n) override {
            return depth() < k_max_depth || (deep = n, false);
        }
    } w;
    doc.traverse(w);
    if (!w.deep) return std::nullopt;
    return adapter_error{story_errc::too_large,
                         "XML nesting is deeper than " + std::to_string(k_max_depth),
                         static_cast<size_t>(std::max<ptrdiff_t>(0, w.deep.offset_debug())),
                         w.deep.path().substr(0, 200)};
}

/// The guards every XML adapter runs after parse(): a root element, no internal-subset general
/// entities (check_doctype), at most k_max_depth levels (check_depth).
inline std::optional<adapter_error> check_document(pugi::xml_document& doc, std::string_view utf8) {
    pugi::xml_node root = doc.document_element();
    if (!root)
        return adapter_error{story_errc::malformed, "the document has no root element", 0, ""};
    if (auto e = check_doctype(utf8, root)) return e;
    return check_depth(doc);
}

/// For sniffing: the first element's start tag ("<ns0:nitf xmlns:ns0=…", without the '>')
/// after the XML declaration, comments, PIs and a DOCTYPE with its internal subset; "" when
/// the head has none. Byte order marks left among the leading whitespace (a second BOM, one
/// after a blank line) are skipped like it.
inline std::string_view root_start_tag(std::string_view head) {
    for (size_t i = 0, guard = 0; guard < 64; ++guard) {
        i = head.find_first_not_of(" \t\r\n", i);
        while (i != std::string_view::npos && head.substr(i, 3) == "\xEF\xBB\xBF")
            i = head.find_first_not_of(" \t\r\n", i + 3);
        if (i == std::string_view::npos || head[i] != '<') return {};
        std::string_view rest = head.substr(i);
        bool subset = rest.starts_with("<!DOCTYPE") && rest.find('[') < rest.find('>');
        std::string_view close = rest.starts_with("<?")     ? "?>"
                                 : rest.starts_with("<!--") ? "-->"
                                 : subset                   ? "]>"
                                 : rest.starts_with("<!")   ? ">"
                                                            : "";
        if (close.empty()) return rest.substr(0, rest.find('>'));
        size_t end = rest.find(close);
        if (end == std::string_view::npos) return {};
        i += end + close.size();
    }
    return {};
}

/// For sniffing wrapped documents: whether `head` holds a start tag whose local name is `name`
/// ("<nitf>", "<nitf:nitf ", "<ns0:newsItem/"), anywhere after the first byte.
inline bool has_start_tag(std::string_view head, std::string_view name) {
    constexpr auto npos = std::string_view::npos;
    for (size_t at = head.find(name, 1); at != npos; at = head.find(name, at + 1)) {
        size_t end = at + name.size();
        if (end < head.size() && std::string_view(" \t\r\n>/").find(head[end]) == npos) continue;
        size_t b = at;
        if (head[b - 1] == ':')  // a prefix: letters, digits, '_', '-', '.' back to '<'
            for (--b; b > 0 && (std::isalnum(static_cast<unsigned char>(head[b - 1])) ||
                                std::string_view("_-.").find(head[b - 1]) != npos);)
                --b;
        if (b > 0 && head[b - 1] == '<') return true;
    }
    return false;
}

/// The qualified element name of a start tag: "<ns0:nitf xmlns…" -> "ns0:nitf".
inline std::string_view tag_name(std::string_view start_tag) {
    std::string_view name = start_tag.substr(std::min<size_t>(1, start_tag.size()));
    return name.substr(0, name.find_first_of(" \t\r\n/>"));
}

/// A declared word count (NITF `anpa-wordcount`, G2 `@wordcount`, NewsML 1 `WordCount`) kept as
/// the altid role "wordcount", digits without leading zeros ("0349" -> "349"), once per story.
/// Anything but digits is not a count and is ignored.
inline void keep_wordcount(std::string_view v, story& s) {
    v = trim(v);
    if (v.empty() || v.size() > 9 || v.find_first_not_of("0123456789") != std::string_view::npos)
        return;
    while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
    for (const auto& a : s.altids)
        if (a.role == "wordcount") return;
    s.altids.push_back({"wordcount", std::string(v)});
}

/// Does this paragraph text state rights ("© 2024 Agency…", "(c) Agency", "Copyright …")?
inline bool is_rights_line(std::string_view t) {
    t = trim(t);
    auto word = [&](std::string_view w) {  // w, then no letter ("Copyrights" is prose)
        return starts_with_ci(t, w) &&
               (t.size() == w.size() || !std::isalpha(static_cast<unsigned char>(t[w.size()])));
    };
    return t.starts_with("\xC2\xA9") || word("(c)") || word("copyright");
}

/// A rights paragraph closing an HTML body ("<p>© Agency. All rights reserved…</p>", empty
/// paragraphs after it ignored) is not story text: it leaves the body for copyrightnotice
/// (appended when the item already names one). The body keeps it when it is all there is.
inline void take_rights_paragraph(story& s) {
    std::string& html = s.body_html;
    size_t end = html.size();
    for (int guard = 0; guard < 8; ++guard) {
        size_t at = end;
        while (at > 0) {  // the last "<p>" or "<p " before end, any case
            at = html.rfind('<', at - 1);
            if (at == std::string::npos) return;
            if (at + 2 < end && (html[at + 1] == 'p' || html[at + 1] == 'P') &&
                (html[at + 2] == '>' || html[at + 2] == ' '))
                break;
            if (at == 0) return;
        }
        std::string text(trim(html_to_text(sanitize_html(html.substr(at, end - at)))));
        if (text.empty()) {
            end = at;
            continue;
        }
        if (!is_rights_line(text)) return;
        std::string rest = html.substr(0, at);
        if (trim(html_to_text(sanitize_html(rest))).empty()) return;
        html = rest + html.substr(end);
        std::string line = clean_line(text);
        if (s.copyrightnotice.find(line) == std::string::npos)
            s.copyrightnotice += (s.copyrightnotice.empty() ? "" : " ") + line;
        return;
    }
}

}  // namespace wire::adapters::xml
