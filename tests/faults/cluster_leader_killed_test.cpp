// A 3-node cluster loses (kill -9) the leader of the partition taking the most traffic; with
// replication 3 and min.insync.replicas 2 a follower takes over and writes go on. The node comes
// back later on its own data. acks=all means nothing acknowledged can be lost in the failover.
#include <algorithm>
#include <iostream>

#include "fault_scenario.hpp"
#include "gateway_test_env.hpp"

namespace wire::faults {
namespace {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

TEST(Faults, ClusterLeaderOfBusiestPartitionKilled) {
    const std::string scenario = "ClusterLeaderOfBusiestPartitionKilled";
    const std::string topic = "faults.leader-killed";
    scratch_dir dir(scenario);
    kafka_cluster kafka(3, k_three_node_port_base);
    kafka_admin admin(kafka.bootstrap());
    ASSERT_EQ(admin.create_topic(topic, 3, 3, 2), "");
    gateway_process gw(dir.path(), {scenario, kafka.bootstrap(), topic, 3, dir.path() / "spool"});
    ASSERT_NO_THROW(gw.start());

    story_load load({scenario, gw.ingest_port(), 0, 2000, 6});
    const auto load_start = steady::now();
    load.start();
    ASSERT_TRUE(load.wait_accepted(load.total() / 4, 120s)) << load.summary();

    // The busiest partition is the one with the most messages so far; its leader from metadata.
    const auto hw = admin.high_watermarks(topic);
    ASSERT_EQ(hw.size(), 3u);
    const auto busiest =
        static_cast<std::size_t>(std::max_element(hw.begin(), hw.end()) - hw.begin());
    const auto leaders = admin.leaders(topic);
    ASSERT_EQ(leaders.size(), 3u);
    const int victim = leaders[busiest];
    ASSERT_GE(victim, 1) << "partition " << busiest << " has no leader";
    const std::size_t at_fault = load.accepted();
    const auto killed = steady::now();
    kafka.kill_node(victim);
    EXPECT_LT(load.accepted(), load.total()) << "the load was over before the fault struck";

    // Failover: a surviving replica leads the partition (the dead node is fenced after
    // broker.session.timeout.ms, 6 s in scripts/kafka).
    ASSERT_TRUE(testing::eventually(
        [&] {
            auto l = admin.leaders(topic);
            return l.size() == 3 && l[busiest] >= 1 && l[busiest] != victim;
        },
        60s))
        << "no new leader for partition " << busiest;
    std::cout << "partition " << busiest << " led by node " << victim << ": new leader after "
              << ms_between(killed, steady::now()) << " ms" << std::endl;

    // "Later": the node stays down while the load goes on on two nodes.
    load.wait_accepted(load.total() * 3 / 4, 120s);
    const auto restarted = steady::now();
    kafka.start_node(victim);
    load.wait();
    const auto load_ms = ms_between(load_start, steady::now());

    auto t = count_in_kafka(kafka.bootstrap(), topic, load.sent_uris(), load.accepted_uris());
    // recovery_ms: from `start-node` of the killed leader to the first "published" answer
    // after it (the load may be over by then: -1).
    fault_report(scenario, t, ms_between(restarted, load.first_published_after(restarted)),
                 "fault_at_accepted=" + std::to_string(at_fault) +
                     " load_ms=" + std::to_string(load_ms) + " answers=" + load.summary());
    EXPECT_EQ(load.count(story_record::state::refused), 0u) << load.summary();
    EXPECT_EQ(load.accepted(), load.total()) << "the gateway did not recover: " << load.summary();
    expect_exactly_once(t);
}

}  // namespace
}  // namespace wire::faults
