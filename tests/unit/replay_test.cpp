// replay_support: what `wiregate replay` decides without a server: the files a FILE|DIR list
// means, Content-Types, the push URL, Retry-After waits and the lines printed for an answer.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "service/replay_support.hpp"

namespace fs = std::filesystem;
using namespace wire::replay;

namespace {

// A fresh directory under the system temp dir, removed again at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() /
               ("wiregate-replay-test-" + std::to_string(std::random_device{}()));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path touch(const std::string& rel) const {
        fs::create_directories((path / rel).parent_path());
        std::ofstream(path / rel) << "x";
        return path / rel;
    }
};

TEST(ReplaySupport, ContentTypeFromTheExtension) {
    EXPECT_EQ(guess_content_type("a/story.xml"), "application/xml");
    EXPECT_EQ(guess_content_type("STORY.XML"), "application/xml");
    EXPECT_EQ(guess_content_type("item.json"), "application/json");
    EXPECT_EQ(guess_content_type("item.Json"), "application/json");
    EXPECT_EQ(guess_content_type("wire.anpa"), "application/octet-stream");
    EXPECT_EQ(guess_content_type("wire.iptc"), "application/octet-stream");
    EXPECT_EQ(guess_content_type("x.expected.json.txt"), "application/octet-stream");
    EXPECT_EQ(guess_content_type("noext"), "application/octet-stream");
}

TEST(ReplaySupport, DirectoriesWalkedSortedWithoutSidecarsOrHiddenFiles) {
    temp_dir d;
    d.touch("feed/b.xml");
    d.touch("feed/a/z.json");
    d.touch("feed/a/y.txt");
    d.touch("feed/001.expected.json");
    d.touch("feed/001.options.json");
    d.touch("feed/.hidden");
    d.touch("feed/.git/config");
    auto single = d.touch("single.expected.json");  // named on its own: sent as asked
    auto got = list_files({(d.path / "feed").string(), single.string()});
    EXPECT_TRUE(got.problems.empty());
    std::vector<fs::path> want = {d.path / "feed/a/y.txt", d.path / "feed/a/z.json",
                                  d.path / "feed/b.xml", single};
    EXPECT_EQ(got.files, want);
}

TEST(ReplaySupport, MissingPathsAreProblemsNotExceptions) {
    temp_dir d;
    auto ok = d.touch("ok.xml");
    fs::create_directories(d.path / "empty");
    auto got =
        list_files({(d.path / "nope.xml").string(), ok.string(), (d.path / "empty").string()});
    ASSERT_EQ(got.problems.size(), 1u);
    EXPECT_NE(got.problems[0].find("nope.xml: no such file"), std::string::npos);
    EXPECT_EQ(got.files, std::vector<fs::path>{ok});
    EXPECT_TRUE(list_files({}).files.empty());
}

TEST(ReplaySupport, ParsesGatewayUrls) {
    std::string why;
    auto e = parse_url("http://localhost:8080", why);
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->tls);
    EXPECT_EQ(e->host, "localhost");
    EXPECT_EQ(e->port, "8080");
    EXPECT_EQ(e->base, "");
    EXPECT_EQ(host_header(*e), "localhost:8080");
    EXPECT_EQ(push_target(*e, "ap-wire"), "/v1/feeds/ap-wire/stories");

    e = parse_url("HTTPS://gw.example.org/ingest/", why);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->tls);
    EXPECT_EQ(e->port, "443");
    EXPECT_EQ(host_header(*e), "gw.example.org");
    EXPECT_EQ(push_target(*e, "ifx"), "/ingest/v1/feeds/ifx/stories");

    e = parse_url("http://[::1]:9000", why);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->host, "::1");
    EXPECT_EQ(host_header(*e), "[::1]:9000");
    e = parse_url("http://127.0.0.1", why);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->port, "80");
}

TEST(ReplaySupport, RefusesBadUrlsSayingWhy) {
    for (const char* bad :
         {"ftp://host", "localhost:8080", "http://", "http://:80", "http://host:0",
          "http://host:65536", "http://host:8o", "http://host?x=1", "http://[::1", "http://[::1]x",
          "http://user@host", ""}) {
        std::string why;
        EXPECT_FALSE(parse_url(bad, why)) << bad;
        EXPECT_FALSE(why.empty()) << bad;
    }
}

TEST(ReplaySupport, FeedIdsAsTheGatewayTakesThem) {
    for (const char* ok : {"ap", "reuters-g2", "ifx.ru_1", "a"}) EXPECT_TRUE(valid_feed_id(ok));
    for (const char* bad : {"", "AP", "-ap", ".ap", "_ap", "a/b", "a b", "a%2f", "\xC3\xA9"})
        EXPECT_FALSE(valid_feed_id(bad)) << bad;
    EXPECT_FALSE(valid_feed_id(std::string(65, 'a')));
    EXPECT_TRUE(valid_feed_id(std::string(64, 'a')));
}

TEST(ReplaySupport, RetryAfterCappedAtThirtySeconds) {
    EXPECT_EQ(retry_delay("5").count(), 5);
    EXPECT_EQ(retry_delay(" 2 ").count(), 2);
    EXPECT_EQ(retry_delay("0").count(), 0);
    EXPECT_EQ(retry_delay("120").count(), 30);
    EXPECT_EQ(retry_delay("99999999999999999999999").count(), 1);  // overflow: not a number
    EXPECT_EQ(retry_delay("").count(), 1);
    EXPECT_EQ(retry_delay("-3").count(), 1);
    EXPECT_EQ(retry_delay("Wed, 21 Oct 2026 07:28:00 GMT").count(), 1);
}

TEST(ReplaySupport, AnswerLinesPerItem) {
    auto lines = answer_lines(R"({"feed":"ap","format":"nitf","items":[
        {"uri":"urn:a","version":"2","status":"published","topics":[
            {"topic":"desk.world","partition":3,"offset":1041},
            {"topic":"wire.all","partition":0,"offset":77}]},
        {"uri":"urn:b","version":"","status":"duplicate","signal":"kill","headline":"Kill: story"},
        {"status":"rejected","error":{"code":"missing_required","message":"no headline"}}]})");
    std::vector<std::string> want = {
        "  published urn:a v2 desk.world[3]@1041 wire.all[0]@77",
        "  duplicate urn:b v-",
        "      kill: Kill: story",
        "  rejected missing_required: no headline",
    };
    EXPECT_EQ(lines, want);
}

TEST(ReplaySupport, AnswerLinesForErrorsAndOddBodies) {
    EXPECT_EQ(answer_lines(R"({"error":{"code":"bad_credentials","message":"wrong key"}})"),
              std::vector<std::string>{"  error bad_credentials: wrong key"});
    EXPECT_EQ(answer_lines(""), std::vector<std::string>{"  (empty answer)"});
    auto html = answer_lines("<html>\x1b[31mBad Gateway</html>");
    ASSERT_EQ(html.size(), 1u);
    EXPECT_EQ(html[0], "  (answer is not a JSON object: <html> [31mBad Gateway</html>)");
    EXPECT_EQ(answer_lines("[1,2]"),
              std::vector<std::string>{"  (answer is not a JSON object: [1,2])"});
    EXPECT_EQ(answer_lines(R"({"ok":true})"),
              std::vector<std::string>{R"(  (answer without items: {"ok":true}))"});
    // Control bytes in messages are not sent to the terminal; missing fields do not throw.
    EXPECT_EQ(answer_lines(R"({"items":[{"status":"rejected","error":{"message":"a\u001bb\nc"}},
                                        {"topics":[{"partition":"x"}]}]})"),
              (std::vector<std::string>{"  rejected -: a b c", "  - - v- [?]@?"}));
    auto long_body = answer_lines(std::string(1000, 'x'));
    ASSERT_EQ(long_body.size(), 1u);
    EXPECT_LT(long_body[0].size(), 260u);
}

}  // namespace
