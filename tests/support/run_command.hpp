#pragma once
// Runs a shell command (the real wiregate binary, for CLI tests) and collects its standard
// output line by line and its exit status.
#include <sys/wait.h>

#include <cstdio>
#include <string>
#include <vector>

namespace wire::testing {

struct command_result {
    int status = -1;  // the exit status; -1 when it did not exit normally
    std::vector<std::string> lines;
};

inline command_result run_command(const std::string& cmd) {
    command_result r;
    FILE* out = popen(cmd.c_str(), "r");
    if (!out) return r;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, out)) {
        std::string line(buf);
        if (!line.empty() && line.back() == '\n') line.pop_back();
        r.lines.push_back(line);
    }
    const int st = pclose(out);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

}  // namespace wire::testing
