// Scheme codes as concepts (adapters/core/concepts.hpp).
#include <gtest/gtest.h>

#include "core/concepts.hpp"

namespace {
using namespace wire::adapters;

TEST(Concepts, IptcSchemeCodesBecomeNewsCodesUris) {
    EXPECT_EQ(code_concept("", "medtop:04000000").uri,
              "http://cv.iptc.org/newscodes/mediatopic/04000000");
    EXPECT_EQ(code_concept("", "subj:15000000").uri,
              "http://cv.iptc.org/newscodes/subjectcode/15000000");
    EXPECT_EQ(code_concept("", "04001002").uri,
              "http://cv.iptc.org/newscodes/subjectcode/04001002");
    EXPECT_EQ(code_concept("", "genre:Current").uri, "http://cv.iptc.org/newscodes/genre/Current");
    concept_ref c = code_concept("Economy", "MEDTOP:04000000");
    EXPECT_EQ(c.name, "Economy");
    EXPECT_EQ(c.uri, "http://cv.iptc.org/newscodes/mediatopic/04000000");
    EXPECT_EQ(c.literal, "");
}

TEST(Concepts, OtherCodesStayLiteral) {
    for (const char* code : {"mcc:OEC", "EFE:F01001000", "0400100", "apcategorycode:f", ""}) {
        concept_ref c = code_concept("n", code);
        EXPECT_EQ(c.uri, "") << code;
        EXPECT_EQ(c.literal, code);
    }
}

TEST(Concepts, AddSkipsEmptyAndRepeatedAndCaps) {
    std::vector<concept_ref> v;
    add_concept(v, {"", "", "", "", ""}, 2);
    add_concept(v, code_concept("a", "x"), 2);
    add_concept(v, code_concept("a", "x"), 2);
    add_concept(v, code_concept("b", "x"), 2);
    add_concept(v, code_concept("c", "x"), 2);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[1].name, "b");
}

}  // namespace
