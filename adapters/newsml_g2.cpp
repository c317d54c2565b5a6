// NewsML-G2 (IPTC): a bare newsItem or packageItem, or a newsMessage whose itemSet holds several;
// one story per item. docs/formats.md says what it reads. This file
// reads messages, identity and version times; newsml_g2_meta.cpp the item's metadata and
// newsml_g2_content.cpp its content.
#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "core/datetime.hpp"
#include "core/registry.hpp"
#include "core/text.hpp"
#include "newsml_g2.hpp"
#include "xml_common.hpp"

namespace wire::adapters {
namespace {

using pugi::xml_node;
using namespace g2;

constexpr std::string_view k_nar = "http://iptc.org/std/nar/2006-10-01/";
constexpr size_t k_max_items = 1000;  // items per newsMessage

// Calls f(child) for every element child with this local name, at most k_max_list times.
template <class F>
void each(xml_node n, std::string_view name, F&& f) {
    xml::each_child(n, name, f, k_max_list);
}

adapter_error fail(story_errc code, std::string message, std::string path,
                   std::optional<size_t> offset = {}) {
    return adapter_error{code, std::move(message), offset, std::move(path)};
}

struct header_info {
    std::string priority, sent, agency, transmit_id;
    std::vector<warning> warnings;
    size_t unidentified = 0;                     // story items without a guid
    std::map<size_t, std::string> residref_ids;  // itemSet position -> a package's residref
};

// An item without a guid, in this order: the residref a package of the same message gives it
// (decode matched them), an altId (provider ids stay the same across versions; item ids,
// guids and Reuters' USN first), the header transmitId (alone when it is the message's only
// such item, else with the item's place in the itemSet). Nothing: "" and core derives a hash.
void derive_id(xml_node item, const header_info& h, size_t index, story& s) {
    std::string why = "item has no guid; used ";
    if (auto it = h.residref_ids.find(index); it != h.residref_ids.end()) {
        s.uri = it->second;
        return s.wire.warn("id_derived", why + "the package's itemRef residref, in item order");
    }
    std::string best, best_type;
    int best_rank = -1;
    each(xml::child(item, "contentMeta"), "altId", [&](xml_node n) {
        std::string v = xml::text(n);
        if (v.empty()) v = xml::attr_line(n, "id");
        std::string type = xml::attr_line(n, "type"), t = ascii_lower(type);
        int rank = t.find("itemid") != std::string::npos || t.find("guid") != std::string::npos ||
                   t.find("usn") != std::string::npos;
        if (!v.empty() && rank > best_rank) best = v, best_type = type, best_rank = rank;
    });
    if (!best.empty()) {
        s.uri = best;
        return s.wire.warn("id_derived", why + "altId '" + best_type + "'");
    }
    if (h.transmit_id.empty()) return;
    if (h.unidentified <= 1) {
        s.uri = h.transmit_id;
        return s.wire.warn("id_derived", why + "the header transmitId");
    }
    s.uri = h.transmit_id + "#" + std::to_string(index);
    s.wire.warn("id_derived", why + "the header transmitId and its place in the itemSet (" +
                                  std::to_string(index) + ")");
}

// versionCreated orders revisions; without a usable one: contentModified, the header's sent
// time, then firstCreated, each with a warning; none: finalize uses received_at.
void version_time(xml_node meta, const item_ctx& c, const header_info& h, story& s) {
    std::string vct = xml::text(xml::child(meta, "versionCreated"));
    if (auto t = parse_iso8601(vct)) {
        s.versioncreated = t->rfc3339();
        return;
    }
    if (!vct.empty()) s.wire.warn("bad_date", "versionCreated '" + vct + "' is not a date-time");
    std::string what = vct.empty() ? "item has no versionCreated; used " : "used ";
    if (auto t = parse_iso8601(c.content_modified)) {
        s.versioncreated = t->rfc3339();
        s.wire.warn("no_version_time", what + "contentModified");
    } else if (!h.sent.empty()) {
        s.versioncreated = h.sent;
        s.wire.warn("no_version_time", what + "the header sent time");
    } else if (!s.firstcreated.empty()) {
        s.versioncreated = s.firstcreated;
        s.wire.warn("no_version_time", what + "firstCreated");
    }
}

item_result decode_item(xml_node item, const header_info& h, size_t index, const profile& prof) {
    item_ctx c;
    story& s = c.s;
    s.wire.warnings = h.warnings;
    s.uri = xml::attr_line(item, "guid");
    if (s.uri.empty()) derive_id(item, h, index, s);
    s.version = xml::attr_line(item, "version");
    if (s.version.empty()) s.version = "1";  // the schema default
    // Kept verbatim: Reuters sends huge, non-consecutive numbers; order comes from the envelope.
    if (s.version.find_first_not_of("0123456789") != std::string::npos)
        s.wire.warn("bad_version", "version '" + s.version + "' is not a number");
    read_rights(item, s);

    xml_node meta = xml::child(item, "itemMeta");
    std::string service;
    read_item_meta(meta, c, service);
    read_content_meta(xml::child(item, "contentMeta"), c, prof);
    version_time(meta, c, h, s);
    if (s.wire.agency.empty()) s.wire.agency = h.agency;
    if (s.wire.priority.empty()) s.wire.priority = h.priority;
    if (s.wire.category.empty()) s.wire.category = service;
    if (s.language.empty()) s.language = xml::attr_line(item, "lang");
    xml::repair_language(s);
    asserted_names(item, s);

    if (equals_ci(xml::local(item), "packageItem")) {
        s.type = "composite";
        g2::read_group_set(item, s);
    } else {
        g2::read_content_set(xml::child(item, "contentSet"), s);  // may add NITF headlines
    }
    if (s.by.empty()) s.by = c.creators;
    g2::guess_headline(s);
    lifecycle(c);
    return s;
}

bool is_story_item(std::string_view name) {
    return equals_ci(name, "newsItem") || equals_ci(name, "packageItem");
}

bool has_child_ci(xml_node n, std::initializer_list<std::string_view> names) {
    for (auto name : names)
        if (xml::child_ci(n, name)) return true;
    return false;
}

// A story item: newsItem or packageItem, or an element of another name shaped like one (a
// renamed item: itemMeta, contentMeta or contentSet below it) that is not a metadata item.
bool story_node(xml_node n) {
    std::string_view name = xml::local(n);
    if (is_story_item(name)) return true;
    for (std::string_view meta : {"conceptItem", "knowledgeItem", "planningItem"})
        if (equals_ci(name, meta)) return false;
    return has_child_ci(n, {"itemMeta", "contentMeta", "contentSet"});
}

bool is_g2_root(std::string_view name) {
    return is_story_item(name) || equals_ci(name, "newsMessage");
}

// The residrefs of a packageItem's itemRefs (groupSet groups, or straight in the package).
std::vector<std::string> residrefs(xml_node package) {
    std::vector<std::string> out;
    auto add = [&](xml_node r) {
        if (std::string id = xml::attr_line(r, "residref"); !id.empty()) out.push_back(id);
    };
    each(xml::child(package, "groupSet"), "group", [&](xml_node g) { each(g, "itemRef", add); });
    each(package, "itemRef", add);
    return out;
}

// Whether a package says anything of its own: a headline, description or note, or a
// description on an itemRef (the itemRefs' titles repeat their items' headlines).
bool own_text(xml_node package) {
    xml_node meta = xml::child(package, "contentMeta"), item_meta = xml::child(package, "itemMeta");
    if (xml::child(meta, "headline") || xml::child(meta, "description") ||
        xml::child(item_meta, "edNote"))
        return true;
    return !package
                .find_node([](xml_node n) {
                    return n.type() == pugi::node_element && xml::local(n) == "description" &&
                           xml::local(n.parent()) == "itemRef";
                })
                .empty();
}

struct item_plan {
    std::vector<xml_node> items;  // the itemSet's elements, in order
    std::vector<bool> skip;       // packages whose members are all here; metadata items
};

// Which items become stories. Items without a guid are matched, in order, with the residrefs a
// package of the message names but no item carries, when the counts agree. A package whose
// itemRefs all name items of the same message (or name nothing) and that says nothing of its
// own (own_text) is skipped: its members are published with their own metadata. conceptItem,
// knowledgeItem and planningItem are metadata, not stories: skipped when the message holds a story,
// refused otherwise.
item_plan plan_items(xml_node set, header_info& h) {
    item_plan p;
    std::set<std::string, std::less<>> guids;
    std::vector<size_t> unidentified;
    for (auto c : set.children())
        if (c.type() == pugi::node_element) p.items.push_back(c);
    bool any_story = false;
    for (size_t i = 0; i < p.items.size() && i < k_max_items; ++i) {
        bool story = story_node(p.items[i]);
        any_story = any_story || story;
        std::string guid = xml::attr_line(p.items[i], "guid");
        if (story && !guid.empty()) guids.insert(guid);
        if (story && guid.empty() && !equals_ci(xml::local(p.items[i]), "packageItem"))
            unidentified.push_back(i + 1);
    }
    std::vector<std::string> unresolved;
    for (auto item : p.items)
        if (equals_ci(xml::local(item), "packageItem"))
            for (auto& r : residrefs(item))
                if (!guids.contains(r) &&
                    std::find(unresolved.begin(), unresolved.end(), r) == unresolved.end())
                    unresolved.push_back(r);
    if (!unresolved.empty() && unresolved.size() == unidentified.size())
        for (size_t k = 0; k < unresolved.size(); ++k) {
            h.residref_ids[unidentified[k]] = unresolved[k];
            guids.insert(unresolved[k]);
        }
    for (auto item : p.items) {
        std::string_view name = xml::local(item);
        bool skip = any_story && !story_node(item);
        if (equals_ci(name, "packageItem")) {
            auto refs = residrefs(item);
            // A package of empty itemRefs (no residref, no title) says nothing either.
            bool titled =
                !item.find_node([](xml_node n) {
                         return xml::local(n) == "title" && xml::local(n.parent()) == "itemRef";
                     })
                     .empty();
            skip =
                !own_text(item) &&
                (refs.empty() ? !titled : std::all_of(refs.begin(), refs.end(), [&](const auto& r) {
                    return guids.contains(r);
                }));
        }
        p.skip.push_back(skip);
    }
    h.unidentified = 0;  // the guidless items that become stories: one may take the transmitId
    for (size_t i = 0; i < p.items.size() && i < k_max_items; ++i)
        if (!p.skip[i] && story_node(p.items[i]) && xml::attr_line(p.items[i], "guid").empty())
            ++h.unidentified;
    return p;
}

header_info read_header(xml_node header) {
    header_info h;
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
    return h;
}

std::vector<item_result> decode_message(xml_node msg, const std::string& rpath,
                                        std::vector<warning> warnings, const profile& prof) {
    header_info h = read_header(xml::child_ci(msg, "header"));
    h.warnings.insert(h.warnings.begin(), warnings.begin(), warnings.end());
    xml_node set = xml::child_ci(msg, "itemSet");
    if (!set) {  // items straight under the message
        set = msg;
        bool items = false;
        for (auto c : msg.children()) items = items || story_node(c);
        if (items)
            h.warnings.push_back(
                {"layout_guessed", "the newsMessage has no itemSet; read the items under it"});
    }
    item_plan plan = plan_items(set, h);
    std::vector<item_result> out;
    std::map<std::string, int, std::less<>> seen;  // index per element name, for paths
    for (size_t i = 0; i < plan.items.size(); ++i) {
        xml_node item = plan.items[i];
        std::string name(xml::local(item));
        std::string path = rpath + "/itemSet/" + name + "[" + std::to_string(++seen[name]) + "]";
        if (i >= k_max_items) {
            out.push_back(fail(
                story_errc::too_large,
                "more than " + std::to_string(k_max_items) + " items; the rest are refused", path));
            break;
        }
        if (plan.skip[i]) continue;
        if (story_node(item)) {
            out.push_back(decode_item(item, h, i + 1, prof));
            if (!is_story_item(name))
                std::get<story>(out.back())
                    .wire.warn("layout_guessed", "<" + name + "> is read as a newsItem");
        } else if (set != msg) {  // under the message itself: header, catalogs…
            out.push_back(fail(story_errc::unsupported, "<" + name + "> is not a story", path));
        }
    }
    return out;
}

// The G2 message or item to read when the root is neither: the first one below a transport
// wrapper (SOAP, a feed's own envelope; exact case, NewsML 1 has <NewsItem>), the message of an
// item whose message element was renamed, else an element shaped like a message (an itemSet)
// or an item (itemMeta, contentMeta, contentSet). An empty node when there is none.
xml_node find_top(xml_node root) {
    xml_node n = root.find_node([](xml_node e) {
        std::string_view l = xml::local(e);
        return e.type() == pugi::node_element &&
               (l == "newsMessage" || l == "newsItem" || l == "packageItem");
    });
    if (n && equals_ci(xml::local(n.parent()), "itemSet") && n.parent().parent() != root.parent())
        return n.parent().parent();
    if (n) return n;
    auto shaped = [](xml_node e) {
        return e.type() == pugi::node_element &&
               has_child_ci(e, {"itemSet", "itemMeta", "contentMeta", "contentSet"});
    };
    return shaped(root) ? root : root.find_node(shaped);
}

std::vector<item_result> decode(std::string_view utf8, const decode_context& ctx) {
    pugi::xml_document doc;
    if (auto err = xml::parse(doc, utf8)) return {*err};
    if (auto err = xml::check_document(doc, utf8)) return {*err};
    xml_node root = doc.document_element(), top = root;
    std::vector<warning> warnings;
    if (!is_g2_root(xml::local(root))) {
        top = find_top(root);
        if (!top)
            return {fail(story_errc::unknown_format,
                         "root <" + std::string(root.name()) +
                             "> is not a NewsML-G2 item or message and holds none",
                         "/" + std::string(xml::local(root)))};
        std::string what = top == root ? "the root <" + std::string(root.name()) + "> is read as "
                                       : "<" + std::string(top.name()) + "> inside <" +
                                             std::string(root.name()) + "> is read as ";
        bool message = equals_ci(xml::local(top), "newsMessage") || has_child_ci(top, {"itemSet"});
        warnings.push_back({"layout_guessed", what + (message ? "a newsMessage" : "an item")});
        if (!message) {
            header_info h;
            h.warnings = std::move(warnings);
            return {decode_item(top, h, 0, ctx.prof)};
        }
    } else if (is_story_item(xml::local(top))) {
        return {decode_item(top, header_info{}, 0, ctx.prof)};
    }
    return decode_message(top, "/" + std::string(xml::local(top)), std::move(warnings), ctx.prof);
}

// Root <newsMessage>, <newsItem> or <packageItem>: in the NAR namespace, or with any prefix
// (tool-rewritten files use ns0:), or without either when G2's own elements follow (itemMeta,
// contentMeta, itemSet); also inside another root (a SOAP or feed envelope) or under a renamed
// root.
bool sniff(std::string_view head) {
    std::string_view name = xml::tag_name(xml::root_start_tag(head));
    std::string_view local = xml::local(name);
    bool nar = head.find(k_nar) != std::string_view::npos;
    bool parts = false, items = false;  // elements only G2 has
    for (std::string_view own : {"itemMeta", "contentMeta", "itemSet"})
        parts = parts || xml::has_start_tag(head, own);
    for (std::string_view own : {"newsItem", "newsMessage", "packageItem"})
        items = items || xml::has_start_tag(head, own);
    if (local != "newsMessage" && local != "newsItem" && local != "packageItem")
        return !local.empty() && local != "NewsML" && local != "nitf" && (parts || items);
    return local.size() < name.size() || nar || parts;
}

}  // namespace

WIRE_REGISTER_ADAPTER(adapter_info{"newsml-g2", "IPTC NewsML-G2 newsMessage, newsItem, packageItem",
                                   decode, sniff, charset_source::xml_declaration, 20});

}  // namespace wire::adapters
