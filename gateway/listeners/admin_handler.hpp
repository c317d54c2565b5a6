#pragma once
// admin_handler: the operations port. GET /healthz (the process is alive and serving),
// GET /readyz (it can take work: 200, or 503 with the reasons), GET /metrics (Prometheus text).
// Read-only: GET and HEAD only (405 with Allow otherwise, decided before any body is read),
// 404 for any other path. It binds to loopback unless listeners.admin.allow_remote is set.
#include <functional>
#include <string>
#include <vector>

#include "listeners/http_server.hpp"
#include "metrics/metrics.hpp"

namespace wire::listeners {

class admin_handler final : public http_handler {
  public:
    /// `not_ready` returns the reasons the gateway is not ready (empty = ready).
    admin_handler(metrics::registry& registry, std::function<std::vector<std::string>()> not_ready)
        : registry_(registry), not_ready_(std::move(not_ready)) {}
    std::optional<http_response> on_header(const http_request_header& h,
                                           const peer_info& peer) override;
    void on_request(http_request req, const peer_info& peer,
                    std::function<void(http_response)> reply) override;

  private:
    metrics::registry& registry_;
    std::function<std::vector<std::string>()> not_ready_;
};

}  // namespace wire::listeners
