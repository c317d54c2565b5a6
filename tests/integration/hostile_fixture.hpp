#pragma once
// The base of the hostile-input catalogue (hostile_*_test.cpp, suites Hostile*): the gateway in
// process with a JSON feed "f" (ninjs), an XML feed "x" (NITF) and an HMAC-signed feed "s",
// short read and idle timeouts, and helpers to read the metric that counts a refusal and the
// dead letter it leaves on the rejected topic. tests/README.md has the catalogue's table.
#include <atomic>
#include <string>

#include "gateway_fixture.hpp"
#include "raw_http.hpp"

namespace wire::testing {

class hostile_test : public gateway_test {
  protected:
    void SetUp() override {
        make();
        add_feed(cfg_, "f", "ninjs");
        add_feed(cfg_, "x", "nitf");
        auto& s = add_feed(cfg_, "s", "ninjs");
        s.auth.hmac.emplace();
        s.auth.hmac->secret.value = "hostile-secret";
        s.auth.hmac->window_seconds = 300;
        cfg_.limits.read_timeout_ms = 1000;
        cfg_.limits.idle_timeout_ms = 1000;
        cfg_.limits.max_header_bytes = 8192;
        cfg_.limits.max_body_bytes = 12u << 20;
    }

    /// One sample from the gateway's metrics (0 when absent).
    double metric(const std::string& series) {
        return metric_value(svc_->registry().render(), series);
    }
    /// The same, scraped from GET /metrics on the admin port.
    double scraped(const std::string& series) {
        http_client admin(svc_->admin_port());
        return metric_value(admin.request("GET", "/metrics", "").body, series);
    }
    double requests(int code) {
        return metric("wiregate_http_requests_total{code=\"" + std::to_string(code) + "\"}");
    }
    double refused(const std::string& reason) {
        return metric("wiregate_http_connections_refused_total{reason=\"" + reason + "\"}");
    }
    double rejected(const std::string& feed, const std::string& reason) {
        return metric("wiregate_stories_rejected_total{feed=\"" + feed + "\",reason=\"" + reason +
                      "\"}");
    }
    /// Items the pipeline read for a feed: 0 means the request never got past the listener,
    /// so it cannot have left a story or a dead letter.
    double received(const std::string& feed) {
        return metric("wiregate_stories_received_total{feed=\"" + feed + "\"}");
    }

    /// The one dead letter a refusal leaves; checks its raw bytes and reason headers.
    consumed_message expect_dead_letter(const std::string& raw, const std::string& feed,
                                        const std::string& reason) {
        auto msgs = consume(cfg_.kafka.brokers, topics_.rejected, 1, std::chrono::seconds(30));
        EXPECT_EQ(msgs.size(), 1u) << "no dead letter";
        if (msgs.empty()) return {};
        const auto& m = msgs.front();
        const std::size_t cut = 900u << 10;
        EXPECT_EQ(m.value.size(), std::min(raw.size(), cut));
        EXPECT_TRUE(m.value == raw.substr(0, cut)) << "the dead letter is not the raw bytes";
        EXPECT_EQ(header(m.headers, "wiregate-reason"), reason);
        EXPECT_EQ(header(m.headers, "wiregate-feed"), feed);
        EXPECT_EQ(header(m.headers, "wiregate-raw-bytes"), std::to_string(raw.size()));
        EXPECT_EQ(header(m.headers, "wiregate-source"), "http");
        EXPECT_EQ(header(m.headers, "wiregate-truncated"), raw.size() > cut ? "true" : "");
        EXPECT_FALSE(header(m.headers, "wiregate-message").empty());
        return m;
    }
};

/// A valid ninjs story with a uri no other test used.
inline std::string ninjs_story(const std::string& headline = "Hostile catalogue story",
                               const std::string& extra_fields = "") {
    static std::atomic<int> n{0};
    return "{\"uri\":\"urn:hostile:" + std::to_string(::getpid()) + ":" + std::to_string(++n) +
           "\",\"version\":\"1\",\"versioncreated\":\"2026-11-28T10:00:00Z\",\"headlines\":[{"
           "\"role\":\"main\",\"value\":\"" +
           headline +
           "\"}],\"bodies\":[{\"role\":\"main\",\"contenttype\":\"text/plain\","
           "\"value\":\"Body text of the story.\"}]" +
           extra_fields + "}";
}

/// A valid NITF document; `doctype` goes before the root, `text` into a paragraph (XML as is).
inline std::string nitf_story(const std::string& doctype = "", const std::string& text = "Text.") {
    static std::atomic<int> n{0};
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + doctype +
           "<nitf><head><docdata management-status=\"usable\"><doc-id id-string=\"hostile-" +
           std::to_string(::getpid()) + "-" + std::to_string(++n) +
           "\"/><date.issue norm=\"20261128T100000Z\"/></docdata></head><body><body.head>"
           "<hedline><hl1>Hostile NITF</hl1></hedline></body.head><body.content><p>" +
           text + "</p></body.content></body></nitf>";
}

}  // namespace wire::testing
