// wiregate: the command-line entry point. Each subcommand lives in its own file under cli/;
// this file only wires them to CLI11 and turns start-up exceptions into an exit status.
// Exit statuses (README): 0 done, 1 failed, 2 a usage error, 3 `serve` could not start;
// CLI11's own codes (100 and up) are never returned.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "cli/check_config_command.hpp"
#include "cli/normalize_command.hpp"
#include "cli/replay_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/tail_command.hpp"
#include "version.hpp"

namespace {
constexpr int k_usage_error = 2;
}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{
        "wiregate: a news-agency wire gateway (wire copy in, IPTC ninjs stories to Kafka)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("wiregate ") + wire::gateway::k_version);

    std::string config_path;
    auto* serve = app.add_subcommand("serve", "run the gateway service");
    serve->add_option("--config", config_path, "YAML config file")->required();

    auto* version = app.add_subcommand("version", "print the version and exit");
    int exit_code = 0;
    wire::gateway::add_normalize_command(app, exit_code);
    wire::gateway::add_check_config_command(app, exit_code);
    wire::gateway::add_replay_command(app, exit_code);
    wire::gateway::add_formats_command(app);
    wire::gateway::add_tail_command(app, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version end here with 0; anything else is a usage error.
        const int printed = app.exit(e);
        return printed == 0 ? 0 : k_usage_error;
    }

    if (*version) {
        std::printf("wiregate %s\n", wire::gateway::k_version);
        return 0;
    }
    if (*serve) return wire::gateway::run_serve(config_path);
    return exit_code;
} catch (const std::exception& e) {
    std::fprintf(stderr, "wiregate: %s\n", e.what());
    return 1;
}
