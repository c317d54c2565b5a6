#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "routing/router.hpp"

using wire::adapters::concept_ref;
using wire::adapters::signal_kind;
using wire::adapters::story;
using wire::config::route_match;
using wire::config::route_rule;
using wire::config::routing_config;
using wire::routing::router;
using topics = std::vector<std::string>;

namespace {

story ap_story() {
    story s;
    s.uri = "urn:test:1";
    s.urgency = 3;
    s.language = "en-US";
    s.slugline = "BC-Markets-Close";
    s.headlines.push_back({"main", "text/plain", "Stocks rally as Central\nBank holds rates"});
    s.subjects.push_back(
        {"economy, business and finance", "", "http://cv.iptc.org/newscodes/mediatopic/04000000"});
    s.subjects.push_back({"", "", "", "apcategorycode:f"});
    s.wire.agency = "ap";
    s.wire.feed = "ap-main";
    s.wire.format = "ap-json";
    s.wire.category = "f";
    s.wire.keywords = {"Wall Street", "stocks"};
    return s;
}

route_rule rule(std::string name, route_match m, topics t, bool copy = false) {
    route_rule r;
    r.name = std::move(name);
    r.match = std::move(m);
    r.topics = std::move(t);
    r.copy = copy;
    return r;
}

// A router with one non-copy rule and a default topic: "hit" when the rule matched.
std::string one_rule(route_match m, const story& s) {
    routing_config cfg;
    cfg.default_topics = {"desk.general"};
    cfg.rules.push_back(rule("r", std::move(m), {"hit"}));
    const auto d = router(cfg).route(s);
    return d.topics.size() == 1 ? d.topics[0] : "?";
}

bool matches(route_match m, const story& s = ap_story()) {
    const std::string t = one_rule(std::move(m), s);
    EXPECT_NE(t, "?");
    return t == "hit";
}

TEST(Router, EmptyMatchMatchesEverything) { EXPECT_TRUE(matches({})); }

TEST(Router, AgencyFeedFormatExactCaseInsensitive) {
    EXPECT_TRUE(matches({.agency = {"AP"}}));
    EXPECT_FALSE(matches({.agency = {"reuters"}}));
    EXPECT_FALSE(matches({.agency = {"a"}}));
    EXPECT_TRUE(matches({.feed = {"Ap-Main"}}));
    EXPECT_FALSE(matches({.feed = {"ap"}}));
    EXPECT_TRUE(matches({.format = {"ap-json"}}));
    EXPECT_FALSE(matches({.format = {"nitf"}}));
}

TEST(Router, ListMatchesWhenAnyEntryDoes) {
    EXPECT_TRUE(matches({.agency = {"reuters", "interfax", "ap"}}));
    EXPECT_FALSE(matches({.agency = {"reuters", "interfax"}}));
    EXPECT_TRUE(matches({.category = {"x", "F"}}));
}

TEST(Router, EveryCriterionMustHold) {
    EXPECT_TRUE(matches({.agency = {"ap"}, .format = {"ap-json"}, .category = {"f"}}));
    EXPECT_FALSE(matches({.agency = {"ap"}, .format = {"nitf"}, .category = {"f"}}));
    EXPECT_FALSE(matches({.agency = {"ap"}, .urgency_max = 2}));
}

TEST(Router, UrgencyRange) {
    EXPECT_TRUE(matches({.urgency_min = 3}));
    EXPECT_FALSE(matches({.urgency_min = 4}));
    EXPECT_TRUE(matches({.urgency_max = 3}));
    EXPECT_FALSE(matches({.urgency_max = 2}));
    EXPECT_TRUE(matches({.urgency_min = 1, .urgency_max = 5}));
    EXPECT_FALSE(matches({.urgency_min = 4, .urgency_max = 9}));
}

TEST(Router, StoryWithoutUrgencyMatchesNoUrgencyCriterion) {
    story s = ap_story();
    s.urgency.reset();
    EXPECT_FALSE(matches({.urgency_min = 1}, s));
    EXPECT_FALSE(matches({.urgency_max = 9}, s));
    EXPECT_TRUE(matches({.agency = {"ap"}}, s));
}

TEST(Router, SignalByName) {
    story s = ap_story();
    EXPECT_TRUE(matches({.signal = {"new"}}, s));
    EXPECT_FALSE(matches({.signal = {"update", "correction"}}, s));
    s.wire.signal = signal_kind::correction;
    EXPECT_TRUE(matches({.signal = {"update", "Correction"}}, s));
    s.wire.signal = signal_kind::kill;
    EXPECT_TRUE(matches({.signal = {"kill"}}, s));
    EXPECT_FALSE(matches({.signal = {"new"}}, s));
    s.wire.signal = signal_kind::advisory;
    EXPECT_TRUE(matches({.signal = {"advisory"}}, s));
}

TEST(Router, LanguagePrefixAtSubtagBoundary) {
    story s = ap_story();
    EXPECT_TRUE(matches({.language = {"en"}}, s));
    EXPECT_TRUE(matches({.language = {"EN-us"}}, s));
    EXPECT_FALSE(matches({.language = {"en-GB"}}, s));
    EXPECT_FALSE(matches({.language = {"e"}}, s));
    EXPECT_FALSE(matches({.language = {"ru", "de"}}, s));
    s.language = "en";
    EXPECT_TRUE(matches({.language = {"en"}}, s));
    EXPECT_FALSE(matches({.language = {"en-US"}}, s));
    s.language = "eng";
    EXPECT_FALSE(matches({.language = {"en"}}, s));
}

TEST(Router, StoryWithoutLanguageMatchesNoLanguageCriterion) {
    story s = ap_story();
    s.language.clear();
    EXPECT_FALSE(matches({.language = {"en"}}, s));
}

TEST(Router, SubjectByUriLiteralNameOrTrailingCode) {
    EXPECT_TRUE(matches({.subject = {"http://cv.iptc.org/newscodes/mediatopic/04000000"}}));
    EXPECT_TRUE(matches({.subject = {"04000000"}}));
    EXPECT_TRUE(matches({.subject = {"medtop:04000000"}}));
    EXPECT_TRUE(matches({.subject = {"Economy, Business and Finance"}}));
    EXPECT_TRUE(matches({.subject = {"apcategorycode:f"}}));
    EXPECT_TRUE(matches({.subject = {"F"}}));
    EXPECT_FALSE(matches({.subject = {"medtop:11000000", "0400000", "economy"}}));
    EXPECT_FALSE(matches({.subject = {"subj:04000000"}}));  // another scheme's code
    EXPECT_FALSE(matches({.subject = {"mediatopic/04000000"}}));
}

TEST(Router, SubjectQCodeMatchesAStoredQCodeLiteral) {
    story s = ap_story();
    s.subjects = {{"", "", "", "medtop:20000000"}};
    EXPECT_TRUE(matches({.subject = {"medtop:20000000"}}, s));
    EXPECT_TRUE(matches({.subject = {"20000000"}}, s));
    s.subjects.clear();
    EXPECT_FALSE(matches({.subject = {"20000000"}}, s));
}

TEST(Router, SubjectsOnlyNotGenres) {
    story s = ap_story();
    s.subjects.clear();
    s.genres.push_back({"Obituary", "", "http://cv.iptc.org/newscodes/genre/Obituary"});
    EXPECT_FALSE(matches({.subject = {"obituary"}}, s));
}

TEST(Router, CategoryCaseInsensitiveExact) {
    EXPECT_TRUE(matches({.category = {"F"}}));
    EXPECT_FALSE(matches({.category = {"fi"}}));
    story s = ap_story();
    s.wire.category.clear();
    EXPECT_FALSE(matches({.category = {"f"}}, s));
}

TEST(Router, KeywordsWholeWordsInHeadlineSluglineAndKeywords) {
    EXPECT_TRUE(matches({.keywords = {"RALLY"}}));         // headline
    EXPECT_TRUE(matches({.keywords = {"central bank"}}));  // across a line break
    EXPECT_TRUE(matches({.keywords = {"markets"}}));       // slugline, '-' separated
    EXPECT_TRUE(matches({.keywords = {"wall street"}}));   // wire.keywords
    EXPECT_FALSE(matches({.keywords = {"rall", "tock", "bank holds rate"}}));
    EXPECT_FALSE(matches({.keywords = {"street wall"}}));
    EXPECT_TRUE(matches({.keywords = {"nothing", "holds"}}));
}

TEST(Router, KeywordsSkipBodiesAndDescriptions) {
    story s = ap_story();
    s.bodies.push_back({"", "text/plain", "Inflation was mentioned in the body", -1, -1});
    s.descriptions.push_back({"summary", "text/plain", "inflation", -1, -1});
    EXPECT_FALSE(matches({.keywords = {"inflation"}}, s));
}

TEST(Router, KeywordsFoldCyrillicAndRespectPunctuation) {
    story s = ap_story();
    s.headlines = {{"main", "text/plain", "«МОСКВА» заявила: Газпром—рост"}};
    EXPECT_TRUE(matches({.keywords = {"москва"}}, s));
    EXPECT_TRUE(matches({.keywords = {"газпром"}}, s));
    EXPECT_TRUE(matches({.keywords = {"Рост"}}, s));
    EXPECT_FALSE(matches({.keywords = {"моск"}}, s));
    s.headlines = {{"main", "text/plain", "Zürich “ÉCONOMIE” news"}};
    EXPECT_TRUE(matches({.keywords = {"zürich"}}, s));
    EXPECT_TRUE(matches({.keywords = {"économie"}}, s));
    EXPECT_FALSE(matches({.keywords = {"zur"}}, s));
    s.headlines = {{"main", "text/plain", "Central\u00a0 Bank\tof Russia"}};  // no-break space
    EXPECT_TRUE(matches({.keywords = {"central bank of russia"}}, s));
}

TEST(Router, KeywordWithPunctuationEdges) {
    story s = ap_story();
    s.headlines = {{"main", "text/plain", "U.S. jobs data; A.I. boom"}};
    EXPECT_TRUE(matches({.keywords = {"u.s."}}, s));
    EXPECT_TRUE(matches({.keywords = {"a.i."}}, s));
    EXPECT_FALSE(matches({.keywords = {"s. job"}}, s));
}

TEST(Router, CopyRuleKeepsDefaultsNonCopyReplacesThem) {
    routing_config cfg;
    cfg.default_topics = {"desk.general"};
    cfg.rules.push_back(rule("firehose", {}, {"wire.all"}, true));
    cfg.rules.push_back(rule("reuters", {.agency = {"reuters"}}, {"desk.reuters"}));
    const router r(cfg);
    auto d = r.route(ap_story());
    EXPECT_EQ(d.topics, (topics{"wire.all", "desk.general"}));
    EXPECT_EQ(d.rule_names, (topics{"firehose"}));

    story s = ap_story();
    s.wire.agency = "reuters";
    d = r.route(s);
    EXPECT_EQ(d.topics, (topics{"wire.all", "desk.reuters"}));
    EXPECT_EQ(d.rule_names, (topics{"firehose", "reuters"}));
}

TEST(Router, AllMatchingRulesAddTopicsDeduplicatedInFirstSeenOrder) {
    routing_config cfg;
    cfg.default_topics = {"desk.business"};
    cfg.rules.push_back(rule("business", {.category = {"f"}}, {"desk.business", "desk.markets"}));
    cfg.rules.push_back(rule("none", {.agency = {"interfax"}}, {"desk.ru"}));
    cfg.rules.push_back(rule("flash", {.urgency_max = 3}, {"alerts", "desk.business"}, true));
    cfg.rules.push_back(rule("markets", {.keywords = {"stocks"}}, {"desk.markets"}));
    const auto d = router(cfg).route(ap_story());
    EXPECT_EQ(d.topics, (topics{"desk.business", "desk.markets", "alerts"}));
    EXPECT_EQ(d.rule_names, (topics{"business", "flash", "markets"}));
}

TEST(Router, DefaultsDeduplicatedAgainstCopyTopics) {
    routing_config cfg;
    cfg.default_topics = {"desk.general", "wire.all"};
    cfg.rules.push_back(rule("firehose", {}, {"wire.all"}, true));
    EXPECT_EQ(router(cfg).route(ap_story()).topics, (topics{"wire.all", "desk.general"}));
}

TEST(Router, UnroutableWhenNothingMatchesAndNoDefaults) {
    routing_config cfg;
    cfg.rules.push_back(rule("reuters", {.agency = {"reuters"}}, {"desk.reuters"}));
    const router r(cfg);
    const auto d = r.route(ap_story());
    EXPECT_TRUE(d.topics.empty());
    EXPECT_TRUE(d.rule_names.empty());
    EXPECT_EQ(r.rejected_topic(), "wire.rejected");
    EXPECT_TRUE(router(routing_config{}).route(story{}).topics.empty());
}

TEST(Router, CopyRuleAloneIsNotARouteButKeepsItsTopic) {
    routing_config cfg;
    cfg.rules.push_back(rule("flash", {.urgency_max = 3}, {"alerts"}, true));
    EXPECT_EQ(router(cfg).route(ap_story()).topics, (topics{"alerts"}));
}

TEST(Router, EmptyStoryMatchesOnlyCriterionFreeRules) {
    const story s;
    EXPECT_FALSE(matches({.agency = {"ap"}}, s));
    EXPECT_FALSE(matches({.subject = {"04000000"}}, s));
    EXPECT_FALSE(matches({.keywords = {"x"}}, s));
    EXPECT_TRUE(matches({.signal = {"new"}}, s));  // the default signal
}

TEST(Router, InvalidUtf8DoesNotBreakMatching) {
    story s = ap_story();
    s.headlines = {{"main", "text/plain", std::string("\xff\xfe rally \xc3", 10)}};
    EXPECT_TRUE(matches({.keywords = {"rally"}}, s));
    // A truncated sequence stands for its byte: it matches itself, and only as a whole word.
    EXPECT_TRUE(matches({.keywords = {std::string("\xc3")}}, s));
    EXPECT_FALSE(matches({.keywords = {std::string("y \xc3\xa9")}}, s));
}

TEST(Router, ConfigIsKeptVerbatim) {
    routing_config cfg;
    cfg.rules.push_back(rule("Mixed", {.agency = {"AP"}}, {"Desk.Topic"}));
    const router r(cfg);
    EXPECT_EQ(r.config().rules[0].match.agency[0], "AP");
    EXPECT_EQ(r.route(ap_story()).topics, (topics{"Desk.Topic"}));
}

}  // namespace
