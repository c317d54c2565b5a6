// NewsML 1 item identity and NewsManagement (newsml1.hpp).
#include <pugixml.hpp>

#include <string>

#include "core/datetime.hpp"
#include "core/lifecycle.hpp"
#include "core/text.hpp"
#include "newsml1.hpp"
#include "xml_common.hpp"

namespace wire::adapters::newsml1 {
namespace {

using pugi::xml_node;
constexpr auto npos = std::string_view::npos;

// urn:newsml:Provider:DateId:NewsItemId:RevisionId[Update] -> without the revision, so every
// revision of the item has one uri. A PublicIdentifier without the NewsItemId part (Belga's
// "urn:newsml:www.belga.be") identifies nothing and is ignored.
std::string stable_public_id(std::string_view pid) {
    auto parts = split(pid, ':');
    if (!starts_with_ci(pid, "urn:newsml:") || parts.size() < 5) return "";
    if (parts.size() >= 6) {
        std::string_view rev = parts.back();
        if (!rev.empty() && (rev.back() == 'A' || rev.back() == 'U')) rev.remove_suffix(1);
        if (all_digits(rev)) return std::string(pid.substr(0, pid.rfind(':')));
    }
    return std::string(pid);
}

}  // namespace

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == npos;
}

std::string formal(const xml_node& n) {
    std::string v = xml::attr_line(n, "FormalName");
    return v.empty() ? xml::text(n) : v;
}

std::string iso_time(std::string_view v, std::string_view what, story& s) {
    return rfc3339_or_warn(v, what, s.wire.warnings);
}

// The item's uri: PublicIdentifier without its revision; else urn:newsml:Provider:DateId:
// NewsItemId; else (TASS sends only a ProviderId) the item's or top component's Duid. Without
// those, with an id_derived warning: the first Duid/Euid of a nested component or content
// item, else the envelope's TransmissionId with the item's place in the document. Nothing:
// "" and core derives a content hash.
void map_identity(const xml_node& item, const xml_node& envelope, size_t index, story& s) {
    xml_node nid = xml::child(xml::child(item, "Identification"), "NewsIdentifier");
    std::string provider = xml::text(xml::child(nid, "ProviderId"));
    std::string date_id = xml::text(xml::child(nid, "DateId"));
    std::string item_id = xml::text(xml::child(nid, "NewsItemId"));
    std::string first_created =
        xml::text(xml::child(xml::child(item, "NewsManagement"), "FirstCreated"));
    if (date_id.empty() && first_created.size() >= 8) date_id = first_created.substr(0, 8);
    std::string pid = xml::text(xml::child(nid, "PublicIdentifier"));
    s.uri = stable_public_id(pid);
    if (s.uri.empty() && !item_id.empty())
        s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + item_id;
    if (s.uri.empty()) {
        std::string duid = xml::attr_line(item, "Duid");
        if (duid.empty()) duid = xml::attr_line(xml::child(item, "NewsComponent"), "Duid");
        if (!duid.empty()) s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + duid;
    }
    if (!pid.empty() && !s.uri.empty() && pid != s.uri)
        s.altids.push_back({"PublicIdentifier", pid});
    if (!s.uri.empty()) return;
    std::string why = "NewsItem has no PublicIdentifier, NewsItemId or Duid; used ";
    xml_node tagged = item.find_node([](const xml_node& n) {
        return n.type() == pugi::node_element && (n.attribute("Duid") || n.attribute("Euid"));
    });
    std::string uid = xml::attr_line(tagged, "Duid");
    if (uid.empty()) uid = xml::attr_line(tagged, "Euid");
    if (!uid.empty()) {
        s.uri = "urn:newsml:" + provider + ":" + date_id + ":" + uid;
        return s.wire.warn("id_derived", why + "the " + std::string(xml::local(tagged)) + " id");
    }
    std::string tid = xml::text(xml::child(envelope, "TransmissionId"));
    if (tid.empty()) return;
    s.uri = "urn:newsml:" + provider + ":" + tid + ":" + std::to_string(index);
    s.wire.warn("id_derived", why + "the envelope's TransmissionId and the item's place (" +
                                  std::to_string(index) + ")");
}

// NewsManagement: times (the envelope's DateAndTime, then FirstCreated, stand in for a missing
// revision time), urgency (the item's, else the envelope's Priority; both 1 highest .. 9
// lowest), status, embargo and instructions. Returns the lifecycle signal they give.
signal_kind map_management(const xml_node& item, const xml_node& envelope, const profile& prof,
                           story& s) {
    xml_node nm = xml::child(item, "NewsManagement");
    s.version = xml::text(
        xml::child(xml::child(xml::child(item, "Identification"), "NewsIdentifier"), "RevisionId"));
    s.firstcreated = iso_time(xml::text(xml::child(nm, "FirstCreated")), "FirstCreated", s);
    s.versioncreated =
        iso_time(xml::text(xml::child(nm, "ThisRevisionCreated")), "ThisRevisionCreated", s);
    if (s.versioncreated.empty())
        s.versioncreated =
            iso_time(xml::text(xml::child(envelope, "DateAndTime")), "DateAndTime", s);
    if (s.versioncreated.empty() && !s.firstcreated.empty()) {
        s.versioncreated = s.firstcreated;
        s.wire.warn("no_version_time", "NewsItem has no ThisRevisionCreated; used FirstCreated");
    }
    std::string urg = formal(xml::child(nm, "Urgency"));
    if (urg.empty()) urg = formal(xml::child(envelope, "Priority"));
    s.wire.priority = urg;
    if (auto it = prof.source_urgency.find(urg); !urg.empty() && it != prof.source_urgency.end())
        s.urgency = it->second;
    else if (!urg.empty())
        s.wire.warn("urgency_unmapped", "Urgency '" + urg + "' is not on the profile's scale");

    signal_kind sig = signal_kind::new_story;
    std::string status = ascii_lower(formal(xml::child(nm, "Status")));
    if (status == "canceled" || status == "cancelled")
        sig = signal_kind::kill;
    else if (status == "withheld")
        sig = signal_kind::withhold;
    // Embargoed: usable later, at StatusWillChange/DateAndTime.
    xml_node will = xml::child(nm, "StatusWillChange");
    if (status == "embargoed" || ascii_lower(formal(xml::child(will, "FutureStatus"))) == "usable")
        s.embargoed = iso_time(xml::text(xml::child(will, "DateAndTime")), "StatusWillChange", s);
    xml::each_child(nm, "Instruction", [&](const xml_node& in) {
        std::string what = ascii_lower(xml::attr_line(in, "FormalName"));
        if (what == "rectify")  // IPTC: this revision rectifies (corrects) earlier ones
            sig = stronger(sig, signal_kind::correction);
        else if (auto x = signal_from_text(what))
            sig = stronger(sig, *x);
    });
    if (auto x = signal_from_text(xml::attr_line(xml::child(nm, "NewsItemType"), "FormalName")))
        sig = stronger(sig, *x);  // NewsItemType "Advisory"
    return sig;
}

}  // namespace wire::adapters::newsml1
