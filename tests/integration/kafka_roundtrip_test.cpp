// Proves the loop every later feature stands on: wiregate's producer publishes to the real
// broker that scripts/kafka started, and a plain consumer reads back exactly what was sent.
#include <gtest/gtest.h>

#include <future>
#include <map>

#include "kafka_test_env.hpp"
#include "producer/kafka_producer.hpp"

namespace {

using wire::producer::delivery_report;
using wire::producer::kafka_producer;
using wire::producer::outgoing_message;
using namespace std::chrono_literals;

std::unique_ptr<kafka_producer> make_producer(wire::producer::kafka_properties extra = {}) {
    auto props = wire::producer::default_producer_properties(wire::testing::test_brokers());
    for (auto& [k, v] : extra) props[k] = v;
    std::string error;
    auto p = kafka_producer::create(props, error);
    EXPECT_TRUE(p) << error;
    return p;
}

TEST(KafkaRoundtrip, PublishedMessagesComeBackWithKeyHeadersAndValue) {
    const auto brokers = wire::testing::test_brokers();
    const auto topic = wire::testing::unique_topic("it.roundtrip");
    ASSERT_EQ(wire::testing::create_topic(brokers, topic, 3, 1), "");

    auto producer = make_producer();
    ASSERT_TRUE(producer);
    std::vector<outgoing_message> sent;
    for (int i = 0; i < 5; ++i) {
        sent.push_back({topic,
                        "urn:wiregate:test:story-" + std::to_string(i),
                        {{"agency", "ap"}, {"signal", i == 4 ? "kill" : "new"}},
                        R"({"schema":"wiregate.story/1","n":)" + std::to_string(i) + "}"});
    }
    std::vector<std::promise<delivery_report>> promises(sent.size());
    for (size_t i = 0; i < sent.size(); ++i) {
        ASSERT_EQ(producer->produce(
                      sent[i], [&p = promises[i]](const delivery_report& r) { p.set_value(r); }),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    std::map<std::string, delivery_report> reports;  // by key
    for (size_t i = 0; i < sent.size(); ++i) {
        auto f = promises[i].get_future();
        ASSERT_EQ(f.wait_for(30s), std::future_status::ready) << "no delivery report";
        auto r = f.get();
        ASSERT_TRUE(r.ok()) << r.error_text;
        EXPECT_EQ(r.topic, topic);
        EXPECT_GE(r.offset, 0);
        reports[sent[i].key] = r;
    }

    auto got = wire::testing::consume(brokers, topic, sent.size(), 30s);
    ASSERT_EQ(got.size(), sent.size());
    for (const auto& msg : got) {
        auto it = std::find_if(sent.begin(), sent.end(),
                               [&](const outgoing_message& s) { return s.key == msg.key; });
        ASSERT_NE(it, sent.end()) << "unexpected key " << msg.key;
        EXPECT_EQ(msg.value, it->value);
        EXPECT_EQ(msg.headers, it->headers);
        // The delivery report told the truth about where the message landed.
        EXPECT_EQ(msg.partition, reports[msg.key].partition);
        EXPECT_EQ(msg.offset, reports[msg.key].offset);
    }
}

TEST(KafkaRoundtrip, SameKeyLandsOnOnePartitionInOrder) {
    const auto brokers = wire::testing::test_brokers();
    const auto topic = wire::testing::unique_topic("it.order");
    ASSERT_EQ(wire::testing::create_topic(brokers, topic, 3, 1), "");
    auto producer = make_producer();
    ASSERT_TRUE(producer);
    for (int v = 1; v <= 10; ++v)
        ASSERT_EQ(producer->produce({topic, "urn:story:1", {}, std::to_string(v)}, nullptr),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
    ASSERT_EQ(producer->flush(30s), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(producer->queue_depth(), 0);

    auto got = wire::testing::consume(brokers, topic, 10, 30s);
    ASSERT_EQ(got.size(), 10u);
    for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].partition, got[0].partition);
        EXPECT_EQ(got[i].value, std::to_string(i + 1));
    }
}

TEST(KafkaRoundtrip, UnknownTopicIsReportedAsAnErrorNotSilentlyCreated) {
    // The broker runs with auto.create.topics.enable=false: a mistyped topic must fail.
    auto producer = make_producer(
        {{"topic.metadata.propagation.max.ms", "1000"}, {"message.timeout.ms", "5000"}});
    ASSERT_TRUE(producer);
    std::promise<delivery_report> p;
    ASSERT_EQ(producer->produce({wire::testing::unique_topic("it.missing"), "k", {}, "v"},
                                [&](const delivery_report& r) { p.set_value(r); }),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    auto f = p.get_future();
    ASSERT_EQ(f.wait_for(30s), std::future_status::ready);
    auto r = f.get();
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.error_text.empty());
}

}  // namespace
