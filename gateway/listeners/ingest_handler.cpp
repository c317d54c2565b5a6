#include "listeners/ingest_handler.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <random>

#include "auth/authenticator.hpp"
#include "clock/wall_clock.hpp"
#include "config/feed_id.hpp"
#include "core/datetime.hpp"
#include "core/text.hpp"

namespace wire::listeners {
namespace {

using adapters::ascii_lower;

http::status to_status(int code) { return static_cast<http::status>(code); }

auth::auth_request auth_request_for(const http_request_header& h, const peer_info& peer,
                                    std::string_view body) {
    auth::auth_request ar{h[http::field::authorization], h["X-Wiregate-Timestamp"],
                          h["X-Wiregate-Signature"], body, wallclock::unix_s()};
    ar.cert_subject_cn = peer.cert_subject_cn;
    ar.cert_sha256 = peer.cert_sha256;
    ar.cert_required = peer.cert_required;
    return ar;
}

std::string_view auth_message(auth::auth_result a) {
    switch (a) {
        case auth::auth_result::missing_credentials:
            return "send Authorization: Bearer <the feed's API key>";
        case auth::auth_result::client_cert_required:
            return "this feed or listener requires a client certificate (mutual TLS)";
        case auth::auth_result::client_cert_mismatch:
            return "the client certificate is not one this feed accepts";
        case auth::auth_result::missing_signature:
        case auth::auth_result::bad_signature:
        case auth::auth_result::stale_timestamp:
            return "the request signature is missing, stale or not valid";
        default:
            return "the credentials are not valid for this feed";
    }
}

// The label unknown feeds are counted under: not a valid feed id, so no feed can own it.
constexpr std::string_view k_unknown_feed = "(unknown)";

// What a feed id nobody configured authenticates against: a feed with one random key nobody
// knows. Its answers (401 without credentials, 403 with any) are then those of a configured
// feed, so that strangers cannot list the feed ids by their answers.
const config::feed_config& stranger_feed() {
    static const config::feed_config f = [] {
        config::feed_config c;
        std::random_device rd;
        config::secret_ref key;
        for (int i = 0; i < 4; ++i) key.value += std::to_string(rd()) + "-";
        c.auth.api_keys.push_back(key);
        return c;
    }();
    return f;
}

// Credentials sent twice are ambiguous: which one a proxy checked and which one we would read
// could differ.
bool duplicate_credentials(const http_request_header& h) {
    return h.count(http::field::authorization) > 1 || h.count("X-Wiregate-Timestamp") > 1 ||
           h.count("X-Wiregate-Signature") > 1;
}

}  // namespace

std::string feed_id_from_target(std::string_view target) {
    constexpr std::string_view prefix = "/v1/feeds/", suffix = "/stories";
    auto q = target.find('?');
    if (q != std::string_view::npos) target = target.substr(0, q);
    if (target.size() <= prefix.size() + suffix.size() ||
        target.substr(0, prefix.size()) != prefix ||
        target.substr(target.size() - suffix.size()) != suffix)
        return {};
    auto id = target.substr(prefix.size(), target.size() - prefix.size() - suffix.size());
    return config::is_feed_id(id) ? std::string(id) : std::string();
}

bool acceptable_content_type(std::string_view ct) {
    std::string t = ascii_lower(ct.substr(0, ct.find(';')));
    while (!t.empty() && t.back() == ' ') t.pop_back();
    if (t.empty()) return true;
    if (t == "application/octet-stream" || t == "text/plain") return true;
    auto ends_with = [&](std::string_view s) {
        return t.size() >= s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0;
    };
    return ends_with("/xml") || ends_with("+xml") || ends_with("/json") || ends_with("+json");
}

ingest_handler::ingest_handler(ingest_context ctx, metrics::registry& r)
    : ctx_(std::move(ctx)),
      requests_(r.counter("wiregate_http_requests_total", "Ingest requests answered, per status",
                          {"code"})),
      auth_failures_(r.counter("wiregate_auth_failures_total",
                               "Ingest requests refused by authentication", {"feed", "reason"})),
      refused_(r.counter("wiregate_http_connections_refused_total",
                         "Ingest connections ended by the server before a whole request: "
                         "unparsable, over a size limit, too slow, over the connection cap",
                         {"reason"})),
      inflight_requests_gauge_(
          r.gauge("wiregate_inflight_requests", "Ingest requests being processed")),
      inflight_bytes_gauge_(r.gauge("wiregate_inflight_bytes",
                                    "Body bytes of ingest requests being read or processed")) {}

http_response ingest_handler::refuse(const http_request_header& h, http::status status,
                                     std::string_view code, std::string_view message,
                                     std::uint32_t retry_after) {
    requests_.inc({std::to_string(static_cast<int>(status))});
    return json_response(status, error_body(code, message), h.version(), retry_after);
}

const config::feed_config* ingest_handler::feed_for(const config::gateway_config& cfg,
                                                    const http_request_header& h,
                                                    std::optional<http_response>& answer) {
    std::string id = feed_id_from_target(h.target());
    if (id.empty()) {
        answer = refuse(h, http::status::not_found, "not_found",
                        "no such endpoint; POST /v1/feeds/{feed}/stories");
        return nullptr;
    }
    if (h.method() != http::verb::post) {
        answer = refuse(h, http::status::method_not_allowed, "method_not_allowed", "use POST");
        answer->set(http::field::allow, "POST");
        return nullptr;
    }
    if (const auto* feed = cfg.find_feed(id)) return feed;
    // Refused exactly as a configured feed refuses credentials that are not its own.
    auto a = auth::authenticate(stranger_feed(), auth_request_for(h, {}, {}));
    if (a == auth::auth_result::ok) a = auth::auth_result::bad_credentials;
    auth_failures_.inc({std::string(k_unknown_feed), std::string(auth::to_string(a))});
    answer = refuse(h, to_status(auth::http_status(a)), auth::to_string(a), auth_message(a));
    return nullptr;
}

std::string ingest_handler::budget_key(const http_request_header& h) {
    return feed_id_from_target(h.target());
}

bool ingest_handler::reserve_body(const std::string& feed, const peer_info& peer,
                                  std::size_t bytes) {
    const auto cfg = ctx_.config();
    const auto& l = cfg->limits;
    const byte_limits limits{l.max_inflight_bytes, l.max_inflight_bytes_per_feed,
                             l.max_inflight_bytes_per_address, l.inflight_bytes_floor_per_feed,
                             cfg->feeds.size()};
    if (!budget_.reserve(feed, peer.address, bytes, limits)) return false;
    inflight_bytes_gauge_.add({}, static_cast<double>(bytes));
    return true;
}

void ingest_handler::release_body(const std::string& feed, const peer_info& peer,
                                  std::size_t bytes) {
    budget_.release(feed, peer.address, bytes);
    inflight_bytes_gauge_.add({}, -static_cast<double>(bytes));
}

http_response ingest_handler::over_budget(const http_request_header& h) {
    return refuse(h, http::status::too_many_requests, "over_capacity",
                  "too much in flight; retry later", ctx_.config()->limits.retry_after_seconds);
}

void ingest_handler::on_connection_refused(int status, std::string_view reason) {
    if (status > 0) requests_.inc({std::to_string(status)});
    refused_.inc({std::string(reason)});
}

std::optional<http_response> ingest_handler::on_header(const http_request_header& h,
                                                       const peer_info& peer) {
    // Transfer codings other than a plain "chunked" (gzip, "chunked, gzip", "identity", …) are
    // not read; Beast would take the body as empty and the coded bytes as the next request,
    // which is how requests are smuggled past a proxy that reads it another way.
    if (auto te = h.find(http::field::transfer_encoding); te != h.end()) {
        if (ascii_lower(te->value()) != "chunked" || h.count(http::field::transfer_encoding) > 1) {
            refused_.inc({"transfer_encoding"});
            return refuse(h, http::status::not_implemented, "unsupported_transfer_encoding",
                          "only Transfer-Encoding: chunked is read");
        }
    }
    if (duplicate_credentials(h)) {
        refused_.inc({"duplicate_credentials"});
        return refuse(
            h, http::status::bad_request, "duplicate_credentials",
            "send Authorization, X-Wiregate-Timestamp and X-Wiregate-Signature once each");
    }
    auto cfg = ctx_.config();
    std::optional<http_response> answer;
    const auto* feed = feed_for(*cfg, h, answer);
    if (!feed) return answer;
    const auto& limits = cfg->limits;
    // The key is checked first, before anything else about the request is answered (a stranger
    // learns nothing of a feed) and before the body is read (strangers cannot make us buffer
    // megabytes); the signature, which needs the body, is checked in on_request().
    config::feed_config key_only = *feed;
    key_only.auth.hmac.reset();
    auto a = auth::authenticate(key_only, auth_request_for(h, peer, {}));
    if (a != auth::auth_result::ok) {
        auth_failures_.inc({feed->id, std::string(auth::to_string(a))});
        return refuse(h, to_status(auth::http_status(a)), auth::to_string(a), auth_message(a));
    }
    if (!acceptable_content_type(h[http::field::content_type]))
        return refuse(h, http::status::unsupported_media_type, "unsupported_media_type",
                      "Content-Type must be XML, JSON, text/plain or application/octet-stream");
    if (auto cl = h.find(http::field::content_length); cl != h.end()) {
        const auto declared =
            static_cast<std::size_t>(std::strtoull(std::string(cl->value()).c_str(), nullptr, 10));
        if (declared > limits.max_body_bytes)
            return refuse(h, http::status::payload_too_large, "too_large",
                          "the body exceeds the limit of " + std::to_string(limits.max_body_bytes) +
                              " bytes");
    }
    if (auto why = ctx_.unavailable(); !why.empty())
        return refuse(h, http::status::service_unavailable, "unavailable", why,
                      limits.retry_after_seconds);
    // Body bytes are charged to the feed's and the address's budgets as they arrive (a length
    // declared is not memory held): only the number of requests is checked here.
    if (inflight_requests_.load() >= limits.max_inflight_requests)
        return refuse(h, http::status::too_many_requests, "over_capacity",
                      "too much in flight; retry later", limits.retry_after_seconds);
    return std::nullopt;
}

void ingest_handler::on_request(http_request req, const peer_info& peer,
                                std::function<void(http_response)> reply) {
    auto cfg = ctx_.config();
    std::optional<http_response> answer;
    const auto* feed = feed_for(*cfg, req.base(), answer);
    if (!feed) return reply(std::move(*answer));
    if (auto a = auth::authenticate(*feed, auth_request_for(req.base(), peer, req.body()));
        a != auth::auth_result::ok) {
        auth_failures_.inc({feed->id, std::string(auth::to_string(a))});
        return reply(refuse(req.base(), to_status(auth::http_status(a)), auth::to_string(a),
                            auth_message(a)));
    }
    const auto idempotency_key = req["Idempotency-Key"];
    if (idempotency_key.size() > 255)
        return reply(refuse(req.base(), http::status::bad_request, "bad_idempotency_key",
                            "the Idempotency-Key header is longer than 255 characters"));
    // The body's bytes stay charged to the budget (reserve_body) until the answer is written.
    inflight_requests_.fetch_add(1);
    inflight_requests_gauge_.add({}, 1);

    pipeline::submission sub;
    sub.feed = feed;
    sub.content_type = std::string(req[http::field::content_type]);
    sub.body = std::move(req.body());
    sub.received_at = wallclock::now_rfc3339_ms();
    sub.source = pipeline::source_kind::http;
    sub.peer = peer.address;
    sub.idempotency_key = std::string(idempotency_key);
    const unsigned version = req.version();
    const std::uint32_t retry_after = cfg->limits.retry_after_seconds;
    // `cfg` is kept alive by the completion: a SIGHUP reload must not free the feed under us.
    ctx_.pipeline->submit(std::move(sub), [this, cfg, feed_id = feed->id, version, retry_after,
                                           reply = std::move(reply)](pipeline::outcome o) {
        inflight_requests_.fetch_sub(1);
        inflight_requests_gauge_.add({}, -1);
        requests_.inc({std::to_string(o.http_status)});
        reply(json_response(to_status(o.http_status), o.to_json(feed_id), version,
                            o.http_status == 503 ? retry_after : 0));
    });
}

}  // namespace wire::listeners
