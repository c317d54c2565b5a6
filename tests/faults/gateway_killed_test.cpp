// The gateway itself dies (kill -9) under load and is started again on the same config and
// spool folder. Senders retry what got no answer, as an agency does; a story the dead process
// had already put into Kafka must not appear twice, and nothing it accepted may be lost.
#include "fault_scenario.hpp"

namespace wire::faults {
namespace {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

TEST(Faults, GatewayKilledMidLoadAndRestarted) {
    const std::string scenario = "GatewayKilledMidLoadAndRestarted";
    const std::string topic = "faults.gateway-killed";
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
    gw.kill9();
    EXPECT_LT(load.accepted(), load.total()) << "the load was over before the fault struck";
    const auto restarted = steady::now();
    ASSERT_NO_THROW(gw.start());  // same config: same ports, same spool folder
    load.wait();
    const auto load_ms = ms_between(load_start, steady::now());

    auto t = count_in_kafka(kafka.bootstrap(), topic, load.sent_uris(), load.accepted_uris());
    // recovery_ms: from spawning the new process (start-up and replay included) to the first
    // "published" answer it gave.
    fault_report(scenario, t, ms_between(restarted, load.first_published_after(restarted)),
                 "fault_at_accepted=" + std::to_string(at_fault) +
                     " load_ms=" + std::to_string(load_ms) + " answers=" + load.summary());
    EXPECT_EQ(load.count(story_record::state::refused), 0u) << load.summary();
    EXPECT_EQ(load.accepted(), load.total()) << "the gateway did not recover: " << load.summary();
    expect_exactly_once(t);
}

}  // namespace
}  // namespace wire::faults
