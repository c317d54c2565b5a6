#include "cli/check_config_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "config/config.hpp"

namespace wire::gateway {
namespace {

int run_check_config(const std::string& file) {
    auto result = config::load_config(file);
    if (!result.config) {
        for (const auto& p : result.problems) {
            std::cerr << file << ": ";
            if (!p.path.empty()) std::cerr << p.path << ": ";
            std::cerr << p.message << '\n';
        }
        return 1;
    }
    const auto& cfg = *result.config;
    std::cout << "ok: " << file << " (" << cfg.feeds.size() << " feeds, "
              << cfg.routing.rules.size() << " rules, " << cfg.routing.topics.size()
              << " topics)\n";
    return 0;
}

}  // namespace

void add_check_config_command(CLI::App& app, int& exit_code) {
    auto file = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand("check-config",
                                   "check a config file and print every problem with its key path");
    cmd->add_option("file", *file, "YAML config file")->required();
    cmd->callback([file, &exit_code] { exit_code = run_check_config(*file); });
}

}  // namespace wire::gateway
