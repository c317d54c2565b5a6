// wiregate-loadgen: pushes one file to a running gateway over N keep-alive connections and
// reports throughput and answer latency (the time from sending a request to its answer, which
// the gateway gives only after Kafka acknowledged every topic).
//   wiregate-loadgen --port 8080 --feed ap --key dev-ap-key --file story.json
//                    [--connections 8] [--requests 2000] [--host 127.0.0.1]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

int main(int argc, char** argv) {
    std::map<std::string, std::string> opt{{"--host", "127.0.0.1"}, {"--connections", "8"},
                                           {"--requests", "2000"}};
    for (int i = 1; i + 1 < argc; i += 2) opt[argv[i]] = argv[i + 1];
    for (const char* k : {"--port", "--feed", "--key", "--file"})
        if (!opt.count(k)) {
            std::fprintf(stderr, "wiregate-loadgen: %s is required\n", k);
            return 2;
        }
    std::ifstream in(opt["--file"], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string body = ss.str();
    const int conns = std::max(1, std::atoi(opt["--connections"].c_str()));
    const int total = std::max(1, std::atoi(opt["--requests"].c_str()));
    const std::string target = "/v1/feeds/" + opt["--feed"] + "/stories";

    std::atomic<int> next{0};
    std::mutex mu;
    std::vector<double> latencies_ms;
    std::map<int, int> statuses;
    auto worker = [&] {
        asio::io_context io;
        beast::tcp_stream stream(io);
        stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address(opt["--host"]),
                                               static_cast<unsigned short>(
                                                   std::atoi(opt["--port"].c_str()))));
        beast::flat_buffer buf;
        std::vector<double> mine;
        std::map<int, int> codes;
        while (next.fetch_add(1) < total) {
            http::request<http::string_body> req{http::verb::post, target, 11};
            req.set(http::field::host, opt["--host"]);
            req.set(http::field::authorization, "Bearer " + opt["--key"]);
            req.body() = body;
            req.prepare_payload();
            auto t0 = clock_type::now();
            http::write(stream, req);
            http::response<http::string_body> res;
            http::read(stream, buf, res);
            mine.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
            codes[static_cast<int>(res.result_int())]++;
        }
        std::lock_guard lk(mu);
        latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
        for (auto [c, n] : codes) statuses[c] += n;
    };
    auto t0 = clock_type::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < conns; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    double secs = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::sort(latencies_ms.begin(), latencies_ms.end());
    auto pct = [&](double p) {
        return latencies_ms[std::min(latencies_ms.size() - 1,
                                     static_cast<std::size_t>(p * latencies_ms.size()))];
    };
    std::printf("requests %zu in %.2f s over %d connections: %.0f requests/s, %.1f MB/s\n",
                latencies_ms.size(), secs, conns, latencies_ms.size() / secs,
                latencies_ms.size() * body.size() / secs / 1e6);
    std::printf("answer latency ms: p50 %.1f  p95 %.1f  p99 %.1f  max %.1f\n", pct(0.50),
                pct(0.95), pct(0.99), latencies_ms.back());
    for (auto [c, n] : statuses) std::printf("status %d: %d\n", c, n);
    return statuses.size() == 1 && statuses.count(200) ? 0 : 1;
}
