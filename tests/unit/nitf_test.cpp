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

normalize_result run(const std::string& doc, const std::string& format = "nitf") {
    normalize_options o;
    o.format = format;
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(doc, o);
}

const std::string k_body =
    "<body><body.head><hedline><hl1>H</hl1></hedline></body.head>"
    "<body.content><p>Some text.</p></body.content></body>";

std::string uri_of(const std::string& docdata, const std::string& head_extra = "") {
    auto r = run("<nitf><head>" + head_extra + "<docdata>" + docdata + "</docdata></head>" +
                 k_body + "</nitf>");
    EXPECT_EQ(r.items.size(), 1u);
    const auto* s = std::get_if<story>(&r.items.at(0));
    return s ? s->uri : "refused";
}

TEST(Nitf, IdentifiersInTheDocumentedOrder) {
    EXPECT_EQ(uri_of("<doc-id id-string=\"d1\"/><du-key key=\"k1\"/>"), "urn:wiregate:generic:d1");
    EXPECT_EQ(uri_of("<doc-id id-string=\"k1_47\"/><du-key key=\"k1\"/>"),
              "urn:wiregate:generic:k1");
    EXPECT_EQ(uri_of("<doc-id>t1</doc-id>", "<meta name=\"guid\" content=\"m1\"/>"),
              "urn:wiregate:generic:t1");
    EXPECT_EQ(uri_of("<doc-id regsrc=\"AP\"/>", "<meta name=\"guid\" content=\"m1\"/>"),
              "urn:wiregate:generic:m1");
    EXPECT_EQ(uri_of("<doc-id regsrc=\"AP\"/><date.issue norm=\"20170710T230000-0200\"/>",
                     "<title>Ukraine NATO</title>"),
              "urn:wiregate:ap:nitf:2017-07-11:ukraine-nato");
}

TEST(Nitf, SameBytesGiveTheSameDerivedId) {
    const std::string doc =
        "<nitf><head><docdata><doc-id regsrc=\"AP\"/></docdata></head>" + k_body + "</nitf>";
    auto a = run(doc), b = run(doc);
    ASSERT_TRUE(std::holds_alternative<story>(a.items.at(0)));
    EXPECT_EQ(std::get<story>(a.items[0]).uri, std::get<story>(b.items.at(0)).uri);
}

TEST(Nitf, BylineIsThePersonNamesAndTheTitle) {
    auto by = [](const std::string& byline) {
        auto r =
            run("<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head><body>"
                "<body.head><hedline><hl1>H</hl1></hedline>" +
                byline + "</body.head></body></nitf>");
        return std::get<story>(r.items.at(0)).by;
    };
    EXPECT_EQ(by("<byline>By <person>Jane Doe</person>, <byttl>Staff Writer</byttl></byline>"),
              "Jane Doe, Staff Writer");
    EXPECT_EQ(by("<byline>By Jane Doe, <byttl>Staff Writer</byttl></byline>"),
              "By Jane Doe, Staff Writer");
    EXPECT_EQ(by("<byline><byttl>Sports Network</byttl></byline>"), "Sports Network");
    EXPECT_EQ(by("<byline><person>A</person></byline><byline><person>B</person></byline>"), "A; B");
}

TEST(Nitf, SniffsWrappedAndRenamedDocumentsButNotOtherNewsFormats) {
    EXPECT_TRUE(nitf().sniff("<delivery><payload><n:nitf xmlns:n=\"u\">"));
    EXPECT_TRUE(nitf().sniff("<document><head><docdata>"));
    EXPECT_TRUE(nitf().sniff("<story><body><body.content><p>x</p>"));
    EXPECT_FALSE(nitf().sniff("<NewsML><NewsItem><nitf>"));
    EXPECT_FALSE(nitf().sniff("<rss><channel><item><title>nitf</title>"));
}

TEST(Nitf, ADocumentWithoutNitfStructureIsStillRefused) {
    auto r = run("<rss><channel><item><title>A headline</title></item></channel></rss>");
    ASSERT_EQ(r.items.size(), 1u);
    const auto* e = std::get_if<adapter_error>(&r.items[0]);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->code, story_errc::unsupported);
}

TEST(Nitf, DeskInitialsAreANoteNotAByline) {
    auto by_and_note = [](const std::string& byline) {
        auto r =
            run("<nitf><head><docdata><doc-id id-string=\"x\"/></docdata></head><body>"
                "<body.head><hedline><hl1>H</hl1></hedline><byline>" +
                byline +
                "</byline></body.head><body.content><p>T.</p></body.content>"
                "</body></nitf>");
        const auto* s = std::get_if<story>(&r.items.at(0));
        return s ? s->by + "|" + s->ednote : std::string("refused");
    };
    EXPECT_EQ(by_and_note("gr/bp"), "|gr/bp");
    EXPECT_EQ(by_and_note(" mv/jl/ab "), "|mv/jl/ab");
    EXPECT_EQ(by_and_note("RFE/RL"), "RFE/RL|");
    EXPECT_EQ(by_and_note("jm"), "jm|");  // no slash: could be a name, stays
    EXPECT_EQ(by_and_note("abcde/fg"), "abcde/fg|");
    EXPECT_EQ(by_and_note("gr/"), "gr/|");
}

TEST(Nitf, FirstKeywordIsTheSlugOnlyWithoutAnother) {
    auto slug = [](const std::string& head) {
        auto r = run("<nitf><head>" + head + "</head>" + k_body + "</nitf>");
        const auto* s = std::get_if<story>(&r.items.at(0));
        return s ? s->slugline : std::string("refused");
    };
    EXPECT_EQ(slug("<docdata><key-list><keyword key=\"A B\"/><keyword key=\"C\"/></key-list>"
                   "</docdata>"),
              "A B");
    EXPECT_EQ(slug("<meta name=\"anpa-keyword\" content=\"Own Slug\"/><docdata><key-list>"
                   "<keyword key=\"A B\"/></key-list></docdata>"),
              "Own Slug");
    EXPECT_EQ(slug("<docdata><doc-id id-string=\"x\"/></docdata>"), "");
}

}  // namespace
