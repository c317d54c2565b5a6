// The spool and dedup sections: what makes "2xx" mean "in Kafka, or safely on our disk".
#include "config/config_checks.hpp"

namespace wire::config::detail {

void read_spool(load_context& ctx, const YAML::Node& node, spool_config& out) {
    map_reader m(ctx.sink, node, "spool");
    if (!m.valid()) return;
    if (m.string("dir", out.dir, /*required=*/true)) {
        if (out.dir.empty()) {
            ctx.sink.add(m.key_path("dir"), "must not be empty");
        } else {
            // Relative to the config file, like every other path in it.
            std::filesystem::path p(out.dir);
            if (p.is_relative()) out.dir = (ctx.base_dir / p).lexically_normal().string();
        }
    }
    m.integer("max_bytes", out.max_bytes, 1 << 20);
    m.integer("segment_bytes", out.segment_bytes, 1 << 16);
    if (m.string("fsync", out.fsync) && out.fsync != "always" && out.fsync != "interval" &&
        out.fsync != "never")
        ctx.sink.add(m.key_path("fsync"), "unknown fsync policy " + quote(out.fsync) +
                                              "; expected one of always, interval, never");
    m.integer("fsync_interval_ms", out.fsync_interval_ms, 1, k_max_ms);
    m.integer("ack_wait_ms", out.ack_wait_ms, 1, k_max_ms);
    m.finish();
    if (out.segment_bytes > out.max_bytes)
        ctx.sink.add("spool.segment_bytes", "must not exceed spool.max_bytes");
}

void read_dedup(load_context& ctx, const YAML::Node& node, dedup_config& out) {
    map_reader m(ctx.sink, node, "dedup");
    if (!m.valid()) return;
    m.boolean("enabled", out.enabled);
    m.integer("window_hours", out.window_hours, 1, 24 * 365);
    m.integer("max_entries", out.max_entries, 1000, 100000000);
    m.finish();
}

}  // namespace wire::config::detail
