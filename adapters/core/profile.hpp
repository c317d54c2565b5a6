#pragma once
// Profiles: an agency's habits as data (charset, urgency scales, date order, category names),
// selected per feed or with --profile. Format files read them; they never hard-code an agency.
#include <map>
#include <string>
#include <string_view>

namespace wire::adapters {

struct profile {
    std::string name;     // ap | reuters | interfax | generic
    std::string agency;   // default wire.agency
    std::string charset;  // default charset of telex copy when the transport says nothing
    // Agency code -> our urgency 1..9 (docs/formats.md, "urgency"). Keys are lower-case.
    std::map<std::string, int, std::less<>> anpa_priority;   // ANPA priority letter
    std::map<std::string, int, std::less<>> telex_priority;  // IPTC 7901 priority digit
    std::map<std::string, int, std::less<>> source_urgency;  // numeric agency urgency (AP 1-8)
    bool anpa_date_day_first = false;  // ANPA filing date: mm-dd (AP) or dd-mm (CP, Kyodo)
    std::string uri_prefix;            // used when an agency id is not itself a URI
    std::string copyright;             // default copyrightnotice when the input carries none
};

/// The built-in profile by name, or nullptr.
const profile* find_profile(std::string_view name);
/// The profile to use when nothing is configured.
const profile& generic_profile();

}  // namespace wire::adapters
