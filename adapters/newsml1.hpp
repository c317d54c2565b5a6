#pragma once
// NewsML 1 parts shared by newsml1.cpp (NewsItems, NewsLines, bodies) and
// newsml1_management.cpp (identity, times, urgency, status).
#include <pugixml.hpp>

#include <string>
#include <string_view>

#include "core/lifecycle.hpp"
#include "core/profile.hpp"
#include "core/story.hpp"

namespace wire::adapters::newsml1 {

bool all_digits(std::string_view s);

/// NewsML 1 puts controlled values in @FormalName; TASS writes some as text (<Urgency>2</…>).
std::string formal(const pugi::xml_node& n);

/// An ISO 8601 time as RFC 3339 UTC; "" and a bad_date warning when unreadable.
std::string iso_time(std::string_view v, std::string_view what, story& s);

/// The item's uri (see newsml1_management.cpp for the order); `index` is the item's place in
/// the document (1-based).
void map_identity(const pugi::xml_node& item, const pugi::xml_node& envelope, size_t index,
                  story& s);

/// NewsManagement: version, times, urgency, status, embargo and instructions; returns the
/// lifecycle signal they give.
signal_kind map_management(const pugi::xml_node& item, const pugi::xml_node& envelope,
                           const profile& prof, story& s);

}  // namespace wire::adapters::newsml1
