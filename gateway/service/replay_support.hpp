#pragma once
// replay_support: the parts of `wiregate replay` that need no socket (cli/replay_command.cpp does
// the HTTP): which files a FILE|DIR… list means, the Content-Type a file is sent with, the push
// URL, the Retry-After wait and the lines printed for the gateway's JSON answer. Here, in
// wire_gateway, so that unit_tests can reach them.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wire::replay {

/// From the extension, case-insensitively: .xml -> application/xml, .json -> application/json,
/// anything else application/octet-stream (the gateway then sniffs the format).
std::string guess_content_type(const std::filesystem::path& file);

struct file_list {
    std::vector<std::filesystem::path> files;
    std::vector<std::string> problems;  // "PATH: why", for each path that could not be used
};
/// The files a command line names, in its order. A directory stands for every regular file under
/// it, recursively, sorted by path, except fixture sidecars (*.expected.json, *.options.json) and
/// hidden names (starting with '.'). A missing path is a problem, not an exception.
file_list list_files(const std::vector<std::string>& paths);

struct endpoint {
    bool tls = false;
    std::string host;  // an IPv6 address without its brackets
    std::string port;  // "80" or "443" when the URL names none
    std::string base;  // path prefix without a trailing '/'; "" for none
};
/// http://host[:port][/base] or https://…; nullopt with `why` otherwise.
std::optional<endpoint> parse_url(std::string_view url, std::string& why);
/// The Host header: host, with brackets for IPv6, and ":port" unless it is the default one.
std::string host_header(const endpoint& e);
/// A feed id as the gateway takes it in a path: 1-64 of [a-z0-9._-], not starting with . _ -.
bool valid_feed_id(std::string_view feed);
/// base + "/v1/feeds/" + feed + "/stories".
std::string push_target(const endpoint& e, std::string_view feed);

/// The wait before retrying a 429 or 503: Retry-After in seconds, 1 s when absent or an
/// HTTP-date (not read), at most 30 s.
std::chrono::seconds retry_delay(std::string_view retry_after);

/// The lines printed under "FILE -> STATUS", one per item of the answer:
///   "  <status> <uri> v<version> <topic>[<partition>]@<offset> …"
///   "  rejected <code>: <message>"   (any item carrying an error: its status, code, message)
/// An error answer ({"error":{…}}) gives "  error <code>: <message>"; a body that is not such
/// JSON object gives one line saying so, with its first bytes.
std::vector<std::string> answer_lines(std::string_view body);

}  // namespace wire::replay
