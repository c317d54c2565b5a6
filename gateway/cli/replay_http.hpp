#pragma once
// The HTTP side of `wiregate replay`: one kept-alive HTTP/1.1 connection (TLS for https://) and
// the poster that sends a document to a feed, retries 429 and 503 after their Retry-After (at
// most 30 s, at most 3 retries), signs it when a secret is given, and prints the answer.
#include <memory>
#include <string>
#include <string_view>

#include "service/replay_support.hpp"

namespace wire::gateway::cli {

struct connection_settings {
    std::string ca_file;  // PEM CA bundle for https; "" = the system's
    bool insecure = false;
    int timeout_s = 60;  // each connect, send and answer
};

struct poster_settings {
    std::string feed, api_key, hmac_secret;
    bool json = false;  // print each answer body as received, one line per document
};

class http_client;

class story_poster {
  public:
    /// Throws std::exception when the TLS set-up fails (a bad CA file).
    story_poster(replay::endpoint ep, const connection_settings& connection,
                 poster_settings settings);
    ~story_poster();
    story_poster(const story_poster&) = delete;
    story_poster& operator=(const story_poster&) = delete;

    /// POSTs `body` and prints "<label> -> <status>" and the answer's lines. The final HTTP
    /// status, or -1 after a connection error (printed on stderr).
    int post(std::string_view label, std::string body, const std::string& content_type);

  private:
    replay::endpoint ep_;
    poster_settings settings_;
    std::unique_ptr<http_client> client_;
};

}  // namespace wire::gateway::cli
