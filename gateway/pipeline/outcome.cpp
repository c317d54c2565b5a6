// The JSON answer of POST /v1/feeds/{feed}/stories (docs/http-api.md).
#include "core/json_writer.hpp"
#include "pipeline/pipeline.hpp"

namespace wire::pipeline {

std::string_view to_string(item_status s) noexcept {
    switch (s) {
        case item_status::published:
            return "published";
        case item_status::spooled:
            return "spooled";
        case item_status::held:
            return "held";
        case item_status::duplicate:
            return "duplicate";
        case item_status::conflict:
            return "conflict";
        case item_status::rejected:
            return "rejected";
        case item_status::failed:
            return "failed";
    }
    return "failed";
}

std::string outcome::to_json(const std::string& feed) const {
    adapters::json_writer w;
    w.begin_object();
    w.key("feed").value(feed);
    w.field("format", format);
    w.key("items").begin_array();
    for (const auto& it : items) {
        w.begin_object();
        w.field("uri", it.uri);
        w.field("version", it.version);
        w.field("signal", it.signal);
        w.field("headline", it.headline);
        w.key("status").value(to_string(it.status));
        if (!it.topics.empty()) {
            w.key("topics").begin_array();
            for (const auto& t : it.topics) {
                w.begin_object();
                w.key("topic").value(t.topic);
                w.key("partition").value(static_cast<std::int64_t>(t.partition));
                w.key("offset").value(t.offset);
                w.end_object();
            }
            w.end_array();
        }
        if (!it.error_code.empty()) {
            w.key("error").begin_object();
            w.key("code").value(it.error_code);
            w.field("message", it.error_message);
            w.end_object();
        }
        w.end_object();
    }
    w.end_array();
    w.end_object();
    return w.take();
}

}  // namespace wire::pipeline
