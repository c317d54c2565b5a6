// libFuzzer target: the bytes a client sends on one HTTP connection, read the way an
// http_server session reads them (Beast's request_parser with apply_limits(), read_header, the
// handler's on_header, the body, on_request, keep-alive for the next request) and answered by
// the real handler. WIREGATE_FUZZ_HTTP selects it:
//   ingest  ingest_handler on deploy/config/local.yaml: routing of the target, feed lookup,
//           Bearer and HMAC authentication, Content-Type, Idempotency-Key (a memory-only dedup
//           window), then the real pipeline: normalise, dedup, route, plan, build the Kafka
//           messages. It stops there: the delivery stage is a stand-in that checks each item
//           (a story message has a topic and a JSON envelope, a dead letter its reason; the
//           spool codec reads back what it writes) and answers "published" (or "held" for a
//           later embargo) at once. Nothing reaches Kafka or a spool.
//   admin   admin_handler (/healthz, /readyz, /metrics).
// Invariants (any break is __builtin_trap(), a finding): no crash, leak or UB; every request
// that parses is answered exactly once, before on_request returns (nothing is asynchronous
// without a producer); none is left in flight; every answer has a status the handler documents and
// a JSON body (but /metrics); and the answers do not depend on how the bytes were cut into reads
// (the connection is replayed reading 7 bytes at a time, on a fresh dedup window).
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>

#include "config/config.hpp"
#include "dedup/dedup_store.hpp"
#include "listeners/admin_handler.hpp"
#include "listeners/http_server.hpp"
#include "listeners/ingest_handler.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/delivery.hpp"
#include "pipeline/pipeline.hpp"
#include "routing/router.hpp"

namespace {

const wire::listeners::peer_info k_peer{"127.0.0.1", "", "", false};

namespace asio = boost::asio;
namespace beast = boost::beast;
using namespace wire;
using namespace wire::listeners;

constexpr std::string_view k_mode = WIREGATE_FUZZ_HTTP;
constexpr unsigned k_read_refusal = 1000;  // in answers(): the request could not be read

// A broken invariant: say which, then trap (libFuzzer saves the input).
#define check(ok)                                                                            \
    do {                                                                                     \
        if (!(ok)) {                                                                         \
            std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", #ok, __FILE__, __LINE__); \
            __builtin_trap();                                                                \
        }                                                                                    \
    } while (0)

// A SyncReadStream over the fuzz input: at most `max_read` bytes a read, as a socket hands them
// out, then end of stream (the client closed).
class input_stream {
  public:
    input_stream(std::string_view bytes, std::size_t max_read) : rest_(bytes), max_(max_read) {}
    template <class Buffers>
    std::size_t read_some(const Buffers& buffers, boost::system::error_code& ec) {
        if (rest_.empty()) {
            ec = asio::error::eof;
            return 0;
        }
        ec = {};
        auto n =
            asio::buffer_copy(buffers, asio::buffer(rest_.data(), std::min(rest_.size(), max_)));
        rest_.remove_prefix(n);
        return n;
    }
    template <class Buffers>
    std::size_t read_some(const Buffers& buffers) {
        boost::system::error_code ec;
        auto n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }

  private:
    std::string_view rest_;
    std::size_t max_;
};

bool json(std::string_view body) {
    static simdjson::dom::parser parser;
    simdjson::dom::element doc;
    return parser.parse(body.data(), body.size()).get(doc) == simdjson::SUCCESS;
}

const std::string* header(const producer::outgoing_message& m, std::string_view name) {
    for (const auto& [k, v] : m.headers)
        if (k == name) return &v;
    return nullptr;
}

// Where the pipeline stops: checks what it would spool and produce, and accepts it at once.
class accepting_delivery final : public pipeline::delivery {
  public:
    using delivery::delivery;
    void deliver(pipeline::spooled_item item, std::int64_t not_before_ms,
                 pipeline::delivery_done done) override {
        check(!item.messages.empty());
        pipeline::delivery_result r;
        r.status = not_before_ms > 0 ? "held" : "published";
        for (const auto& m : item.messages) {
            // A story's envelope is JSON; a dead letter carries the raw bytes and its reason.
            check(!m.topic.empty());
            if (item.dedup_id.empty() && m.topic == "wire.rejected")
                check(header(m, "wiregate-reason") && !header(m, "wiregate-reason")->empty());
            else
                check(header(m, "schema") && json(m.value));
            if (r.status == "published") r.topics.push_back({m.topic, 0, offset_++});
        }
        auto back = pipeline::decode(pipeline::encode(item));
        check(back && back->feed == item.feed && back->dedup_id == item.dedup_id &&
              back->uri == item.uri && back->version == item.version &&
              back->messages.size() == item.messages.size());
        for (std::size_t i = 0; i < item.messages.size(); ++i) {
            const auto &a = back->messages[i], &b = item.messages[i];
            check(a.topic == b.topic && a.key == b.key && a.value == b.value &&
                  a.headers == b.headers);
        }
        done(std::move(r));
    }

  private:
    std::int64_t offset_ = 0;
};

// The gateway around the handler: loaded once, as `wiregate serve` would from local.yaml.
struct gateway {
    metrics::registry registry;
    std::shared_ptr<const config::gateway_config> cfg;
    std::shared_ptr<const routing::router> router;
    std::unique_ptr<pipeline::delivery> deliver;
    http_server_limits limits;

    gateway() {
        spdlog::set_level(spdlog::level::off);  // the pipeline logs every item
        auto loaded = config::load_config(WIREGATE_SOURCE_DIR "/deploy/config/local.yaml");
        check(loaded.config.has_value());
        auto c = std::make_shared<config::gateway_config>(std::move(*loaded.config));
        // Limits a fuzz input can reach (the shipped 16 MiB body would never be hit).
        c->limits.max_body_bytes = 32u << 10;
        c->limits.max_header_bytes = 4u << 10;
        // Signed seeds carry a fixed timestamp: the window must keep them valid for good.
        for (auto& f : c->feeds)
            if (f.auth.hmac) f.auth.hmac->window_seconds = 0xFFFFFFFFu;
        // One feed that sniffs the format, so every adapter is reachable, and holds embargoes.
        config::feed_config any = *c->find_feed("ninjs");
        any.id = "any";
        any.format = "auto";
        any.embargo = "hold";
        any.auth.api_keys.front().value = "dev-any-key";
        c->feeds.push_back(std::move(any));
        cfg = c;
        router = std::make_shared<routing::router>(cfg->routing);
        deliver = std::make_unique<accepting_delivery>(pipeline::delivery_deps{}, registry);
        limits = {cfg->limits.max_header_bytes, cfg->limits.max_body_bytes,
                  cfg->limits.read_timeout_ms, cfg->limits.idle_timeout_ms,
                  cfg->limits.max_connections};
    }
};

gateway& the_gateway() {
    static gateway g;
    return g;
}

bool documented(unsigned status) {
    static constexpr unsigned ingest[] = {200, 207, 400, 401, 403, 404, 405,
                                          413, 415, 422, 429, 431, 503};
    static constexpr unsigned admin[] = {200, 400, 404, 405, 413, 431, 503};
    if (k_mode == "admin")
        return std::find(std::begin(admin), std::end(admin), status) != std::end(admin);
    return std::find(std::begin(ingest), std::end(ingest), status) != std::end(ingest);
}

void check_answer(const http_response& r) {
    check(documented(r.result_int()));
    if (r[http::field::content_type] == "application/json") {
        if (!json(r.body())) std::fprintf(stderr, "not JSON: %s\n", r.body().c_str());
        check(json(r.body()));
    } else
        check(k_mode == "admin" && r.result_int() == 200);  // /metrics, Prometheus text
}

// One connection: the answers, in order, as an http_session would write them.
std::vector<unsigned> serve(std::string_view bytes, std::size_t max_read) {
    auto& g = the_gateway();
    std::unique_ptr<dedup::dedup_store> dedup;
    std::unique_ptr<pipeline::pipeline> pipe;
    std::unique_ptr<http_handler> handler;
    if (k_mode == "admin") {
        handler =
            std::make_unique<admin_handler>(g.registry, [] { return std::vector<std::string>{}; });
    } else {
        std::string error;
        dedup::dedup_options dopts;
        dopts.max_entries = 64;
        dedup = dedup::dedup_store::open(dopts, error);
        check(dedup != nullptr);
        pipeline::pipeline_deps pd;
        pd.router = [&g] { return g.router; };
        pd.deliver = g.deliver.get();
        pd.dedup = dedup.get();
        pd.gateway_instance = g.cfg->instance;
        pd.gateway_version = "fuzz";
        pd.can_hold = true;
        pipe = std::make_unique<pipeline::pipeline>(std::move(pd), g.registry);
        ingest_context ictx;
        ictx.config = [&g] { return g.cfg; };
        ictx.pipeline = pipe.get();
        ictx.unavailable = [] { return std::string(); };
        handler = std::make_unique<ingest_handler>(std::move(ictx), g.registry);
    }

    std::vector<unsigned> answers;
    input_stream stream(bytes, max_read);
    beast::flat_buffer buffer;
    for (;;) {
        http_request_parser parser;
        apply_limits(parser, g.limits);
        beast::error_code ec;
        http::read_header(stream, buffer, parser, ec);
        if (!ec) {
            if (auto early = handler->on_header(parser.get(), k_peer)) {
                check_answer(*early);
                answers.push_back(early->result_int());
                break;  // the body stays unread: the connection closes
            }
            http::read(stream, buffer, parser, ec);
        }
        if (ec) {
            if (std::getenv("WIREGATE_FUZZ_VERBOSE"))
                std::fprintf(stderr, "[read: %s] ", ec.message().c_str());
            if (auto answer = read_error_answer(ec, g.limits)) {
                check_answer(*answer);
                // 400, 413 or 431: which one may depend on the reads. Beast parses a header only
                // once all of it is in, so a malformed one past the limit is 400 when it came in
                // one read and 431 when the limit struck first (the same for chunked bodies).
                answers.push_back(k_read_refusal);
            }
            break;
        }
        http_request req = parser.release();
        const bool keep_alive = req.keep_alive();
        int replies = 0;
        handler->on_request(std::move(req), k_peer, [&](http_response r) {
            ++replies;
            check_answer(r);
            answers.push_back(r.result_int());
        });
        check(replies == 1);
        if (!keep_alive) break;
    }
    if (auto* ingest = dynamic_cast<ingest_handler*>(handler.get()))
        check(ingest->inflight_requests() == 0);
    return answers;
}

// Equal, or equal until one connection's last answer refuses a request it could not read where
// the other read it: Beast checks the header limit per read, so a header up to a few dozen bytes
// over the limit (its start line, it seems) passes when it comes in one read and is refused (431)
// when the limit strikes between reads. Memory stays bounded either way.
bool same_answers(const std::vector<unsigned>& a, const std::vector<unsigned>& b) {
    std::size_t p = 0;
    while (p < a.size() && p < b.size() && a[p] == b[p]) ++p;
    if (p == a.size() && p == b.size()) return true;
    auto refused_last = [p](const std::vector<unsigned>& v) {
        return p + 1 == v.size() && v[p] == k_read_refusal;
    };
    return refused_last(a) || refused_last(b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto whole = serve(bytes, bytes.size() + 1);
    const auto chunked = serve(bytes, 7);
    if (std::getenv("WIREGATE_FUZZ_VERBOSE")) {  // the answers, read whole | 7 bytes a read
        for (auto s : whole) std::fprintf(stderr, "%u ", s);
        std::fprintf(stderr, "|");
        for (auto s : chunked) std::fprintf(stderr, " %u", s);
        std::fprintf(stderr, "\n");
    }
    check(same_answers(whole, chunked));
    return 0;
}
