// `wiregate replay`: pushes wire files to a running gateway (ops and the demo), one POST per file
// on one kept-alive HTTP/1.1 connection, TLS for https:// URLs. 429/503 answers are retried after
// their Retry-After (at most 30 s, at most 3 retries). The pure parts (file walk, Content-Type,
// URL, answer lines) are in service/replay_support.hpp, where the unit tests reach them.
#include "cli/replay_command.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "auth/authenticator.hpp"
#include "service/replay_support.hpp"
#include "version.hpp"

namespace wire::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

constexpr int k_max_retries = 3;
constexpr std::uintmax_t k_max_file_bytes = 64u << 20;
constexpr std::chrono::seconds k_shutdown_timeout{2};

struct replay_args {
    std::string url, feed, api_key, api_key_env = "WIREGATE_API_KEY", hmac_secret_env;
    std::string content_type, ca_file;
    bool insecure = false, json = false;
    int timeout_s = 60;
    std::vector<std::string> paths;
};

bool closed_by_peer(const beast::error_code& ec) {
    return ec == http::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
           ec == asio::error::broken_pipe || ec == ssl::error::stream_truncated;
}

// A blocking HTTP/1.1 client on one kept-alive connection. Every step runs as an asynchronous
// operation under the stream's deadline (Beast's timeouts only cover asynchronous operations),
// so a gateway that stops answering ends in a timeout, never a hang.
class http_client {
  public:
    http_client(replay::endpoint ep, const replay_args& a)
        : ep_(std::move(ep)), timeout_(a.timeout_s), verify_(!a.insecure) {
        if (!ep_.tls) return;
        ssl_.set_verify_mode(verify_ ? ssl::verify_peer : ssl::verify_none);
        if (verify_ && a.ca_file.empty()) ssl_.set_default_verify_paths();
        if (verify_ && !a.ca_file.empty()) ssl_.load_verify_file(a.ca_file);  // throws if bad
    }
    http_client(const http_client&) = delete;
    http_client& operator=(const http_client&) = delete;
    ~http_client() { close(true); }

    /// One request and its answer. A kept-alive connection the gateway has closed meanwhile
    /// (its idle timeout) is replaced once; any other failure is returned.
    beast::error_code exchange(const http::request<http::string_body>& req,
                               http::response<http::string_body>& res) {
        for (int attempt = 0;; ++attempt) {
            const bool fresh = !tcp_ && !tls_;
            if (fresh)
                if (auto ec = connect()) return ec;
            res = {};
            auto ec = tls_ ? round_trip(*tls_, req, res) : round_trip(*tcp_, req, res);
            if (!ec) {
                if (!res.keep_alive()) close(true);
                return ec;
            }
            close(false);
            if (fresh || attempt > 0 || !closed_by_peer(ec)) return ec;
        }
    }

    void close(bool graceful) {
        if (!tcp_ && !tls_) return;
        if (tls_ && graceful)  // close_notify; a peer that does not answer it is not waited for
            run(k_shutdown_timeout, [&](auto h) { tls_->async_shutdown(h); });
        beast::error_code ignored;
        lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
        lowest().socket().close(ignored);
        tls_.reset();
        tcp_.reset();
        buffer_.clear();
    }

  private:
    beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *tcp_; }

    // Starts one asynchronous operation and runs the io_context until it is done or timed out.
    template <class Start>
    beast::error_code run(std::chrono::seconds limit, Start start) {
        beast::error_code result = asio::error::would_block;
        lowest().expires_after(limit);
        start([&result](beast::error_code ec, auto&&...) { result = ec; });
        ioc_.restart();
        ioc_.run();
        return result;
    }

    beast::error_code connect() {
        beast::error_code ec;
        auto endpoints = tcp::resolver(ioc_).resolve(ep_.host, ep_.port, ec);
        if (ec) return ec;
        if (ep_.tls) {
            tls_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, ssl_);
            beast::error_code not_ip;
            asio::ip::make_address(ep_.host, not_ip);
            if (not_ip) SSL_set_tlsext_host_name(tls_->native_handle(), ep_.host.c_str());  // SNI
            if (verify_) tls_->set_verify_callback(ssl::host_name_verification(ep_.host));
        } else {
            tcp_ = std::make_unique<beast::tcp_stream>(ioc_);
        }
        ec = run(timeout_, [&](auto h) { lowest().async_connect(endpoints, h); });
        if (!ec && tls_)
            ec = run(timeout_, [&](auto h) { tls_->async_handshake(ssl::stream_base::client, h); });
        if (ec) close(false);
        return ec;
    }

    template <class Stream>
    beast::error_code round_trip(Stream& s, const http::request<http::string_body>& req,
                                 http::response<http::string_body>& res) {
        auto ec = run(timeout_, [&](auto h) { http::async_write(s, req, h); });
        if (!ec) ec = run(timeout_, [&](auto h) { http::async_read(s, buffer_, res, h); });
        return ec;
    }

    replay::endpoint ep_;
    std::chrono::seconds timeout_;
    bool verify_;
    asio::io_context ioc_;
    ssl::context ssl_{ssl::context::tls_client};
    std::unique_ptr<beast::tcp_stream> tcp_;
    std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_;
    beast::flat_buffer buffer_;
};

int usage(const std::string& message) {
    std::fprintf(stderr, "wiregate replay: %s\n", message.c_str());
    return 2;
}

bool read_whole(const fs::path& file, std::string& out, std::string& why) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (ec) {
        why = ec.message();
        return false;
    }
    if (size > k_max_file_bytes) {
        why = "larger than 64 MiB, not sent";
        return false;
    }
    std::ifstream in(file, std::ios::binary);
    out.assign(static_cast<std::size_t>(size), '\0');
    if (!in || !in.read(out.data(), static_cast<std::streamsize>(size))) {
        why = "cannot read it";
        return false;
    }
    return true;
}

std::string unix_now() {
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count());
}

void print_answer(const fs::path& file, const http::response<http::string_body>& res, bool json) {
    if (json) {  // JSON strings escape their newlines: any raw one is layout
        std::string line = res.body().empty()
                               ? "{\"http_status\":" + std::to_string(res.result_int()) + "}"
                               : res.body();
        for (auto& c : line)
            if (c == '\n' || c == '\r') c = ' ';
        std::printf("%s\n", line.c_str());
    } else {
        std::printf("%s -> %u\n", file.string().c_str(), res.result_int());
        for (const auto& l : replay::answer_lines(res.body())) std::printf("%s\n", l.c_str());
    }
    std::fflush(stdout);
}

int run_replay(const replay_args& a) {
    if (a.url.empty()) return usage("--url is required");
    if (a.feed.empty()) return usage("--feed is required");
    if (a.paths.empty()) return usage("name at least one FILE or DIR to send");
    std::string why;
    auto ep = replay::parse_url(a.url, why);
    if (!ep) return usage("--url " + a.url + ": " + why);
    if (!replay::valid_feed_id(a.feed))
        return usage("--feed '" + a.feed + "' is not a feed id (1-64 of a-z 0-9 . _ -)");
    std::string key = a.api_key;
    if (const char* v = std::getenv(a.api_key_env.c_str()); key.empty() && v) key = v;
    if (key.empty())
        std::fprintf(stderr, "wiregate replay: no API key (--api-key, or $%s): sending none\n",
                     a.api_key_env.c_str());
    std::string secret;
    if (!a.hmac_secret_env.empty()) {
        const char* v = std::getenv(a.hmac_secret_env.c_str());
        if (!v || !*v) return usage("$" + a.hmac_secret_env + " (--hmac-secret-env) is not set");
        secret = v;
    }
    auto list = replay::list_files(a.paths);
    for (const auto& p : list.problems) usage(p);
    if (!list.problems.empty()) return 2;
    if (list.files.empty()) return usage("no files to send under the paths given");

    std::unique_ptr<http_client> client;
    try {
        client = std::make_unique<http_client>(*ep, a);
    } catch (const std::exception& e) {
        return usage(std::string("TLS set-up: ") + e.what());
    }
    const std::string target = replay::push_target(*ep, a.feed);
    int status = 0;
    for (const auto& file : list.files) {
        http::request<http::string_body> req{http::verb::post, target, 11};
        if (!read_whole(file, req.body(), why)) {
            std::fprintf(stderr, "%s -> %s\n", file.string().c_str(), why.c_str());
            status = 1;
            continue;
        }
        req.set(http::field::host, replay::host_header(*ep));
        req.set(http::field::user_agent, std::string("wiregate-replay/") + k_version);
        req.set(http::field::content_type,
                a.content_type.empty() ? replay::guess_content_type(file) : a.content_type);
        if (!key.empty()) req.set(http::field::authorization, "Bearer " + key);
        req.keep_alive(true);
        req.prepare_payload();
        http::response<http::string_body> res;
        for (int retry = 0;; ++retry) {
            if (!secret.empty()) {  // signed afresh on each try: the timestamp has a window
                std::string ts = unix_now();
                req.set("X-Wiregate-Timestamp", ts);
                req.set("X-Wiregate-Signature", auth::sign(secret, ts, req.body()));
            }
            if (auto ec = client->exchange(req, res)) {
                std::fprintf(stderr, "%s -> connection error (%s:%s): %s\n", file.string().c_str(),
                             ep->host.c_str(), ep->port.c_str(), ec.message().c_str());
                return 1;  // a failure, not a usage error
            }
            unsigned code = res.result_int();
            if ((code != 429 && code != 503) || retry == k_max_retries) break;
            auto wait = replay::retry_delay(res[http::field::retry_after]);
            std::fprintf(stderr, "%s -> %u, retry %d of %d in %lld s\n", file.string().c_str(),
                         code, retry + 1, k_max_retries, static_cast<long long>(wait.count()));
            std::this_thread::sleep_for(wait);
        }
        print_answer(file, res, a.json);
        if (res.result_int() != 200) status = 1;
    }
    client->close(true);
    return status;
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<replay_args>();
    auto* cmd = app.add_subcommand("replay", "push wire files to a running gateway over HTTP(S)");
    // --url and --feed are checked in the callback, so that leaving them out exits with 2 too.
    cmd->add_option("--url", a->url, "gateway base URL: http://host:port or https://… (required)");
    cmd->add_option("--feed", a->feed, "feed id to push to (required)");
    cmd->add_option("--api-key", a->api_key, "API key (visible to ps: prefer --api-key-env)");
    cmd->add_option("--api-key-env", a->api_key_env, "environment variable holding the API key")
        ->capture_default_str();
    cmd->add_option("--hmac-secret-env", a->hmac_secret_env,
                    "sign each body with the HMAC secret in this environment variable");
    cmd->add_option("--content-type", a->content_type,
                    "Content-Type for every file (default: from the extension)");
    cmd->add_option("--ca-file", a->ca_file, "PEM CA bundle for https (default: the system's)");
    cmd->add_flag("--insecure", a->insecure, "https: do not verify the gateway's certificate");
    cmd->add_option("--timeout", a->timeout_s, "seconds allowed for each connect, send and answer")
        ->capture_default_str()
        ->check(CLI::Range(1, 3600));
    cmd->add_flag("--json", a->json, "print each answer body as received, one line per file");
    cmd->add_option("paths", a->paths, "files, or directories to walk (sorted, recursive)");
    cmd->callback([a, &exit_code] {
        try {
            exit_code = run_replay(*a);
        } catch (const std::exception& e) {
            exit_code = usage(e.what());
        }
    });
}

}  // namespace wire::gateway
