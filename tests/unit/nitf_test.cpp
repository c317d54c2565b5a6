// NITF adapter behaviour the fixture sweep cannot pin down on its own: sniffing variants and
// the headline-marker heuristic.
#include <gtest/gtest.h>

#include <string>

#include "core/normalize.hpp"
#include "core/registry.hpp"

namespace {
using namespace wire::adapters;

const adapter_info& nitf() {
    const auto* a = find_adapter("nitf");
    EXPECT_NE(a, nullptr);
    return *a;
}

TEST(Nitf, SniffsRootWithAnyPrefixAfterPrologue) {
    EXPECT_TRUE(nitf().sniff("<nitf version=\"-//IPTC//DTD NITF 3.4//EN\">"));
    EXPECT_TRUE(nitf().sniff("<ns0:nitf xmlns:ns0=\"http://iptc.org/std/NITF/2006-10-18/\">"));
    EXPECT_TRUE(
        nitf().sniff("<?xml version=\"1.0\"?>\n<!-- c --><!DOCTYPE nitf SYSTEM \"x.dtd\">"
                     "<nitf>"));
    EXPECT_TRUE(nitf().sniff("<!DOCTYPE nitf [ <!ENTITY % x SYSTEM \"y\"> ]>\n<nitf>"));
    EXPECT_FALSE(nitf().sniff("<nitfx>"));
    EXPECT_FALSE(nitf().sniff("<newsItem><nitf>"));
    EXPECT_FALSE(nitf().sniff("{\"uri\": \"<nitf>\"}"));
    EXPECT_FALSE(nitf().sniff(""));
    EXPECT_FALSE(nitf().sniff("<"));
    EXPECT_FALSE(nitf().sniff("<?xml version=\"1.0\""));
}

story decode_one(const std::string& hl1) {
    normalize_options o;
    o.format = "nitf";
    o.received_at = "2026-01-01T00:00:00Z";
    auto r = normalize(
        "<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head><body>"
        "<body.head><hedline><hl1>" +
            hl1 + "</hl1></hedline></body.head></body></nitf>",
        o);
    EXPECT_EQ(r.items.size(), 1u);
    return std::get<story>(r.items.at(0));
}

TEST(Nitf, SignalsFromHeadlineMarkersOnly) {
    EXPECT_EQ(decode_one("CORRECTED-NATO chief calls on Russia").wire.signal,
              signal_kind::correction);
    EXPECT_EQ(decode_one("KILL: NATO chief story").wire.signal, signal_kind::kill);
    EXPECT_EQ(decode_one("KILL: NATO chief story").pubstatus, "canceled");
    EXPECT_EQ(decode_one("UPDATE 1-NATO chief calls on Russia").wire.signal, signal_kind::update);
    EXPECT_EQ(decode_one("Regulators plan to update rules on correction notices").wire.signal,
              signal_kind::new_story);
    EXPECT_EQ(decode_one("NATO Chief Calls On Russia").wire.signal, signal_kind::new_story);
}

}  // namespace
