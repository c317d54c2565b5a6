// NITF head: head/meta pairs, pubdata and the story's identity (nitf.hpp).
#include <pugixml.hpp>

#include <string>
#include <vector>

#include "core/concepts.hpp"
#include "core/datetime.hpp"
#include "core/text.hpp"
#include "nitf.hpp"
#include "nitf_common.hpp"
#include "telex_common.hpp"
#include "xml_common.hpp"

namespace wire::adapters::nitf {
namespace {

using pugi::xml_node;

// --- head/meta ----------------------------------------------------------------------------------

enum class meta_kind {
    wordcount,
    selectors,
    category,
    take_key,
    slug,
    sequence,
    priority,
    keywords,
    by,
    description,
    language,
    id,
    copyright,
    subject,
    genre
};

// What the meta names mean (lower-cased): agency conventions (AAP anpa-*, EFE, NTB) and the
// generic names HTML-minded senders use. Unknown names are kept as altids.
constexpr std::pair<std::string_view, meta_kind> k_meta[] = {
    {"anpa-category", meta_kind::category},
    {"categoria", meta_kind::category},
    {"category", meta_kind::category},
    {"anpa-takekey", meta_kind::take_key},
    {"takekey", meta_kind::take_key},
    {"anpa-keyword", meta_kind::slug},
    {"ntbstikkord", meta_kind::slug},
    {"slug", meta_kind::slug},
    {"slugline", meta_kind::slug},
    {"anpa-sequence", meta_kind::sequence},
    {"ntbiptcsequence", meta_kind::sequence},
    {"prioridad", meta_kind::priority},
    {"anpa-priority", meta_kind::priority},
    {"priority", meta_kind::priority},
    {"urgency", meta_kind::priority},
    {"keywords", meta_kind::keywords},
    {"keyword", meta_kind::keywords},
    {"news_keywords", meta_kind::keywords},
    {"byline", meta_kind::by},
    {"author", meta_kind::by},
    {"description", meta_kind::description},
    {"abstract", meta_kind::description},
    {"language", meta_kind::language},
    {"lang", meta_kind::language},
    {"dc.language", meta_kind::language},
    {"id", meta_kind::id},
    {"guid", meta_kind::id},
    {"doc-id", meta_kind::id},
    {"docid", meta_kind::id},
    {"uri", meta_kind::id},
    {"storyid", meta_kind::id},
    {"story-id", meta_kind::id},
    {"itemid", meta_kind::id},
    {"item-id", meta_kind::id},
    {"ntbid", meta_kind::id},
    {"dc.identifier", meta_kind::id},
    {"copyright", meta_kind::copyright},
    {"subject", meta_kind::subject},
    {"genre", meta_kind::genre},
    {"anpa-wordcount", meta_kind::wordcount},
    {"aap-selectors", meta_kind::selectors},
    {"anpa-selectors", meta_kind::selectors}};

void set_first(std::string& field, const std::string& value) {
    if (field.empty()) field = value;
}

}  // namespace

void map_meta(const xml_node& head, story& s, meta_out& out) {
    xml::each_child(
        head, "meta",
        [&](const xml_node& m) {
            std::string raw_name = xml::attr_line(m, "name"), value = xml::attr_line(m, "content");
            if (raw_name.empty()) raw_name = xml::attr_line(m, "http-equiv");
            std::string name = ascii_lower(raw_name);
            if (value.empty()) return;
            const meta_kind* kind = nullptr;
            for (const auto& [key, k] : k_meta)
                if (name == key) kind = &k;
            if (!kind) return s.altids.push_back({raw_name.empty() ? "meta" : raw_name, value});
            switch (*kind) {
                case meta_kind::category:
                    s.wire.category = value;
                    break;
                case meta_kind::take_key:
                    s.wire.take_key = value;
                    break;
                case meta_kind::slug:
                    s.slugline = value;
                    break;
                case meta_kind::sequence:
                    s.wire.sequence = value;
                    break;
                case meta_kind::priority:
                    out.own_priority = value;
                    break;
                case meta_kind::wordcount:
                    xml::keep_wordcount(value, s);
                    break;
                case meta_kind::selectors:  // ANPA selector codes, as anpa1312 keeps them
                    for (auto k : split(value, ' '))
                        if (s.wire.keywords.size() < k_max_list && !trim(k).empty())
                            s.wire.keywords.emplace_back(trim(k));
                    break;
                case meta_kind::keywords:
                    for (auto k : split(value, ','))
                        if (s.wire.keywords.size() < k_max_list)
                            s.wire.keywords.emplace_back(trim(k));
                    break;
                case meta_kind::by:
                    set_first(s.by, value);
                    break;
                case meta_kind::description:
                    set_first(out.description, value);
                    break;
                case meta_kind::language:
                    set_first(s.language, value);
                    break;
                case meta_kind::id:
                    if (out.id.empty()) out.id = value, out.id_name = raw_name;
                    break;
                case meta_kind::copyright:
                    set_first(s.copyrightnotice, value);
                    break;
                case meta_kind::subject:
                    nitf::add(s.subjects, code_concept("", value));
                    break;
                case meta_kind::genre:
                    nitf::add(s.genres, code_concept("", value));
                    break;
            }
        },
        k_max_list);
}

// Where the story appeared in print: the publication date stands in for a missing issue time
// (decode_story); section -> category; publication, edition and page are kept as altids.
void map_pubdata(const xml_node& head, story& s, std::string& published) {
    xml::each_child(
        head, "pubdata",
        [&](const xml_node& p) {
            if (published.empty()) published = xml::attr_line(p, "date.publication");
            set_first(s.wire.category, xml::attr_line(p, "position.section"));
            for (const char* a : {"name", "edition.name", "edition.area", "position.section",
                                  "position.sequence", "issue", "volume", "number"})
                if (std::string v = xml::attr_line(p, a); !v.empty())
                    s.altids.push_back({std::string("pubdata:") + a, v});
        },
        4);
}

// --- identity -----------------------------------------------------------------------------------

// The story's key, in this order: the document a kill or correction points at
// (management-doc-idref, correction/@id-string), doc-id/@id-string, du-key/@key (also when
// the doc-id is the du-key plus a version: NTB "<key>_47"). Without those, with an id_derived
// warning: doc-id's text, a meta naming an id, else source + issue day + slug (like the telex
// formats). Nothing: "" and core derives a content hash.
void map_identity(const xml_node& docdata, const xml_node& head, const meta_out& meta, story& s) {
    xml_node doc_id_node = dd(docdata, head, "doc-id"), du = dd(docdata, head, "du-key");
    std::string doc_id = xml::attr_line(doc_id_node, "id-string"),
                du_key = xml::attr_line(du, "key");
    std::string idref = xml::attr_line(docdata, "management-doc-idref");
    std::string key =
        !idref.empty() ? idref : xml::attr_line(dd(docdata, head, "correction"), "id-string");
    if (key.empty()) key = doc_id;
    if (!du_key.empty() && (key.empty() || (key.size() > du_key.size() && key.starts_with(du_key))))
        key = du_key;
    if (!doc_id.empty() && !key.empty() && doc_id != key) s.altids.push_back({"doc-id", doc_id});
    std::string src = xml::attr_line(doc_id_node, "regsrc");
    if (!src.empty()) s.wire.agency = ascii_lower(src);
    s.uri = key;
    if (!key.empty()) return;
    std::string why = "no doc-id/@id-string, du-key/@key or management-doc-idref; used ";
    if (std::string text = xml::text(doc_id_node); !text.empty()) {
        s.uri = text;
        return s.wire.warn("id_derived", why + "the doc-id text");
    }
    if (!meta.id.empty()) {
        s.uri = meta.id;
        return s.wire.warn("id_derived", why + "meta '" + meta.id_name + "'");
    }
    if (src.empty()) src = xml::attr_line(dd(docdata, head, "doc.copyright"), "holder");
    std::string issue = xml::attr_line(dd(docdata, head, "date.issue"), "norm");
    auto t = parse_iso8601(issue);
    std::string slug = !s.slugline.empty() ? s.slugline : xml::text(xml::child(head, "title"));
    src = telex::slug_part(src), slug = telex::slug_part(slug);
    if (src.empty() || !t || slug.empty()) return;
    s.uri = "urn:wiregate:" + src + ":nitf:" + t->rfc3339().substr(0, 10) + ":" + slug;
    s.wire.warn("id_derived", why + "source, issue day and slug");
}

}  // namespace wire::adapters::nitf
