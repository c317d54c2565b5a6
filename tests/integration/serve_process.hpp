#pragma once
// `wiregate serve` (the real binary) as a child process whose stderr (JSON log lines) the test
// reads: the ports it bound come from its `started` line.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <string>

namespace wire::testing {

struct serve_process {
    pid_t pid = -1;
    FILE* err = nullptr;
    std::string log;
    std::string read_until(const std::string& needle) {
        char buf[4096];
        while (log.find(needle) == std::string::npos && std::fgets(buf, sizeof buf, err))
            log += buf;
        return log;
    }
    int port(const std::string& name) const {
        std::smatch m;
        if (!std::regex_search(log, m, std::regex("\"" + name + "\":([0-9]+)"))) return 0;
        return std::stoi(m[1]);
    }
};

inline serve_process spawn_serve(const std::filesystem::path& config) {
    // Under AddressSanitizer freed memory waits in a quarantine (256 MiB by default) so that a
    // use after free is caught; a test of the child's peak memory would measure that quarantine.
    // The child runs without it (set before fork: the child may only exec).
    if (const char* asan = std::getenv("ASAN_OPTIONS");
        asan && std::string(asan).find("quarantine_size_mb") == std::string::npos)
        setenv("ASAN_OPTIONS", (std::string(asan) + ":quarantine_size_mb=0").c_str(), 1);
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    serve_process c;
    c.pid = fork();
    if (c.pid == 0) {
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(WIREGATE_BINARY, WIREGATE_BINARY, "serve", "--config", config.c_str(), nullptr);
        _exit(127);
    }
    close(fds[1]);
    c.err = fdopen(fds[0], "r");
    return c;
}

}  // namespace wire::testing
