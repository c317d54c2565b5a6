#pragma once
// Helpers shared by the XML adapters (NewsML-G2, NITF, NewsML 1.2). Header-only, inline.
#include <pugixml.hpp>

#include <string>
#include <string_view>

#include "core/story.hpp"
#include "core/text.hpp"

namespace wire::adapters::xml {

/// Local name of a node: "nitf:hl1" -> "hl1". Real feeds use any prefix (ns0:, x:, none).
inline std::string_view local(const pugi::xml_node& n) {
    std::string_view name = n.name();
    size_t colon = name.rfind(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

/// First child element with this local name (case-sensitive), or an empty node.
inline pugi::xml_node child(const pugi::xml_node& n, std::string_view name) {
    for (auto c : n.children())
        if (c.type() == pugi::node_element && local(c) == name) return c;
    return {};
}

/// Attribute by local name (xml:lang -> "lang").
inline std::string_view attr(const pugi::xml_node& n, std::string_view name) {
    for (auto a : n.attributes()) {
        std::string_view an = a.name();
        size_t colon = an.rfind(':');
        if ((colon == std::string_view::npos ? an : an.substr(colon + 1)) == name) return a.value();
    }
    return {};
}

/// All text below a node, whitespace collapsed (iterative: no recursion on deep documents).
inline std::string text(const pugi::xml_node& n) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) return clean_line(n.value());
    std::string out;
    for (pugi::xml_node c = n.first_child(); c;) {
        if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) {
            out += c.value();
            out += ' ';
        }
        if (c.first_child()) {
            c = c.first_child();
            continue;
        }
        while (c && !c.next_sibling() && c != n) c = c.parent();
        if (!c || c == n) break;
        c = c.next_sibling();
    }
    return clean_line(out);
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

/// Parses with no DOCTYPE expansion (pugixml never loads external entities) and reports the
/// byte offset of a syntax error.
inline std::optional<adapter_error> parse(pugi::xml_document& doc, std::string_view utf8) {
    // parse_default leaves DOCTYPE out of the tree; pugixml never expands custom entities.
    auto r = doc.load_buffer(utf8.data(), utf8.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!r)
        return adapter_error{story_errc::malformed, std::string("XML: ") + r.description(),
                             static_cast<size_t>(r.offset), ""};
    return std::nullopt;
}

}  // namespace wire::adapters::xml
