#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "metrics/metrics.hpp"

using wire::metrics::registry;

namespace {

TEST(Metrics, RendersSmallRegistryExactly) {
    registry r;
    auto& received =
        r.counter("wiregate_stories_received_total", "Stories received.", {"feed", "format"});
    received.inc({"reuters", "nitf"});
    received.inc({"ap", "ap-json"});
    received.inc({"ap", "ap-json"}, 2);
    auto& inflight = r.gauge("wiregate_inflight_requests", "Requests being handled.");
    inflight.set({}, 4);
    inflight.add({}, -1.5);
    // Unsorted, duplicated and infinite bounds are normalised; a value equal to a bound falls
    // in that bound's bucket.
    auto& latency = r.histogram("wiregate_delivery_seconds", "Broker acknowledgement latency.",
                                {"feed"}, {0.5, 0.25, 1, 0.5, INFINITY});
    for (double v : {0.25, 0.5, 0.5, 2.0}) latency.observe({"ap"}, v);
    r.gauge_callback("wiregate_producer_queue_depth", "Messages waiting in the producer.",
                     [] { return 7.0; });
    r.counter("wiregate_reloads_total", "Config reloads.");
    r.counter("wiregate_rejected_total", "Stories rejected.", {"feed", "reason"});

    EXPECT_EQ(r.render(),
              "# HELP wiregate_stories_received_total Stories received.\n"
              "# TYPE wiregate_stories_received_total counter\n"
              "wiregate_stories_received_total{feed=\"ap\",format=\"ap-json\"} 3\n"
              "wiregate_stories_received_total{feed=\"reuters\",format=\"nitf\"} 1\n"
              "# HELP wiregate_inflight_requests Requests being handled.\n"
              "# TYPE wiregate_inflight_requests gauge\n"
              "wiregate_inflight_requests 2.5\n"
              "# HELP wiregate_delivery_seconds Broker acknowledgement latency.\n"
              "# TYPE wiregate_delivery_seconds histogram\n"
              "wiregate_delivery_seconds_bucket{feed=\"ap\",le=\"0.25\"} 1\n"
              "wiregate_delivery_seconds_bucket{feed=\"ap\",le=\"0.5\"} 3\n"
              "wiregate_delivery_seconds_bucket{feed=\"ap\",le=\"1\"} 3\n"
              "wiregate_delivery_seconds_bucket{feed=\"ap\",le=\"+Inf\"} 4\n"
              "wiregate_delivery_seconds_sum{feed=\"ap\"} 3.25\n"
              "wiregate_delivery_seconds_count{feed=\"ap\"} 4\n"
              "# HELP wiregate_producer_queue_depth Messages waiting in the producer.\n"
              "# TYPE wiregate_producer_queue_depth gauge\n"
              "wiregate_producer_queue_depth 7\n"
              "# HELP wiregate_reloads_total Config reloads.\n"
              "# TYPE wiregate_reloads_total counter\n"
              "wiregate_reloads_total 0\n"
              "# HELP wiregate_rejected_total Stories rejected.\n"
              "# TYPE wiregate_rejected_total counter\n");
}

TEST(Metrics, UnlabelledHistogramWithoutObservationsPrintsZeros) {
    registry r;
    r.histogram("h", "", {}, {1});
    EXPECT_EQ(r.render(),
              "# TYPE h histogram\n"
              "h_bucket{le=\"1\"} 0\n"
              "h_bucket{le=\"+Inf\"} 0\n"
              "h_sum 0\n"
              "h_count 0\n");
}

TEST(Metrics, EscapesLabelValuesAndHelp) {
    registry r;
    r.counter("c", "Line one\nback\\slash \"quoted\"", {"v"}).inc({"a\\b\"c\nd"});
    EXPECT_EQ(r.render(),
              "# HELP c Line one\\nback\\\\slash \"quoted\"\n"
              "# TYPE c counter\n"
              "c{v=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(Metrics, NumbersPrintPlainWhenWhole) {
    registry r;
    auto& g = r.gauge("g", "", {"k"});
    g.set({"a"}, 123456789012.0);
    g.set({"b"}, -3);
    g.set({"c"}, 0.1);
    g.set({"d"}, -0.0);
    g.set({"e"}, NAN);
    g.set({"f"}, -INFINITY);
    g.set({"g"}, 1e300);
    EXPECT_EQ(r.render(),
              "# TYPE g gauge\n"
              "g{k=\"a\"} 123456789012\n"
              "g{k=\"b\"} -3\n"
              "g{k=\"c\"} 0.1\n"
              "g{k=\"d\"} 0\n"
              "g{k=\"e\"} NaN\n"
              "g{k=\"f\"} -Inf\n"
              "g{k=\"g\"} 1e+300\n");
}

TEST(Metrics, SameNameReturnsTheSameFamily) {
    registry r;
    auto& a = r.counter("c", "help", {"feed"});
    auto& b = r.counter("c", "other help", {"ignored", "names"});
    EXPECT_EQ(&a, &b);
    a.inc({"ap"});
    EXPECT_EQ(b.value({"ap"}), 1);
    EXPECT_EQ(&r.gauge("g", ""), &r.gauge("g", ""));
    EXPECT_EQ(&r.histogram("h", "", {}, {1}), &r.histogram("h", "", {}, {2}));
    EXPECT_EQ(r.render().find("# HELP c other help"), std::string::npos);
}

TEST(Metrics, NameOfAnotherTypeWorksButIsNotRendered) {
    registry r;
    r.counter("x", "the counter").inc({});
    auto& g = r.gauge("x", "a clashing gauge");
    g.set({}, 5);
    EXPECT_EQ(g.value({}), 5);
    r.gauge_callback("x", "clashing callback", [] { return 9.0; });
    EXPECT_EQ(r.render(), "# HELP x the counter\n# TYPE x counter\nx 1\n");
}

TEST(Metrics, WrongLabelCountIsIgnored) {
    registry r;
    auto& c = r.counter("c", "", {"feed"});
    c.inc({});
    c.inc({"ap", "extra"});
    auto& g = r.gauge("g", "", {"feed"});
    g.set({}, 1);
    g.add({"a", "b"}, 1);
    auto& h = r.histogram("h", "", {"feed"}, {1});
    h.observe({}, 1);
    EXPECT_EQ(h.count({}), 0u);
    EXPECT_EQ(r.render(), "# TYPE c counter\n# TYPE g gauge\n# TYPE h histogram\n");
}

TEST(Metrics, CounterNeverGoesDown) {
    registry r;
    auto& c = r.counter("c", "");
    c.inc({}, 2);
    c.inc({}, -1);
    c.inc({}, NAN);
    EXPECT_EQ(c.value({}), 2);
    EXPECT_EQ(c.value({"unknown"}), 0);
}

TEST(Metrics, HistogramDropsNaNAndCountsOutOfRange) {
    registry r;
    auto& h = r.histogram("h", "", {}, {1, 2});
    h.observe({}, NAN);
    h.observe({}, -5);
    h.observe({}, 1e9);
    EXPECT_EQ(h.count({}), 2u);
    EXPECT_EQ(r.render(),
              "# TYPE h histogram\n"
              "h_bucket{le=\"1\"} 1\n"
              "h_bucket{le=\"2\"} 1\n"
              "h_bucket{le=\"+Inf\"} 2\n"
              "h_sum 999999995\n"
              "h_count 2\n");
}

TEST(Metrics, CallbackIsReplacedAndFailureShowsNaN) {
    registry r;
    r.gauge_callback("depth", "", [] { return 1.0; });
    r.gauge_callback("depth", "", [] { return 2.0; });
    EXPECT_EQ(r.render(), "# TYPE depth gauge\ndepth 2\n");
    r.gauge_callback("depth", "", []() -> double { throw std::runtime_error("gone"); });
    EXPECT_EQ(r.render(), "# TYPE depth gauge\ndepth NaN\n");
    r.gauge_callback("depth", "", nullptr);
    EXPECT_EQ(r.render(), "# TYPE depth gauge\ndepth NaN\n");
}

TEST(Metrics, CallbackMayRegisterMetricsWithoutDeadlock) {
    registry r;
    r.gauge_callback("depth", "", [&r] {
        r.counter("scrapes_total", "").inc({});
        return 1.0;
    });
    r.render();
    EXPECT_EQ(r.counter("scrapes_total", "").value({}), 1);
}

TEST(Metrics, ConcurrentUpdatesSumCorrectly) {
    registry r;
    auto& c = r.counter("c", "", {"feed"});
    auto& g = r.gauge("g", "");
    auto& h = r.histogram("h", "", {"feed"}, {0.5});
    constexpr int threads = 4, per_thread = 20000;
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            const std::string feed = t % 2 == 0 ? "ap" : "reuters";
            for (int i = 0; i < per_thread; ++i) {
                c.inc({feed});
                g.add({}, 1);
                h.observe({feed}, i % 2 == 0 ? 0.25 : 1.0);
                if (i % 5000 == 0) r.render();  // scrapes interleave with updates
            }
        });
    }
    for (auto& t : pool) t.join();
    EXPECT_EQ(c.value({"ap"}), 2.0 * per_thread);
    EXPECT_EQ(c.value({"reuters"}), 2.0 * per_thread);
    EXPECT_EQ(g.value({}), threads * per_thread);
    EXPECT_EQ(h.count({"ap"}) + h.count({"reuters"}),
              static_cast<std::uint64_t>(threads * per_thread));
    const std::string text = r.render();
    EXPECT_NE(text.find("h_bucket{feed=\"ap\",le=\"0.5\"} 20000\n"), std::string::npos) << text;
    EXPECT_NE(text.find("h_sum{feed=\"ap\"} 25000\n"), std::string::npos) << text;
}

}  // namespace
