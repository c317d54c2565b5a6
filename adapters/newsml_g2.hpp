#pragma once
// NewsML-G2 parts shared by newsml_g2.cpp (items, messages, identity, version time),
// newsml_g2_meta.cpp (itemMeta, contentMeta, rights, lifecycle) and newsml_g2_content.cpp
// (what an item's contentSet or groupSet holds).
#include <pugixml.hpp>

#include <optional>
#include <string>

#include "core/lifecycle.hpp"
#include "core/profile.hpp"
#include "core/story.hpp"

namespace wire::adapters::g2 {

inline constexpr size_t k_max_list = 2000;  // subjects, keywords, itemRefs… per item

/// One item being read: the story and what decides its lifecycle signal and byline.
struct item_ctx {
    story s;
    bool have_explicit = false;  // a lifecycle signal QCode or marker was present
    bool embargo_hold = false;   // <embargoed/> present but without a usable time
    signal_kind sig = signal_kind::new_story;
    std::optional<signal_kind> inferred;  // from edNotes; used only without an explicit signal
    std::string creators;                 // the byline when neither contentMeta nor NITF has one
    std::string content_modified;         // contentModified, a stand-in for versionCreated
    void mark(signal_kind k) {
        sig = have_explicit ? stronger(sig, k) : k;
        have_explicit = true;
    }
};

/// The text of the first <name> child, else the @literal (Reuters: <creator literal="Reuters"/>).
std::string name_of(pugi::xml_node n);
/// wire.agency from a provider QCode, literal or URI, or the header sender.
std::string agency_of(std::string id);
/// rightsInfo: copyright holder and notice, usage terms.
void read_rights(pugi::xml_node item, story& s);
/// itemMeta: class, provider, times, status, notes, signals; `service` gets the first service.
void read_item_meta(pugi::xml_node meta, item_ctx& c, std::string& service);
/// contentMeta: urgency, place, sources, creators, ids, language, genres, keywords, subjects,
/// slug, headlines, dateline, byline, credit and descriptions.
void read_content_meta(pugi::xml_node meta, item_ctx& c, const profile& prof);
/// Names for concepts that carry only a QCode, from the item's <assert>s.
void asserted_names(pugi::xml_node item, story& s);
/// The signal and pubstatus once everything is read (headline markers included).
void lifecycle(item_ctx& c);

/// The first text rendition that has content: inlineXML (NITF, even below a wrapper, or XHTML
/// or a bare fragment) or inlineData (text, or NITF/HTML markup sent as escaped text). A NITF
/// fills what contentMeta left empty: headlines, byline, dateline, summary, notes, subjects.
void read_content_set(pugi::xml_node set, story& s);

/// packageItem: the groupSet's itemRefs become the body, a list a desk can read.
void read_group_set(pugi::xml_node item, story& s);

/// No headline: itemMeta's title, else the first sentence of the text (headline_guessed).
void guess_headline(story& s);

}  // namespace wire::adapters::g2
