// The telex text conventions IPTC 7901 and ZCZC share (adapters/telex_common.hpp).
#include <gtest/gtest.h>

#include "core/normalize.hpp"

#include <string>
#include <vector>

#include "telex_common.hpp"

namespace {
using namespace wire::adapters;
using telex::vocabulary;

TEST(TelexCommon, MarkerLinesAreAllVocabularyInCapitals) {
    telex::markers m;
    EXPECT_TRUE(telex::take_markers("KILL KILL KILL", m, vocabulary::common));
    EXPECT_EQ(m.signal, signal_kind::kill);
    EXPECT_TRUE(telex::take_markers("1ST LEAD", m, vocabulary::common));
    EXPECT_EQ(m.signal, signal_kind::kill);  // the stronger signal stays
    EXPECT_TRUE(telex::take_markers("СРОЧНО", m, vocabulary::common));
    EXPECT_EQ(m.urgency, 2);
    EXPECT_TRUE(telex::take_markers("FLASH", m, vocabulary::common));
    EXPECT_EQ(m.urgency, 1);

    telex::markers none;
    EXPECT_FALSE(telex::take_markers("NATO TO LEAD MISSION", none, vocabulary::common));
    EXPECT_FALSE(telex::take_markers("Kill", none, vocabulary::common));  // lower case: text
    EXPECT_FALSE(telex::take_markers("Срочно", none, vocabulary::common));
    EXPECT_FALSE(telex::take_markers("2026", none, vocabulary::common));  // filler alone
    EXPECT_FALSE(none.signal || none.urgency);
}

TEST(TelexCommon, EiltIsReadOnlyWithTheGermanVocabulary) {
    telex::markers m;
    EXPECT_FALSE(telex::take_markers("EILT", m, vocabulary::common));
    EXPECT_TRUE(telex::take_markers("EILT", m, vocabulary::with_eilt));
    EXPECT_EQ(m.urgency, 2);
    EXPECT_EQ(telex::urgency_word("eil", vocabulary::common), 2);
}

TEST(TelexCommon, DropsAMarkerPrefixFromAHeadline) {
    telex::markers m;
    EXPECT_EQ(telex::drop_marker_prefix("СРОЧНО: Путин прибыл в Минск", m, vocabulary::common),
              "Путин прибыл в Минск");
    EXPECT_EQ(m.urgency, 2);
    EXPECT_EQ(telex::drop_marker_prefix("REFILE-Oil rises", m, vocabulary::common), "Oil rises");
    EXPECT_EQ(m.signal, signal_kind::repeat);
    telex::markers none;
    EXPECT_EQ(telex::drop_marker_prefix("Minister: we stay", none, vocabulary::common),
              "Minister: we stay");
    EXPECT_FALSE(none.signal || none.urgency);
}

TEST(TelexCommon, FindsDatelinesOfDpaAndInterfax) {
    std::string dl, loc;
    EXPECT_TRUE(telex::find_dateline("Berlin (dpa) - Der Bundestag hat", dl, loc));
    EXPECT_EQ(dl, "Berlin (dpa)");
    EXPECT_EQ(loc, "Berlin");
    EXPECT_TRUE(telex::find_dateline("MOSCOW, July 10 (Interfax) - Text", dl, loc));
    EXPECT_EQ(loc, "MOSCOW");
    EXPECT_TRUE(telex::find_dateline("КИЕВ, 10 июля. /Интерфакс/ - Текст", dl, loc));
    EXPECT_EQ(dl, "КИЕВ, 10 июля. /Интерфакс/");
    EXPECT_EQ(loc, "КИЕВ");
    EXPECT_FALSE(telex::find_dateline("A sentence - with a dash", dl, loc));
    EXPECT_EQ(loc, "КИЕВ");  // left alone
}

TEST(TelexCommon, DatelineOpensOneOfTheFirstThreeParagraphs) {
    std::vector<std::string> lines = {"Teaser line", "more teaser", "", "Peine (dpa/lni) - Text"};
    story s;
    telex::take_dateline(lines, 0, lines.size(), s);
    EXPECT_EQ(s.wire.dateline, "Peine (dpa/lni)");
    EXPECT_EQ(s.located, "Peine");
    std::vector<std::string> late = {"a", "", "b", "", "c", "", "Berlin (dpa) - Text"};
    story t;
    telex::take_dateline(late, 0, late.size(), t);
    EXPECT_EQ(t.wire.dateline, "");
}

TEST(TelexCommon, MarkersOnlyRaiseUrgencyAndCarryTheKill) {
    story s;
    s.urgency = 3;
    telex::markers m;
    m.add(std::optional<int>(2));
    m.add(std::optional<signal_kind>(signal_kind::kill));
    m.apply(s);
    EXPECT_EQ(s.urgency, 2);
    EXPECT_EQ(s.wire.signal, signal_kind::kill);
    // the shared lifecycle rule then cancels it
    s.uri = "urn:x:1";
    ASSERT_FALSE(finalize_story(s));
    EXPECT_EQ(s.pubstatus, "canceled");
    story flash;
    flash.urgency = 1;
    m.apply(flash);
    EXPECT_EQ(flash.urgency, 1);
}

TEST(TelexCommon, SlugsJoinLowerCaseWordsWithDashes) {
    EXPECT_EQ(telex::slug_part("«Mythos Jungfernhäutchen» - Zwischen Aufklärung"),
              "mythos-jungfernhäutchen-zwischen-aufklärung");
    EXPECT_EQ(telex::slug_part("Politik/Wahlen/"), "politik-wahlen");
    EXPECT_EQ(telex::slug_part(std::string(200, 'x')).size(), 120u);
}

TEST(TelexCommon, CutsLinesAtLfDroppingOneCr) {
    auto ls = telex::lf_lines("a\r\nb\n\nc\r\r\n");
    ASSERT_EQ(ls.size(), 4u);
    EXPECT_EQ(ls[0].text, "a");
    EXPECT_EQ(ls[1].offset, 3u);
    EXPECT_EQ(ls[1].text, "b");
    EXPECT_EQ(ls[2].text, "");
    EXPECT_EQ(ls[3].offset, 6u);
    EXPECT_EQ(ls[3].text, "c\r");
    EXPECT_TRUE(telex::lf_lines("").empty());
}

TEST(TelexCommon, CutsLinesAtEveryLineEndAndDropsLineNoise) {
    // CR LF, LF CR, CR CR LF, lone CR and lone LF each end one line; NUL, DEL, SUB, BEL go.
    using namespace std::string_view_literals;
    auto ls = telex::any_lines("a\r\nb\n\rc\r\r\nd\re\nf\x00g\x7f\x1a\a\n\n\rh"sv);
    std::vector<std::string> texts;
    for (const auto& l : ls) texts.push_back(l.text);
    EXPECT_EQ(texts, (std::vector<std::string>{"a", "b", "c", "d", "e", "fg", "", "h"}));
    EXPECT_EQ(ls[1].offset, 3u);
    EXPECT_EQ(ls[2].offset, 6u);
    EXPECT_TRUE(telex::any_lines("").empty());
    EXPECT_EQ(telex::line_texts("x\r").size(), 1u);
    EXPECT_EQ(telex::line_texts("\tindented").at(0), "\tindented");  // TAB is text
}

TEST(TelexCommon, ColumnsAreGapsOfSpacesOrTabs) {
    EXPECT_TRUE(telex::columned("1  Winx             H Bowman       1.20F"));
    EXPECT_TRUE(telex::columned("Sydney FC\t2"));
    EXPECT_FALSE(telex::columned("He said.  Then he left the room."));
    EXPECT_FALSE(telex::columned("   indented prose line"));
    std::vector<std::string> two = {"In favour  29", "Against     0"};
    EXPECT_TRUE(telex::table_run(two, 0, 2));
    std::vector<std::string> prose = {"One line.  Two.", "Another line of prose."};
    EXPECT_FALSE(telex::table_run(prose, 0, 2));
}

TEST(TelexCommon, ParagraphsKeepTablesAsPreformattedLines) {
    std::vector<std::string> ls = {"Results from Randwick:",
                                   "continued.",
                                   "",
                                   "1  Winx     H Bowman   1.20",
                                   "2  Hartnell  J McDonald  8.00",
                                   "",
                                   "Time: 1:37.66 <fast>"};
    EXPECT_EQ(telex::paragraphs_html(ls, 0, ls.size(), false, false),
              "<p>Results from Randwick: continued.</p>"
              "<pre>1  Winx     H Bowman   1.20\n2  Hartnell  J McDonald  8.00</pre>"
              "<p>Time: 1:37.66 &lt;fast&gt;</p>");
    EXPECT_EQ(telex::paragraphs_html(ls, 0, 2, true, false),
              "<p>Results from Randwick:</p><p>continued.</p>");
    EXPECT_EQ(telex::paragraphs_html(ls, 0, 2, false, true),
              "<pre>Results from Randwick:\ncontinued.</pre>");
}

TEST(TelexCommon, ProseIsThreeWordsOfLetters) {
    EXPECT_TRUE(telex::has_prose({"", "KYIV - plain text, no framing."}));
    EXPECT_TRUE(telex::has_prose({"Кремль отверг призыв НАТО"}));
    EXPECT_FALSE(telex::has_prose({"q#8J!xx 9 ~~ 77", "@@@@ }{ 0x3f 1234 --- &&& ..."}));
    EXPECT_FALSE(telex::has_prose({}));
    EXPECT_EQ(telex::first_meaningful({"", "----", "* * *", "Headline"}, 0, 4), 3u);
}

// A headline sentence ends at a full stop before a capital, not after an initial or an
// abbreviation ("U.S.", "J.", "Mr.") or before a word in lower case.
TEST(TelexCommon, FirstSentenceSkipsInitialsAndAbbreviations) {
    EXPECT_EQ(telex::first_sentence("NATO says U.S. troops will stay. More later."),
              "NATO says U.S. troops will stay");
    EXPECT_EQ(telex::first_sentence("Talks led by J. Smith and Mr. Jones ended. They resume."),
              "Talks led by J. Smith and Mr. Jones ended");
    EXPECT_EQ(telex::first_sentence("Shares rose 2.5 p.c. on Monday. Bonds fell."),
              "Shares rose 2.5 p.c. on Monday");
    EXPECT_EQ(telex::first_sentence("Why now? Nobody knows."), "Why now?");
    EXPECT_EQ(telex::first_sentence("One sentence only."), "One sentence only");
}

}  // namespace
