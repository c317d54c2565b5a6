#include "profile.hpp"

#include <array>

namespace wire::adapters {
namespace {

// The common ANPA priority letters (docs/formats.md, "urgency"); "y" (rerun) keeps routine urgency and
// is flagged as a repeat by the adapter.
const std::map<std::string, int, std::less<>> k_anpa = {
    {"f", 1}, {"b", 2}, {"u", 3}, {"r", 4}, {"d", 5}, {"h", 5}, {"a", 7}, {"s", 7}, {"y", 4}};
const std::map<std::string, int, std::less<>> k_digits = {
    {"1", 1}, {"2", 2}, {"3", 3}, {"4", 4}, {"5", 5}, {"6", 6}, {"7", 7}, {"8", 8}, {"9", 9}};

std::array<profile, 4> make_profiles() {
    profile generic{.name = "generic",
                    .agency = "",
                    .charset = "utf-8",
                    .anpa_priority = k_anpa,
                    .telex_priority = k_digits,
                    .source_urgency = k_digits,
                    .uri_prefix = "urn:wiregate:generic:"};
    profile ap = generic;
    ap.name = "ap";
    ap.agency = "ap";
    ap.charset = "windows-1252";
    ap.uri_prefix = "urn:wiregate:ap:";
    ap.copyright = "Copyright The Associated Press. All rights reserved.";
    profile reuters = generic;
    reuters.name = "reuters";
    reuters.agency = "reuters";
    reuters.uri_prefix = "urn:wiregate:reuters:";
    reuters.copyright = "Copyright Thomson Reuters. All rights reserved.";
    profile interfax = generic;
    interfax.name = "interfax";
    interfax.agency = "interfax";
    interfax.charset = "windows-1251";
    interfax.uri_prefix = "urn:wiregate:interfax:";
    interfax.anpa_date_day_first = true;
    interfax.copyright = "Copyright Interfax. All rights reserved.";
    return {generic, ap, reuters, interfax};
}

const std::array<profile, 4>& profiles() {
    static const auto all = make_profiles();
    return all;
}

}  // namespace

const profile* find_profile(std::string_view name) {
    for (const auto& p : profiles())
        if (p.name == name) return &p;
    return nullptr;
}

const profile& generic_profile() { return profiles()[0]; }

}  // namespace wire::adapters
