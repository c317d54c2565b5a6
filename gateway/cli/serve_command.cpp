#include "cli/serve_command.hpp"

#include <cstdio>

#include "config/config.hpp"
#include "log/json_log.hpp"
#include "service/gateway_service.hpp"

namespace wire::gateway {

int run_serve(const std::string& config_path) {
    auto loaded = config::load_config(config_path);
    if (!loaded.config) {
        for (const auto& p : loaded.problems)
            std::fprintf(stderr, "%s: %s: %s\n", config_path.c_str(), p.path.c_str(),
                         p.message.c_str());
        return 2;
    }
    log::init_json_logging(loaded.config->log_level);
    service::gateway_service svc(std::move(*loaded.config), config_path);
    if (auto err = svc.start(); !err.empty()) {
        log::error(log::event("start_failed").field("reason", err));
        return 3;
    }
    return svc.run();
}

}  // namespace wire::gateway
