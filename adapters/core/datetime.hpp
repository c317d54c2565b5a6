#pragma once
// Date-times on the wire, converted to RFC 3339 UTC ("2017-07-10T14:05:00Z").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "story.hpp"

namespace wire::adapters {

/// A calendar date-time in UTC, seconds precision.
struct utc_time {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0;
    std::int64_t epoch_seconds() const;
    std::string rfc3339() const;
    static utc_time from_epoch(std::int64_t seconds);
};

/// ISO 8601 / RFC 3339 in its extended ("2014-07-17T00:24:11.000+02:00", "2016-01-12 12:35:40")
/// and basic ("20141126T152703-0500", "20170710T140500Z") forms. A missing zone is taken as
/// `default_offset_minutes` east of UTC. Fractions are dropped. nullopt when unparsable or
/// impossible (month 13, Feb 30, NITF's "YYYYMMDD000000-HHMM" placeholder).
std::optional<utc_time> parse_iso8601(std::string_view text, int default_offset_minutes = 0);

/// parse_iso8601 as RFC 3339; "" for a blank value and, with the warning "<what> '<value>' is
/// not a date-time; ignored" added to `warnings`, for an unparsable one.
std::string rfc3339_or_warn(std::string_view text, std::string_view what,
                            std::vector<warning>& warnings);

/// The English, German, French, Spanish, Italian and Russian month names and abbreviations
/// ("Nov", "Dez", "déc", "мар"), case-insensitively; 0 when unknown.
int month_from_name(std::string_view name);

/// A telex date-time group: "ddhhmm [zone] Mon yy" (IPTC 7901 "131137 GMT Nov 13",
/// "091223 dec 18"). Zones: GMT/UTC/Z, MSK (+3), MEZ/CET (+1), MESZ/CEST (+2), EST/EDT, or
/// ±hhmm. No zone = `default_offset_minutes`.
std::optional<utc_time> parse_dtg(std::string_view text, int default_offset_minutes = 0);

/// Days in a month of a year (proleptic Gregorian).
int days_in_month(int year, int month);

}  // namespace wire::adapters
