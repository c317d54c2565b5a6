#pragma once
#include <string>

namespace wire::gateway {

/// `wiregate serve --config FILE`: loads the config (printing every problem and returning 2
/// when there are any), runs the service until SIGTERM/SIGINT, drains, returns 0 (1 when the
/// drain left work unfinished, 3 when the service could not start).
int run_serve(const std::string& config_path);

}  // namespace wire::gateway
