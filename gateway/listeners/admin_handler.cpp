#include "listeners/admin_handler.hpp"

#include <algorithm>
#include <array>

#include "core/json_writer.hpp"

namespace wire::listeners {
namespace {

constexpr std::array<std::string_view, 3> k_paths{"/healthz", "/readyz", "/metrics"};

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

std::optional<http_response> admin_handler::on_header(const http_request_header& h,
                                                      const peer_info&) {
    // Decided before any body is read: the admin port changes nothing, so it reads no bodies.
    const auto path = path_of(h.target());
    if (std::find(k_paths.begin(), k_paths.end(), path) == k_paths.end())
        return json_response(http::status::not_found,
                             error_body("not_found", "GET /healthz, /readyz or /metrics"),
                             h.version());
    if (h.method() != http::verb::get && h.method() != http::verb::head) {
        auto r = json_response(
            http::status::method_not_allowed,
            error_body("method_not_allowed", "the admin port is read-only: use GET or HEAD"),
            h.version());
        r.set(http::field::allow, "GET, HEAD");
        return r;
    }
    return std::nullopt;
}

void admin_handler::on_request(http_request req, const peer_info&,
                               std::function<void(http_response)> reply) {
    const auto target = path_of(req.target());
    if (target == "/healthz")
        return reply(json_response(http::status::ok, R"({"status":"ok"})", req.version()));
    if (target == "/readyz") {
        auto reasons = not_ready_();
        adapters::json_writer w;
        w.begin_object().key("status").value(reasons.empty() ? "ready" : "not_ready");
        w.key("reasons").begin_array();
        for (const auto& r : reasons) w.value(r);
        w.end_array().end_object();
        return reply(json_response(reasons.empty() ? http::status::ok
                                                   : http::status::service_unavailable,
                                   w.take(), req.version()));
    }
    // on_header() let only the three paths through.
    http_response r{http::status::ok, req.version()};
    r.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    r.set(http::field::cache_control, "no-store");
    r.body() = registry_.render();
    r.prepare_payload();
    reply(std::move(r));
}

}  // namespace wire::listeners
