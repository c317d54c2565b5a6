#pragma once
// NITF head reading for nitf.cpp, in nitf_head.cpp: head/meta pairs, pubdata and the story's
// identity (docdata ids and what stands in for them).
#include <pugixml.hpp>

#include <string>
#include <string_view>

#include "core/story.hpp"
#include "xml_common.hpp"

namespace wire::adapters::nitf {

/// A docdata element; some senders put docdata's elements straight under <head>.
inline pugi::xml_node dd(const pugi::xml_node& docdata, const pugi::xml_node& head,
                         std::string_view name) {
    pugi::xml_node n = xml::child(docdata, name);
    return n ? n : xml::child(head, name);
}

/// What head/meta gives besides the story fields it sets directly.
struct meta_out {
    std::string own_priority, id, id_name, description;
};

/// head/meta name/content pairs: agency conventions (AAP anpa-*, EFE, NTB) and generic names
/// (keywords, author, description, language, id…); unknown names are kept as altids.
void map_meta(const pugi::xml_node& head, story& s, meta_out& out);

/// Where the story appeared in print: date.publication (returned in `published`, a stand-in
/// for a missing issue time), section -> category; publication, edition and page -> altids.
void map_pubdata(const pugi::xml_node& head, story& s, std::string& published);

/// The story's uri (see nitf_head.cpp for the order), agency from doc-id/@regsrc.
void map_identity(const pugi::xml_node& docdata, const pugi::xml_node& head, const meta_out& meta,
                  story& s);

}  // namespace wire::adapters::nitf
