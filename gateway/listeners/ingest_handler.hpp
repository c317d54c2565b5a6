#pragma once
// ingest_handler: POST /v1/feeds/{feed}/stories (docs/http-api.md). Checks, before the
// body is read where possible: path and method, credentials sent once, the client certificate
// (mTLS) and the API key (a feed nobody configured is refused as a configured one refuses a key
// that is not its own), then the content type, the declared size and capacity (429/503 with
// Retry-After); while the body arrives: the byte budgets of its feed and address; after it: the
// HMAC signature. Then it hands the document to the pipeline and answers with its outcome.
#include <atomic>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "listeners/http_server.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/pipeline.hpp"

namespace wire::listeners {

/// What the handler asks of the service, each call returning the current state.
struct ingest_context {
    std::function<std::shared_ptr<const config::gateway_config>()> config;
    pipeline::pipeline* pipeline = nullptr;
    /// "" when the gateway can take work, else why not (draining, producer down, queue full).
    std::function<std::string()> unavailable;
};

class ingest_handler final : public http_handler {
  public:
    ingest_handler(ingest_context ctx, metrics::registry& registry);
    std::optional<http_response> on_header(const http_request_header& h,
                                           const peer_info& peer) override;
    void on_request(http_request req, const peer_info& peer,
                    std::function<void(http_response)> reply) override;
    void on_connection_refused(int status, std::string_view reason) override;
    std::string budget_key(const http_request_header& h) override;  // the feed id
    // Against limits.max_inflight_bytes{,_per_feed,_per_address}, with each feed's floor.
    bool reserve_body(const std::string& feed, const peer_info& peer, std::size_t bytes) override;
    void release_body(const std::string& feed, const peer_info& peer, std::size_t bytes) override;
    http_response over_budget(const http_request_header& h) override;

    std::size_t inflight_requests() const { return inflight_requests_.load(); }
    std::size_t inflight_bytes() const { return budget_.held(); }

  private:
    // The feed a request targets, or an answer saying why there is none.
    const config::feed_config* feed_for(const config::gateway_config& cfg,
                                        const http_request_header& h,
                                        std::optional<http_response>& answer);
    http_response refuse(const http_request_header& h, http::status status, std::string_view code,
                         std::string_view message, std::uint32_t retry_after = 0);

    ingest_context ctx_;
    std::atomic<std::size_t> inflight_requests_{0};
    byte_budget budget_;
    metrics::counter_family& requests_;       // {code}
    metrics::counter_family& auth_failures_;  // {feed, reason}
    metrics::counter_family& refused_;        // {reason}: connections the server ended
    metrics::gauge_family& inflight_requests_gauge_;
    metrics::gauge_family& inflight_bytes_gauge_;
};

/// The feed id of "/v1/feeds/{feed}/stories", or "" when the target is not of that shape or
/// the id is not a plain feed id (no percent-escapes, dots-only segments or slashes).
std::string feed_id_from_target(std::string_view target);

/// Whether a Content-Type is one we read (XML, JSON, telex text, octet-stream; "" = sniff).
bool acceptable_content_type(std::string_view content_type);

}  // namespace wire::listeners
