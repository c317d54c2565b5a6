#include "pipeline/messages.hpp"

#include <algorithm>
#include <cctype>

#include "core/normalize.hpp"
#include "core/text.hpp"

namespace wire::pipeline {

std::string kafka_key(const adapters::story& s) { return s.wire.agency + ":" + s.uri; }

std::vector<producer::outgoing_message> story_messages(const adapters::story& s,
                                                       const std::vector<std::string>& topics) {
    producer::outgoing_message base;
    base.key = kafka_key(s);
    base.value = adapters::envelope_json(s);
    base.headers = {
        {"agency", s.wire.agency},
        {"feed", s.wire.feed},
        {"format", s.wire.format},
        {"signal", std::string(adapters::to_string(s.wire.signal))},
        {"urgency", s.urgency ? std::to_string(*s.urgency) : std::string()},
        {"version", s.version},
        {"schema", "wiregate.story/1"},
        {"content-type", "application/json"},
    };
    std::vector<producer::outgoing_message> out;
    out.reserve(topics.size());
    for (std::size_t i = 0; i < topics.size(); ++i) {
        out.push_back(i + 1 == topics.size() ? std::move(base) : base);
        out.back().topic = topics[i];
    }
    return out;
}

std::size_t message_bytes(const producer::outgoing_message& m) {
    std::size_t n = m.key.size() + m.value.size();
    for (const auto& [k, v] : m.headers) n += k.size() + v.size();
    return n;
}

producer::outgoing_message dead_letter(const submission& s, const std::string& raw_sha256,
                                       const std::string& format, std::size_t index,
                                       const std::string& code, const std::string& message,
                                       const adapters::adapter_error* err, const std::string& topic,
                                       bool with_raw) {
    producer::outgoing_message m;
    m.topic = topic;
    m.key = s.feed->id + ":" + raw_sha256;
    const bool cut = with_raw && s.body.size() > k_dead_letter_max_bytes;
    if (with_raw) m.value = cut ? s.body.substr(0, k_dead_letter_max_bytes) : s.body;
    m.headers = {
        {"wiregate-reason", code},
        {"wiregate-message", message},
        {"wiregate-feed", s.feed->id},
        {"wiregate-agency", s.feed->agency},
        {"wiregate-format", format},
        {"wiregate-item", std::to_string(index)},
        {"wiregate-source", s.source == source_kind::http ? "http" : "stream"},
        {"wiregate-received-at", s.received_at},
        {"wiregate-raw-bytes", std::to_string(s.body.size())},
        {"wiregate-raw-sha256", raw_sha256},
        {"content-type", s.content_type.empty() ? "application/octet-stream" : s.content_type},
    };
    if (err && err->offset) m.headers.emplace_back("wiregate-offset", std::to_string(*err->offset));
    if (err && !err->path.empty()) m.headers.emplace_back("wiregate-path", err->path);
    if (cut) m.headers.emplace_back("wiregate-truncated", "true");
    if (!with_raw) m.headers.emplace_back("wiregate-raw", "omitted");
    return m;
}

std::string charset_from_content_type(std::string_view ct) {
    auto pos = adapters::ascii_lower(ct).find("charset=");
    if (pos == std::string::npos) return {};
    std::string_view v = ct.substr(pos + 8);
    v = v.substr(0, v.find(';'));
    while (!v.empty() && (v.front() == ' ' || v.front() == '"')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '"')) v.remove_suffix(1);
    return std::string(v);
}

}  // namespace wire::pipeline
