#include <gtest/gtest.h>

#include "core/datetime.hpp"

using namespace wire::adapters;

namespace {

std::string iso(std::string_view s, int def = 0) {
    auto t = parse_iso8601(s, def);
    return t ? t->rfc3339() : "none";
}

TEST(DateTime, ExtendedFormsWithZonesAreConvertedToUtc) {
    EXPECT_EQ(iso("2017-07-10T14:05:30+03:00"), "2017-07-10T11:05:30Z");
    EXPECT_EQ(iso("2014-07-17T00:24:11.000Z"), "2014-07-17T00:24:11Z");
    EXPECT_EQ(iso("2017-07-10T01:00:00+02:00"), "2017-07-09T23:00:00Z");
    EXPECT_EQ(iso("2016-01-12 12:35:40"), "2016-01-12T12:35:40Z");
    EXPECT_EQ(iso("2017-12-31T23:30:00-05:00"), "2018-01-01T04:30:00Z");
}

TEST(DateTime, BasicNitfFormsAndMissingZoneUseTheDefault) {
    EXPECT_EQ(iso("20170710T140500+0300"), "2017-07-10T11:05:00Z");
    EXPECT_EQ(iso("20170710T140500Z"), "2017-07-10T14:05:00Z");
    EXPECT_EQ(iso("20141126T152703", -300), "2014-11-26T20:27:03Z");
    EXPECT_EQ(iso("20170710"), "2017-07-10T00:00:00Z");
}

TEST(DateTime, ImpossibleDatesAndPlaceholdersAreRefused) {
    EXPECT_EQ(iso("2017-02-30T00:00:00Z"), "none");
    EXPECT_EQ(iso("2017-13-01T00:00:00Z"), "none");
    EXPECT_EQ(iso("YYYYMMDD000000-HHMM"), "none");
    EXPECT_EQ(iso("2017-07-10T25:00:00Z"), "none");
    EXPECT_EQ(iso("2017-07-10T10:00:00+99:00"), "none");
    EXPECT_EQ(iso(""), "none");
    EXPECT_EQ(iso("2016-02-29T00:00:00Z"), "2016-02-29T00:00:00Z");
}

TEST(DateTime, MonthNamesInSeveralLanguages) {
    EXPECT_EQ(month_from_name("Nov"), 11);
    EXPECT_EQ(month_from_name("DEZ"), 12);
    EXPECT_EQ(month_from_name("déc."), 12);
    EXPECT_EQ(month_from_name("März"), 3);
    EXPECT_EQ(month_from_name("июля"), 7);
    EXPECT_EQ(month_from_name("ИЮЛ"), 7);
    EXPECT_EQ(month_from_name("мая"), 5);
    EXPECT_EQ(month_from_name("agosto"), 8);
    EXPECT_EQ(month_from_name("xyz"), 0);
}

TEST(DateTime, TelexDateTimeGroups) {
    auto t = [](std::string_view s, int def = 0) {
        auto r = parse_dtg(s, def);
        return r ? r->rfc3339() : "none";
    };
    EXPECT_EQ(t("131137 GMT Nov 13"), "2013-11-13T11:37:00Z");
    EXPECT_EQ(t("091223 dec 18"), "2018-12-09T12:23:00Z");
    EXPECT_EQ(t("310001 JUL 97"), "1997-07-31T00:01:00Z");
    EXPECT_EQ(t("101405 MSK июл 17"), "2017-07-10T11:05:00Z");
    EXPECT_EQ(t("101405 Jul 17", 180), "2017-07-10T11:05:00Z");
    EXPECT_EQ(t("311405 Jun 17"), "none");  // June has 30 days
    EXPECT_EQ(t("1014 Jul 17"), "none");
}

TEST(DateTime, EpochRoundTrip) {
    for (std::int64_t s : {0LL, 951782400LL, 1499684700LL, 4102444799LL})
        EXPECT_EQ(utc_time::from_epoch(s).epoch_seconds(), s);
}

}  // namespace
