// Two faults at once, as operators meet them: the broker and the gateway both die (kill -9)
// under load, and the gateway is started again while the broker is still down. The new process
// must open its listeners and accept into the spool at once, say on /readyz what it waits for,
// and, once the broker returns, deliver every story it (or the killed process) accepted exactly
// once: records that reached Kafka without their acknowledgement reaching the spool must not be
// replayed blind. Run with the gateway creating its topics (the local config; broker killed
// first) and with topics made beforehand (the production configs; gateway killed first, which
// leaves such records behind more often).
#include <thread>

#include "fault_scenario.hpp"

namespace wire::faults {
namespace {
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// "already_in_kafka":N of the last spool_recovered line in the gateway's log ("?" if none).
std::string already_in_kafka(const std::string& log) {
    const std::string key = "\"already_in_kafka\":";
    const auto at = log.rfind(key);
    if (at == std::string::npos) return "?";
    return log.substr(at + key.size(), log.find_first_of(",}", at) - at - key.size());
}

void run_scenario(const std::string& scenario, bool gateway_creates_topics, bool broker_first) {
    const std::string topic = "faults.restart-broker-down";
    scratch_dir dir(scenario);
    kafka_cluster kafka(1, k_single_node_port_base);
    kafka_admin admin(kafka.bootstrap());
    ASSERT_EQ(admin.create_topic(topic, 3, 1, 1), "");
    if (!gateway_creates_topics) {
        ASSERT_EQ(admin.create_topic("wire.rejected", 1, 1, 1), "");
    }
    gateway_options opts{scenario, kafka.bootstrap(), topic, 1, dir.path() / "spool"};
    opts.create_topics = gateway_creates_topics;
    gateway_process gw(dir.path(), opts);
    ASSERT_NO_THROW(gw.start());

    story_load load({scenario, gw.ingest_port(), 0, 1500, 6});
    const auto load_start = steady::now();
    load.start();
    ASSERT_TRUE(load.wait_accepted(load.total() / 4, 120s)) << load.summary();
    std::size_t at_broker_kill = 0, at_gateway_kill = 0;
    if (broker_first) {
        kafka.kill_node(1);
        // The gateway keeps accepting onto its spool while the broker is away (each answer
        // waits ack_wait_ms for Kafka first, so a few dozen).
        at_broker_kill = load.accepted();
        ASSERT_TRUE(load.wait_accepted(at_broker_kill + 24, 60s)) << load.summary();
        gw.kill9();
        at_gateway_kill = load.accepted();
    } else {
        gw.kill9();
        at_gateway_kill = load.accepted();
        kafka.kill_node(1);
        at_broker_kill = load.accepted();
    }
    EXPECT_LT(at_gateway_kill, load.total()) << "the load was over before the faults struck";

    const auto restarted = steady::now();
    ASSERT_NO_THROW(gw.start_listening(30s)) << "listeners must open without Kafka";
    const auto listening_ms = ms_between(restarted, steady::now());
    // Accepting again, into the spool, with the broker still down.
    ASSERT_TRUE(load.wait_accepted(at_gateway_kill + 100, 60s)) << load.summary();
    const auto [ready_status, ready_body] = gw.readyz();
    EXPECT_EQ(ready_status, 503) << ready_body;
    // Stories spooled while the broker was down are certainly pending at the restart.
    if (broker_first) {
        EXPECT_NE(ready_body.find("replaying the spool"), std::string::npos) << ready_body;
    }

    const auto broker_back = steady::now();
    kafka.start_node(1);
    load.wait();
    const auto load_ms = ms_between(load_start, steady::now());
    // Readiness returns by itself, with nobody restarting anything.
    bool ready = false;
    for (auto until = steady::now() + 60s; !ready && steady::now() < until;
         std::this_thread::sleep_for(100ms))  // poll interval of a bounded wait
        ready = gw.readyz().first == 200;
    EXPECT_TRUE(ready) << gw.readyz().second;
    const auto ready_ms = ms_between(broker_back, steady::now());

    auto t = count_in_kafka(kafka.bootstrap(), topic, load.sent_uris(), load.accepted_uris());
    // recovery_ms: from the broker's restart to the first "published" answer sent after it
    // (-1 when the senders had finished by then: everything was spooled).
    fault_report(scenario, t, ms_between(broker_back, load.first_published_after(broker_back)),
                 "accepted_at_broker_kill=" + std::to_string(at_broker_kill) +
                     " accepted_at_gateway_kill=" + std::to_string(at_gateway_kill) +
                     " listening_ms=" + std::to_string(listening_ms) +
                     " ready_ms=" + std::to_string(ready_ms) +
                     " restart_already_in_kafka=" + already_in_kafka(gw.log_tail(1 << 20)) +
                     " load_ms=" + std::to_string(load_ms) + " answers=" + load.summary());
    EXPECT_EQ(load.count(story_record::state::refused), 0u) << load.summary();
    EXPECT_EQ(load.accepted(), load.total()) << "not every story was accepted: " << load.summary();
    expect_exactly_once(t);
    EXPECT_TRUE(gw.running()) << gw.log_tail();
}

TEST(Faults, GatewayRestartedWhileBrokerDownCreatingTopics) {
    run_scenario("GatewayRestartedWhileBrokerDownCreatingTopics", true, true);
}

TEST(Faults, GatewayRestartedWhileBrokerDownTopicsPrecreated) {
    run_scenario("GatewayRestartedWhileBrokerDownTopicsPrecreated", false, false);
}

}  // namespace
}  // namespace wire::faults
