#include "listeners/admin_handler.hpp"

#include "core/json_writer.hpp"

namespace wire::listeners {

void admin_handler::on_request(http_request req, const std::string&,
                               std::function<void(http_response)> reply) {
    std::string_view target = req.target();
    target = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return reply(json_response(http::status::method_not_allowed,
                                   error_body("method_not_allowed", "use GET"), req.version()));
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
    if (target == "/metrics") {
        http_response r{http::status::ok, req.version()};
        r.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
        r.body() = registry_.render();
        r.prepare_payload();
        return reply(std::move(r));
    }
    reply(json_response(http::status::not_found,
                        error_body("not_found", "GET /healthz, /readyz or /metrics"),
                        req.version()));
}

}  // namespace wire::listeners
