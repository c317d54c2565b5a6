// wiregate-loadgen: pushes fixtures to a running gateway over HTTP/1.1 keep-alive connections
// and reports accepted stories/s and the latency from request to 2xx (the gateway answers only
// once Kafka or the spool holds every item).
//
//   wiregate-loadgen --port P --feed ap --key dev-ap-key --file story.json[:TOKEN] ...
//       [--mode closed|open] [--connections 8] [--rate 500] [--requests 2000]
//       [--duration-s 0] [--run-id ID] [--accepted-out FILE] [--host 127.0.0.1]
//
// closed: --connections connections each send the next request as soon as the last answered.
// open:   requests are scheduled at --rate per second whatever the answers do; latency counts
//         from the scheduled send time, so a stalled gateway shows up as latency instead of
//         as fewer requests (no coordinated omission). --connections caps the pool; a request
//         that finds no free connection waits, and that wait is part of its latency.
// Every occurrence of TOKEN in a body becomes TOKEN-<run-id>-<n>, so that every request is a
// new story (the gateway would otherwise answer `duplicate`). With --files given more than
// once, requests cycle through them. --accepted-out gets one "uri<TAB>version" line per item
// answered published or spooled: what the topic check expects to find in Kafka.
// The last stdout line is `RESULT {json}`.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

namespace {

struct body_template {
    std::vector<std::string> pieces;  // the body cut at every TOKEN
    std::string token;
};

struct item {
    std::string uri, version, status;
    int topics = 0;
};

// The items of an ingest answer: {"items":[{"uri":…,"version":…,"status":…,"topics":[…]},…]}.
// Items are cut at depth 1 of the array (strings skipped); fields are read inside each item.
std::vector<item> parse_items(const std::string& body) {
    std::vector<item> out;
    size_t at = body.find("\"items\":[");
    if (at == std::string::npos) return out;
    auto field = [&](std::string_view obj, const char* name) {
        std::string key = std::string("\"") + name + "\":\"";
        size_t p = obj.find(key);
        if (p == std::string_view::npos) return std::string();
        p += key.size();
        return std::string(obj.substr(p, obj.find('"', p) - p));
    };
    int depth = 0;
    size_t begin = 0;
    for (size_t i = body.find('[', at); i < body.size(); ++i) {
        char c = body[i];
        if (c == '"') {
            for (++i; i < body.size() && body[i] != '"'; ++i)
                if (body[i] == '\\') ++i;
        } else if (c == '[' || c == '{') {
            if (++depth == 2) begin = i;
        } else if (c == ']' || c == '}') {
            if (--depth == 0) break;
            if (depth == 1) {
                std::string_view obj(body.data() + begin, i + 1 - begin);
                item it{field(obj, "uri"), field(obj, "version"), field(obj, "status"), 0};
                for (size_t t = obj.find("\"topic\":"); t != std::string_view::npos;
                     t = obj.find("\"topic\":", t + 1))
                    ++it.topics;
                out.push_back(std::move(it));
            }
        }
    }
    return out;
}

struct stats {
    std::vector<double> latency_ms;  // 2xx only
    std::map<int, int> statuses;
    long stories_accepted = 0, items_other = 0, errors = 0, topic_msgs = 0;
    std::vector<std::string> accepted;  // "uri\tversion"
    clock_type::time_point first_send{}, last_answer{};
};

struct options {
    std::string host = "127.0.0.1", feed, key, target, mode = "closed", run_id = "run";
    unsigned short port = 0;
    int connections = 8;
    long requests = 2000;
    double rate = 500, duration_s = 0;
    std::vector<body_template> bodies;
};

class load {
  public:
    load(asio::io_context& io, const options& o, stats& s) : io_(io), o_(o), s_(s), timer_(io) {}

    void start() {
        s_.first_send = clock_type::now();
        if (o_.mode == "open") {
            start_ = clock_type::now();
            schedule_next();
        } else {
            for (int i = 0; i < o_.connections; ++i) fresh_connection();
        }
    }

  private:
    struct conn {
        beast::tcp_stream stream;
        beast::flat_buffer buf;
        http::request<http::string_body> req;
        http::response<http::string_body> res;
        clock_type::time_point due, sent;
        explicit conn(asio::io_context& io) : stream(io) {}
    };
    using conn_ptr = std::shared_ptr<conn>;

    std::string body_for(long n) const {
        const auto& t = o_.bodies[static_cast<size_t>(n) % o_.bodies.size()];
        std::string out = t.pieces[0];
        for (size_t i = 1; i < t.pieces.size(); ++i)
            out += t.token + "-" + o_.run_id + "-" + std::to_string(n) + t.pieces[i];
        return out;
    }

    bool next_request(long& n) {
        if (next_ >= o_.requests) return false;
        n = next_++;
        return true;
    }

    void schedule_next() {
        if (next_ >= o_.requests) return;
        auto due =
            start_ + std::chrono::duration_cast<clock_type::duration>(
                         std::chrono::duration<double>(static_cast<double>(next_) / o_.rate));
        timer_.expires_at(due);
        timer_.async_wait([this, due](beast::error_code ec) {
            if (ec) return;
            long n = next_++;
            waiting_.push_back({n, due});
            pump();
            schedule_next();
        });
    }

    // Open loop: hand waiting requests to idle connections, opening new ones up to the cap.
    void pump() {
        while (!waiting_.empty()) {
            if (!idle_.empty()) {
                auto c = idle_.back();
                idle_.pop_back();
                auto [n, due] = waiting_.front();
                waiting_.pop_front();
                send(c, n, due);
            } else if (open_ < o_.connections) {
                fresh_connection();
                return;  // the new connection takes the head of the queue once connected
            } else {
                return;
            }
        }
    }

    void fresh_connection() {
        auto c = std::make_shared<conn>(io_);
        ++open_;
        asio::ip::tcp::endpoint ep(asio::ip::make_address(o_.host), o_.port);
        c->stream.async_connect(ep, [this, c](beast::error_code ec) {
            if (ec) {
                --open_;
                ++s_.errors;
                std::fprintf(stderr, "connect: %s\n", ec.message().c_str());
                return;
            }
            c->stream.socket().set_option(asio::ip::tcp::no_delay(true));
            ready(c);
        });
    }

    void ready(const conn_ptr& c) {
        if (o_.mode == "open") {
            if (waiting_.empty()) return idle_.push_back(c);
            auto [n, due] = waiting_.front();
            waiting_.pop_front();
            return send(c, n, due);
        }
        long n;
        if (next_request(n)) send(c, n, clock_type::now());
    }

    void send(const conn_ptr& c, long n, clock_type::time_point due) {
        c->req = {http::verb::post, o_.target, 11};
        c->req.set(http::field::host, o_.host);
        c->req.set(http::field::authorization, "Bearer " + o_.key);
        c->req.body() = body_for(n);
        c->req.prepare_payload();
        c->due = due;
        c->sent = clock_type::now();
        http::async_write(c->stream, c->req, [this, c](beast::error_code ec, size_t) {
            if (ec) return fail(c, ec);
            c->res = {};
            http::async_read(c->stream, c->buf, c->res, [this, c](beast::error_code rec, size_t) {
                if (rec) return fail(c, rec);
                answered(c);
                ready(c);
            });
        });
    }

    void fail(const conn_ptr&, beast::error_code ec) {
        --open_;
        ++s_.errors;
        std::fprintf(stderr, "request: %s\n", ec.message().c_str());
        if (o_.mode == "closed")
            fresh_connection();
        else
            pump();
    }

    void answered(const conn_ptr& c) {
        auto now = clock_type::now();
        s_.last_answer = now;
        int code = static_cast<int>(c->res.result_int());
        s_.statuses[code]++;
        if (code / 100 != 2) return;
        s_.latency_ms.push_back(std::chrono::duration<double, std::milli>(now - c->due).count());
        for (const auto& it : parse_items(c->res.body())) {
            if (it.status == "published" || it.status == "spooled") {
                ++s_.stories_accepted;
                s_.topic_msgs += it.topics;
                s_.accepted.push_back(it.uri + "\t" + it.version);
            } else {
                ++s_.items_other;
            }
        }
    }

    asio::io_context& io_;
    const options& o_;
    stats& s_;
    asio::steady_timer timer_;
    clock_type::time_point start_;
    long next_ = 0;
    int open_ = 0;
    std::vector<conn_ptr> idle_;
    std::deque<std::pair<long, clock_type::time_point>> waiting_;
};

body_template load_body(const std::string& spec) {
    size_t colon = spec.rfind(':');
    std::string path = colon == std::string::npos ? spec : spec.substr(0, colon);
    body_template t;
    t.token = colon == std::string::npos ? "" : spec.substr(colon + 1);
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "wiregate-loadgen: cannot read %s\n", path.c_str());
        std::exit(2);
    }
    std::stringstream ss;
    ss << in.rdbuf();
    std::string body = ss.str();
    if (t.token.empty()) return {{body}, ""};
    for (size_t p; (p = body.find(t.token)) != std::string::npos;) {
        t.pieces.push_back(body.substr(0, p));
        body.erase(0, p + t.token.size());
    }
    t.pieces.push_back(body);
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    options o;
    std::string accepted_out;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string k = argv[i], v = argv[i + 1];
        if (k == "--host")
            o.host = v;
        else if (k == "--port")
            o.port = static_cast<unsigned short>(std::atoi(v.c_str()));
        else if (k == "--feed")
            o.feed = v;
        else if (k == "--key")
            o.key = v;
        else if (k == "--file")
            o.bodies.push_back(load_body(v));
        else if (k == "--mode")
            o.mode = v;
        else if (k == "--connections")
            o.connections = std::max(1, std::atoi(v.c_str()));
        else if (k == "--requests")
            o.requests = std::atol(v.c_str());
        else if (k == "--rate")
            o.rate = std::atof(v.c_str());
        else if (k == "--duration-s")
            o.duration_s = std::atof(v.c_str());
        else if (k == "--run-id")
            o.run_id = v;
        else if (k == "--accepted-out")
            accepted_out = v;
        else {
            std::fprintf(stderr, "wiregate-loadgen: unknown option %s\n", k.c_str());
            return 2;
        }
    }
    if (!o.port || o.feed.empty() || o.key.empty() || o.bodies.empty()) {
        std::fprintf(stderr, "wiregate-loadgen: --port, --feed, --key and --file are required\n");
        return 2;
    }
    if (o.mode == "open" && o.duration_s > 0) o.requests = static_cast<long>(o.rate * o.duration_s);
    o.target = "/v1/feeds/" + o.feed + "/stories";

    asio::io_context io;
    stats s;
    load l(io, o, s);
    l.start();
    io.run();

    double secs = std::chrono::duration<double>(s.last_answer - s.first_send).count();
    const double accepted = static_cast<double>(s.stories_accepted);
    auto& lat = s.latency_ms;
    std::sort(lat.begin(), lat.end());
    auto pct = [&](double p) {
        return lat.empty()
                   ? 0.0
                   : lat[std::min(lat.size() - 1,
                                  static_cast<size_t>(p * static_cast<double>(lat.size())))];
    };
    if (!accepted_out.empty()) {
        std::ofstream out(accepted_out);
        for (const auto& a : s.accepted) out << a << '\n';
    }
    std::string codes;
    for (auto [c, n] : s.statuses)
        codes +=
            (codes.empty() ? "" : ",") + ("\"" + std::to_string(c) + "\":" + std::to_string(n));
    std::printf(
        "%s loop: %zu answers 2xx in %.2f s; %ld stories accepted: %.0f stories/s; "
        "latency ms p50 %.2f p99 %.2f p99.9 %.2f max %.2f\n",
        o.mode.c_str(), lat.size(), secs, s.stories_accepted, accepted / secs, pct(0.5), pct(0.99),
        pct(0.999), lat.empty() ? 0.0 : lat.back());
    std::printf(
        "RESULT {\"mode\":\"%s\",\"rate\":%.1f,\"connections\":%d,\"requests\":%ld,"
        "\"ok\":%zu,\"errors\":%ld,\"stories_accepted\":%ld,\"items_other\":%ld,"
        "\"topic_messages\":%ld,\"secs\":%.3f,\"stories_per_s\":%.1f,\"p50_ms\":%.3f,"
        "\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,\"statuses\":{%s}}\n",
        o.mode.c_str(), o.mode == "open" ? o.rate : 0.0, o.connections, o.requests, lat.size(),
        s.errors, s.stories_accepted, s.items_other, s.topic_msgs, secs, accepted / secs, pct(0.5),
        pct(0.99), pct(0.999), lat.empty() ? 0.0 : lat.back(), codes.c_str());
    return s.errors == 0 && lat.size() == static_cast<size_t>(o.requests) ? 0 : 1;
}
