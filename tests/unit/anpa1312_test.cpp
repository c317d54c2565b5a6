// ANPA-1312 paths the fixtures do not reach: other trailers (CP Eastern time), year boundaries,
// missing trailers, in-text trailers, unnumbered corrections, junk around a stream, offsets,
// the message cap and sniffing.
#include <gtest/gtest.h>

#include <string>

#include "anpa1312_parts.hpp"
#include "core/normalize.hpp"

namespace {
using namespace wire::adapters;

// One message; `line2` is the priority/category/slug line, `text` what sits between STX and ETX.
std::string msg(const std::string& line2, const std::string& text, const std::string& trailer,
                const std::string& num = "a0001") {
    return "\x16\x16\x01" + num + "\x1fglbsm\r\n" + line2 + "\r\n\x02" + text + "\x03" + trailer +
           "\r\n\x0c\r\n\x04";
}
const std::string k_text =
    "^BC-EU--NATO-Ukraine,0020<\r\n^NATO chief in Kyiv<\r\n"
    "\t   KYIV, Ukraine (AP) _ Stoltenberg met Poroshenko.\r\n";
const std::string k_line2 = "r i\x13\x11 BC-EU--NATO-Ukraine   07-10 0020";

std::vector<item_result> run(const std::string& raw, const std::string& profile = "ap") {
    normalize_options o;
    o.format = "anpa1312";
    o.profile = profile;
    o.received_at = "2026-01-01T00:00:00Z";
    return normalize(raw, o).items;
}
story only(const std::vector<item_result>& items) {
    EXPECT_EQ(items.size(), 1u);
    if (const auto* e = std::get_if<adapter_error>(&items.at(0))) ADD_FAILURE() << e->message;
    return std::get<story>(items.at(0));
}
bool has_warning(const story& s, const std::string& part) {
    for (const auto& w : s.wire.warnings)
        if (w.message.find(part) != std::string::npos) return true;
    return false;
}

TEST(Anpa1312, CpTrailerIsEasternTimeWithDaylightSaving) {
    // CP files dd-mm dates (the interfax profile is the day-first one we have).
    auto summer =
        run(msg("r i\x13\x11 Ukraine-NATO   10-07 0020", k_text, "16:35ET 10-07-17"), "interfax");
    EXPECT_EQ(only(summer).versioncreated, "2017-07-10T20:35:00Z");  // EDT, UTC-4
    auto winter =
        run(msg("r i\x13\x11 Ukraine-NATO   10-01 0020", k_text, "16:35ET 10-01-17"), "interfax");
    EXPECT_EQ(only(winter).versioncreated, "2017-01-10T21:35:00Z");  // EST, UTC-5
}

TEST(Anpa1312, FilingDateYearComesFromTheTrailerAcrossNewYear) {
    auto items =
        run(msg("r i\x13\x11 BC-EU--NATO-Ukraine   12-31 0020", k_text, "AP-WF-01-01-18 0010GMT<"));
    EXPECT_EQ(only(items).uri, "urn:wiregate:ap:anpa:2017-12-31:BC-EU--NATO-Ukraine");
    EXPECT_EQ(only(items).versioncreated, "2018-01-01T00:10:00Z");
}

TEST(Anpa1312, NoTrailerMeansNoYearAndReceivedAt) {
    const auto s = only(run(msg(k_line2, k_text, "")));
    EXPECT_EQ(s.uri, "urn:wiregate:ap:anpa:--07-10:BC-EU--NATO-Ukraine");
    EXPECT_EQ(s.versioncreated, "2026-01-01T00:00:00Z");
    EXPECT_TRUE(has_warning(s, "no transmission trailer"));
}

TEST(Anpa1312, TrailerInsideTheTextIsUsedAndNotBody) {
    // Some captures put the trailer on the last text line, before ETX.
    const auto s = only(run(msg(k_line2, k_text + " \r\n\t   AP-WF-07-10-17 1105GMT<\r\n", "")));
    EXPECT_EQ(s.versioncreated, "2017-07-10T11:05:00Z");
    ASSERT_EQ(s.bodies.size(), 2u);
    EXPECT_EQ(s.bodies[1].value, "KYIV, Ukraine (AP) \u2014 Stoltenberg met Poroshenko.");
}

TEST(Anpa1312, VersionFromLeadNumberOrNoneForUnnumberedCorrection) {
    const std::string t = "AP-WF-07-10-17 1105GMT<";
    const auto third =
        only(run(msg("r i\x13\x11 BC-EU--NATO-Ukraine 3rdLd-Writethru  07-10 0020", k_text, t)));
    EXPECT_EQ(third.version, "4");
    EXPECT_EQ(third.wire.signal, signal_kind::update);
    EXPECT_TRUE(third.firstcreated.empty());
    const auto corr =
        only(run(msg("r i\x13\x11 BC-EU--NATO-Ukraine Correction  07-10 0020", k_text, t)));
    EXPECT_EQ(corr.version, "");
    EXPECT_EQ(corr.wire.signal, signal_kind::correction);
    EXPECT_EQ(corr.uri, "urn:wiregate:ap:anpa:2017-07-10:BC-EU--NATO-Ukraine");
}

TEST(Anpa1312, TextConventions) {
    const std::string text =
        "^BC-EU--NATO-Ukraine,0090<\r\n^NATO chief in Kyiv<\r\n"
        "^Stoltenberg urges Russia to pull out _ and Moscow says no.<\r\n"
        "By JOHN DOE<\r\n"
        "\t   EDITOR'S NOTE _ The AP will update this story.\r\n"
        "\t   KYIV, Ukraine (AP) _ Stoltenberg met Poroshenko\r\n"
        "in Kyiv.\r\n"
        "\t   A formula: x_y =\r\n"
        "\t   ___\r\n";
    const auto s = only(run(msg(k_line2, text, "AP-WF-07-10-17 1105GMT<")));
    ASSERT_EQ(s.headlines.size(), 1u);
    EXPECT_EQ(s.headlines[0].value, "NATO chief in Kyiv");
    ASSERT_EQ(s.descriptions.size(), 1u);
    EXPECT_EQ(s.descriptions[0].value,
              "Stoltenberg urges Russia to pull out \u2014 and Moscow says no.");
    EXPECT_EQ(s.by, "By JOHN DOE");
    EXPECT_EQ(s.ednote, "EDITOR'S NOTE \u2014 The AP will update this story.");
    EXPECT_EQ(s.located, "KYIV");
    EXPECT_EQ(s.wire.dateline, "KYIV, Ukraine (AP)");
    ASSERT_EQ(s.bodies.size(), 2u);
    EXPECT_EQ(s.bodies[1].value,
              "KYIV, Ukraine (AP) \u2014 Stoltenberg met Poroshenko in Kyiv.\n\n"
              "A formula: x_y =\n\n___");
}

TEST(Anpa1312, AdvisoryCategoryUnknownPriorityAndShortBody) {
    const auto s = only(run(
        msg("q v\x13\x11 BC-EU--NATO-Advisory   07-10 0900", k_text, "AP-WF-07-10-17 1105GMT<")));
    EXPECT_FALSE(s.urgency.has_value());
    EXPECT_EQ(s.wire.priority, "q");
    EXPECT_EQ(s.wire.signal, signal_kind::advisory);
    EXPECT_TRUE(has_warning(s, "unknown ANPA priority 'q'"));
    EXPECT_TRUE(has_warning(s, "header says 900 words"));
}

TEST(Anpa1312, JunkAroundAStreamIsWarnedAndOffsetsPointAtSoh) {
    const std::string one = msg(k_line2, k_text, "AP-WF-07-10-17 1105GMT<", "a0001");
    std::string two = msg(k_line2, k_text, "AP-WF-07-10-17 1106GMT<", "a0002");
    two = two.substr(0, two.find('\x03'));  // truncated: no ETX
    const std::string three = msg(k_line2, k_text, "AP-WF-07-10-17 1107GMT<", "a0003");
    const std::string raw = "NOISE\r\n" + one + two + three + "\r\nTAIL";
    auto items = run(raw);
    ASSERT_EQ(items.size(), 3u);
    const auto& first = std::get<story>(items[0]);
    EXPECT_TRUE(has_warning(first, "skipped 5 bytes of junk before the message at byte 9"));
    // The second message has no ETX: read up to the next one, with a warning.
    const auto& cut = std::get<story>(items[1]);
    EXPECT_EQ(cut.wire.sequence, "a0002");
    EXPECT_TRUE(has_warning(cut, "no ETX"));
    const auto& last = std::get<story>(items[2]);
    EXPECT_EQ(last.wire.sequence, "a0003");
    EXPECT_TRUE(has_warning(last, "skipped 4 bytes of junk after the last message"));
}

TEST(Anpa1312, AtMostThousandMessages) {
    std::string raw;
    for (int i = 0; i < 1005; ++i) raw += msg(k_line2, "\t   x\r\n", "AP-WF-07-10-17 1105GMT<");
    auto items = run(raw);
    ASSERT_EQ(items.size(), 1000u);
    EXPECT_TRUE(has_warning(std::get<story>(items.back()), "more than 1000 messages"));
}

TEST(Anpa1312, Sniffing) {
    EXPECT_EQ(sniff_format(msg(k_line2, k_text, "")), "anpa1312");
    EXPECT_EQ(sniff_format("\x01"
                           "a0105KYODO\x1fkoko-\r\nr i x 10-07\r\n"),
              "anpa1312");
    EXPECT_NE(sniff_format("\x01"
                           "eca062 3 pl 0070\r\nUkraine/\r\n\x02text\x03"),
              "anpa1312");
    EXPECT_NE(sniff_format("\x16\x16\x01"
                           "a0001 no unit separator\r\n"),
              "anpa1312");
}

// The slugline is AP's keyword without its cycle prefix and two-letter regional desk; the
// header's 24-character field may cut it, and then the keyword line tells a partial last word
// (dropped) from a whole one (kept), or gives the one word the field cut (taken whole).
TEST(anpa1312, SluglineDropsCycleAndDeskAndCutWords) {
    auto slug = [](std::string_view keyword, std::string_view line, size_t* warnings = nullptr) {
        story s;
        auto out = anpa::slugline(keyword, line, s);
        if (warnings) *warnings = s.wire.warnings.size();
        return out;
    };
    size_t w = 9;
    EXPECT_EQ(slug("BC-EU--NATO-Ukraine", "BC-EU--NATO-Ukraine,0118", &w), "NATO-Ukraine");
    EXPECT_EQ(w, 0u);
    EXPECT_EQ(slug("AM-US--Budget-Vote", ""), "Budget-Vote");
    EXPECT_EQ(slug("PM-Congress-Budget", ""), "Congress-Budget");
    EXPECT_EQ(slug("BC-BKN--Nets-Knicks", ""), "BKN--Nets-Knicks");
    EXPECT_EQ(slug("Russia-NATO-Ukraine", ""), "Russia-NATO-Ukraine");
    EXPECT_EQ(slug("BC-LT--Argentina-CancerB", "BC-LT--Argentina-Cancer Beauty,466", &w),
              "Argentina-Cancer");
    EXPECT_EQ(w, 1u);
    EXPECT_EQ(slug("BC-BBO--BaseballExpanded", "BC-BBO--Baseball Expanded Glance", &w),
              "BBO--BaseballExpanded");
    EXPECT_EQ(w, 0u);
    EXPECT_EQ(slug("AP-Top-Entertainment-Hea", "*9006< ^AP-Top-Entertainment-Headlines,0176"),
              "Top-Entertainment-Headlines");
    EXPECT_EQ(slug("BC-EU--NATO-UkraineSummi", ""), "NATO-UkraineSummi");  // nothing to tell
    EXPECT_EQ(anpa::sport_subject("BC-BKN--Nets-Knicks"), "15008000");
    EXPECT_EQ(anpa::sport_subject("BC-EU--NATO-Ukraine"), "");
}

}  // namespace
