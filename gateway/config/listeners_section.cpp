// The listeners section: HTTP(S) ingest, admin and TCP stream listeners.
#include <algorithm>

#include "config/config_checks.hpp"

namespace wire::config::detail {
namespace {

const std::vector<std::string> k_framings{"anpa1312", "iptc7901", "zczc"};
const std::vector<std::string> k_client_auth{"none", "optional", "required"};

void read_address(map_reader& m, std::string& out) {
    if (m.string("address", out) && !is_ip_address(out))
        m.sink().add(m.key_path("address"),
                     quote(out) + " is not an IP address (such as 127.0.0.1, 0.0.0.0 or ::)");
}

void read_http(load_context& ctx, const YAML::Node& node, const std::string& path,
               http_listener_config& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    if (m.string("name", out.name) && !is_feed_id(out.name))
        ctx.sink.add(m.key_path("name"),
                     quote(out.name) + " is not a valid name ([a-z0-9][a-z0-9._-]{0,63})");
    read_address(m, out.address);
    // A bad port is left at 0 ("any"), so that it does not also clash with another listener.
    if (!m.integer("port", out.port, 0, 65535, /*required=*/true)) out.port = 0;
    if (const auto* tls = m.get("tls")) {
        map_reader t(ctx.sink, *tls, m.key_path("tls"));
        tls_config cfg;
        if (t.string("cert_file", cfg.cert_file, true))
            cfg.cert_file = check_readable_file(ctx, cfg.cert_file, t.key_path("cert_file"));
        if (t.string("key_file", cfg.key_file, true))
            cfg.key_file = check_readable_file(ctx, cfg.key_file, t.key_path("key_file"));
        if (t.string("client_ca_file", cfg.client_ca_file))
            cfg.client_ca_file =
                check_readable_file(ctx, cfg.client_ca_file, t.key_path("client_ca_file"));
        std::string mode;
        if (t.string("client_auth", mode)) {
            if (mode == "optional")
                cfg.client_auth = client_auth_mode::optional;
            else if (mode == "required")
                cfg.client_auth = client_auth_mode::required;
            else if (mode != "none")
                ctx.sink.add(t.key_path("client_auth"), "unknown client_auth " + quote(mode) +
                                                            "; expected " + one_of(k_client_auth));
        }
        // Explicit both ways: a CA file that is never used, or client certificates asked for
        // with nothing to check them against, is a mistake rather than a default.
        if (cfg.client_auth != client_auth_mode::none && cfg.client_ca_file.empty() && t.valid())
            ctx.sink.add(t.key_path("client_ca_file"),
                         "client_auth " + mode +
                             " needs client_ca_file (the CAs that sign client "
                             "certificates)");
        if (cfg.client_auth == client_auth_mode::none && !cfg.client_ca_file.empty())
            ctx.sink.add(t.key_path("client_auth"),
                         "client_ca_file is set but client_auth is none: set optional or "
                         "required, or remove client_ca_file");
        t.finish();
        out.tls = cfg;
    }
    m.finish();
}

void read_stream(load_context& ctx, const YAML::Node& node, const std::string& path,
                 stream_listener_config& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    // Checked against feeds by check_config.
    if (m.string("feed", out.feed, true) && out.feed.empty())
        ctx.sink.add(m.key_path("feed"), "must not be empty");
    read_address(m, out.address);
    if (!m.integer("port", out.port, 0, 65535, /*required=*/true)) out.port = 0;
    if (m.string("framing", out.framing, true) &&
        std::find(k_framings.begin(), k_framings.end(), out.framing) == k_framings.end())
        ctx.sink.add(m.key_path("framing"),
                     "unknown framing " + quote(out.framing) + "; expected " + one_of(k_framings));
    if (m.string_list("allow_from", out.allow_from)) {
        for (std::size_t i = 0; i < out.allow_from.size(); ++i) {
            const auto& cidr = out.allow_from[i];
            if (!cidr.empty() && !is_cidr(cidr))
                ctx.sink.add(index_path(m.key_path("allow_from"), i),
                             quote(cidr) +
                                 " is not a CIDR block or address (such as 10.0.0.0/8, ::1/128 or "
                                 "192.0.2.7)");
        }
    }
    m.integer("max_frame_bytes", out.max_frame_bytes, 1, std::int64_t{1} << 30);
    m.integer("idle_timeout_ms", out.idle_timeout_ms, 1, k_max_ms);
    m.integer("frame_idle_timeout_ms", out.frame_idle_timeout_ms, 1, k_max_ms);
    m.finish();
}

}  // namespace

void read_listeners(load_context& ctx, const YAML::Node& node, gateway_config& cfg) {
    map_reader m(ctx.sink, node, "listeners");
    if (!m.valid()) return;
    m.list("http", [&](const YAML::Node& n, const std::string& p) {
        read_http(ctx, n, p, cfg.http.emplace_back());
    });
    if (const auto* admin = m.get("admin")) {
        map_reader a(ctx.sink, *admin, m.key_path("admin"));
        read_address(a, cfg.admin.address);
        a.integer("port", cfg.admin.port, 0, 65535);
        a.boolean("allow_remote", cfg.admin.allow_remote);
        a.finish();
    }
    m.list("streams", [&](const YAML::Node& n, const std::string& p) {
        read_stream(ctx, n, p, cfg.streams.emplace_back());
    });
    m.finish();
}

}  // namespace wire::config::detail
