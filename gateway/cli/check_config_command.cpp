#include "cli/check_config_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include <librdkafka/rdkafka.h>

#include "config/config.hpp"

namespace wire::gateway {
namespace {

// Unknown, misspelt or badly valued librdkafka properties, found the way the producer finds
// them at start: each one set on a real librdkafka configuration.
std::vector<config::config_problem> kafka_property_problems(const config::gateway_config& cfg) {
    std::vector<config::config_problem> problems;
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    for (const auto& [key, value] : cfg.kafka.properties)
        if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) !=
            RD_KAFKA_CONF_OK)
            problems.push_back({"kafka.properties." + key, std::string("librdkafka: ") + err});
    rd_kafka_conf_destroy(conf);
    return problems;
}

int run_check_config(const std::string& file) {
    auto result = config::load_config(file);
    if (result.config) {
        result.problems = kafka_property_problems(*result.config);
        if (!result.problems.empty()) result.config.reset();
    }
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
