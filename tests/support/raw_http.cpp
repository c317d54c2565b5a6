#include "raw_http.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace wire::testing {

using clock = std::chrono::steady_clock;

raw_client::raw_client(std::uint16_t port) : raw_client(port, "") {}

raw_client::raw_client(std::uint16_t port, const std::string& from) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket: errno " + std::to_string(errno));
    sockaddr_in src{};
    src.sin_family = AF_INET;
    // The port is chosen at connect, per destination, as without bind().
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    if (!from.empty() && (::inet_pton(AF_INET, from.c_str(), &src.sin_addr) != 1 ||
                          ::bind(fd_, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0)) {
        int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("bind to " + from + ": errno " + std::to_string(e));
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connect to port " + std::to_string(port) + ": errno " +
                                 std::to_string(e));
    }
}

raw_client::~raw_client() {
    if (fd_ >= 0) ::close(fd_);
}

raw_client::raw_client(raw_client&& o) noexcept : fd_(o.fd_), eof_(o.eof_), in_(std::move(o.in_)) {
    o.fd_ = -1;
}

bool raw_client::send(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool raw_client::fill(clock::time_point deadline) {
    if (eof_) return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r <= 0) return false;
    char buf[16384];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
        eof_ = true;  // EOF, or reset (ECONNRESET): the server is gone either way
        return false;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
}

http_answer raw_client::read_answer(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    http_answer a;
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
        if (!fill(deadline)) return a;
    std::string head = in_.substr(0, end);
    std::size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return a;
    std::size_t body_len = 0;
    for (std::size_t p = line_end; p != std::string::npos && p < head.size();) {
        std::size_t next = head.find("\r\n", p + 2);
        std::string line =
            head.substr(p + 2, next == std::string::npos ? std::string::npos : next - p - 2);
        p = next;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        std::string value = line.substr(line.find_first_not_of(' ', colon + 1));
        if (name == "content-length") body_len = std::strtoull(value.c_str(), nullptr, 10);
        a.headers[name] = value;
    }
    while (in_.size() < end + 4 + body_len)
        if (!fill(deadline)) return a;
    a.status = std::atoi(status_line.c_str() + 9);
    a.body = in_.substr(end + 4, body_len);
    in_.erase(0, end + 4 + body_len);
    return a;
}

bool raw_client::closed_by_server(std::chrono::milliseconds timeout) {
    const auto deadline = clock::now() + timeout;
    while (fill(deadline)) {
    }
    return eof_;
}

http_answer raw_exchange(std::uint16_t port, std::string_view bytes,
                         std::chrono::milliseconds timeout) {
    raw_client c(port);
    c.send(bytes);  // the server may answer and close before all of it is taken
    return c.read_answer(timeout);
}

http_answer raw_exchange_from(const std::string& from, std::uint16_t port, std::string_view bytes,
                              std::chrono::milliseconds timeout) {
    raw_client c(port, from);
    c.send(bytes);
    return c.read_answer(timeout);
}

std::string raw_post(std::string_view target, std::string_view header_lines,
                     std::string_view body) {
    std::string r = "POST " + std::string(target) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    r += header_lines;
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
    r += body;
    return r;
}

double metric_value(const std::string& text, const std::string& series) {
    const std::string needle = series + " ";
    for (std::size_t p = 0; p < text.size();) {
        std::size_t eol = text.find('\n', p);
        if (eol == std::string::npos) eol = text.size();
        if (text.compare(p, needle.size(), needle) == 0)
            return std::strtod(text.c_str() + p + needle.size(), nullptr);
        p = eol + 1;
    }
    return 0;
}

long proc_status_kib(pid_t pid, const char* field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line, want = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.compare(0, want.size(), want) == 0)
            return std::strtol(line.c_str() + want.size(), nullptr, 10);
    return -1;
}

}  // namespace wire::testing
