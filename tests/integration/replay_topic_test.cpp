// `wiregate replay --from-topic` (the real binary) against the real broker and a running
// gateway: dead letters of one feed, filtered by reason and time, listed with --dry-run and
// sent back through the pipeline once the feed can read them.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gateway_fixture.hpp"
#include "run_command.hpp"

using namespace wire::testing;
using namespace std::chrono_literals;

namespace {

struct run_result {
    int status = -1;
    std::vector<std::string> out;
    std::string err;
};

run_result run_replay(const std::string& args) {
    const std::string err_file = ::testing::TempDir() + "replay-topic-stderr.txt";
    auto done = run_command(std::string(WIREGATE_BINARY) + " replay " + args + " 2>" + err_file);
    run_result r{done.status, std::move(done.lines), {}};
    if (FILE* e = std::fopen(err_file.c_str(), "r")) {
        char buf[4096];
        while (std::fgets(buf, sizeof buf, e)) r.err += buf;
        std::fclose(e);
    }
    return r;
}

class ReplayTopic : public gateway_test {
  protected:
    // Feed "x" reads NITF, so a ninjs story sent to it is a dead letter (malformed); feed "y"
    // leaves a dead letter of its own, which replays for "x" must never touch.
    void leave_dead_letters() {
        make();
        add_feed(cfg_, "x", "nitf", "", "", "ap");
        add_feed(cfg_, "y", "nitf", "", "", "ap");
        start_gateway();
        http_client c(port());
        EXPECT_EQ(c.post_story("x", "key-x", story_, "application/json").status, 422);
        EXPECT_EQ(c.post_story("y", "key-y", story_, "application/json").status, 422);
        ASSERT_EQ(consume(cfg_.kafka.brokers, topics_.rejected, 2, 30s).size(), 2u);
    }
    std::string from_topic() const {
        return "--from-topic " + topics_.rejected + " --brokers " + cfg_.kafka.brokers +
               " --feed x ";
    }
    const std::string story_ = ninjs_fixture("urn:replay:topic:1", "1");
};

TEST_F(ReplayTopic, DryRunListsTheFeedsDeadLettersAndSendsNothing) {
    leave_dead_letters();
    auto r = run_replay(from_topic() + "--dry-run");
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_EQ(r.out.size(), 1u) << r.err;
    EXPECT_NE(r.out[0].find("would send " + std::to_string(story_.size()) +
                            " bytes (application/json, reason malformed)"),
              std::string::npos)
        << r.out[0];
    EXPECT_NE(r.err.find("1 would be sent, 1 filtered out"), std::string::npos) << r.err;
}

TEST_F(ReplayTopic, ReasonAndTimeFiltersSelectNothingWhenNothingMatches) {
    leave_dead_letters();
    auto by_reason = run_replay(from_topic() + "--dry-run --reason unknown_format");
    EXPECT_EQ(by_reason.status, 0);
    EXPECT_TRUE(by_reason.out.empty());
    auto by_time = run_replay(from_topic() + "--dry-run --since 2999-01-01T00:00:00Z");
    EXPECT_EQ(by_time.status, 0);
    EXPECT_TRUE(by_time.out.empty());
    auto matching =
        run_replay(from_topic() + "--dry-run --reason malformed --until 2999-01-01T00:00:00Z");
    EXPECT_EQ(matching.out.size(), 1u) << matching.err;
}

TEST_F(ReplayTopic, DeadLettersAreSentBackThroughThePipelineOnceTheFeedReadsThem) {
    leave_dead_letters();
    svc_->drain();
    svc_.reset();
    for (auto& f : cfg_.feeds)
        if (f.id == "x") f.format = "ninjs";
    start_gateway();
    auto r = run_replay(from_topic() + "--url http://127.0.0.1:" + std::to_string(port()) +
                        " --api-key key-x");
    EXPECT_EQ(r.status, 0) << r.err;
    ASSERT_FALSE(r.out.empty());
    EXPECT_NE(r.out[0].find("-> 200"), std::string::npos) << r.out[0];
    auto published = consume(cfg_.kafka.brokers, topics_.all, 1, 30s);
    ASSERT_EQ(published.size(), 1u);
    EXPECT_NE(published[0].value.find("urn:replay:topic:1"), std::string::npos);
}

TEST_F(ReplayTopic, UsageErrorsExitTwo) {
    EXPECT_EQ(run_replay("--from-topic t --feed x").status, 2);  // no --url, no --dry-run
    EXPECT_EQ(run_replay("--from-topic t --feed x --dry-run some-file").status, 2);
    EXPECT_EQ(run_replay("--from-topic t --feed x --dry-run --since yesterday").status, 2);
}

}  // namespace
