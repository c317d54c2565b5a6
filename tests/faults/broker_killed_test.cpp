// A single broker dies (kill -9) under load and comes back on its own data: every story the
// gateway accepted must be in Kafka exactly once.
#include <thread>

#include "fault_scenario.hpp"

namespace wire::faults {
namespace {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

TEST(Faults, BrokerKilledMidLoadAndRestarted) {
    const std::string scenario = "BrokerKilledMidLoadAndRestarted";
    const std::string topic = "faults.broker-killed";
    scratch_dir dir(scenario);
    kafka_cluster kafka(1, k_single_node_port_base);
    ASSERT_EQ(kafka_admin(kafka.bootstrap()).create_topic(topic, 3, 1, 1), "");
    gateway_process gw(dir.path(), {scenario, kafka.bootstrap(), topic, 1, dir.path() / "spool"});
    ASSERT_NO_THROW(gw.start());

    story_load load({scenario, gw.ingest_port(), 0, 2000, 6});
    const auto load_start = steady::now();
    load.start();
    ASSERT_TRUE(load.wait_accepted(load.total() / 4, 120s)) << load.summary();
    const std::size_t at_fault = load.accepted();
    kafka.kill_node(1);
    const auto killed = steady::now();
    EXPECT_LT(load.accepted(), load.total()) << "the load was over before the fault struck";
    // Readiness follows within 2 s of losing the last broker (load balancers act on it).
    int ready_status = 200;
    while (ready_status != 503 && steady::now() - killed < 2s) {
        ready_status = gw.readyz().first;
        if (ready_status != 503) std::this_thread::sleep_for(20ms);  // poll of a bounded wait
    }
    const auto not_ready_ms = ms_between(killed, steady::now());
    EXPECT_EQ(ready_status, 503) << "/readyz still 200 2 s after the broker died";
    std::this_thread::sleep_for(killed + 3s - steady::now());  // the outage: part of the scenario
    const auto restarted = steady::now();
    kafka.start_node(1);
    load.wait();
    const auto load_ms = ms_between(load_start, steady::now());

    auto t = count_in_kafka(kafka.bootstrap(), topic, load.sent_uris(), load.accepted_uris());
    // recovery_ms: from `start-node` (JVM start and log recovery included) to the first
    // "published" answer received after it.
    fault_report(scenario, t, ms_between(restarted, load.first_published_after(restarted)),
                 "fault_at_accepted=" + std::to_string(at_fault) +
                     " not_ready_ms=" + std::to_string(not_ready_ms) +
                     " load_ms=" + std::to_string(load_ms) + " answers=" + load.summary());
    EXPECT_EQ(load.count(story_record::state::refused), 0u) << load.summary();
    EXPECT_EQ(load.accepted(), load.total()) << "the gateway did not recover: " << load.summary();
    expect_exactly_once(t);
    EXPECT_TRUE(gw.running()) << gw.log_tail();
}

}  // namespace
}  // namespace wire::faults
