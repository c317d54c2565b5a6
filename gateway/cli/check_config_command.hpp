#pragma once
#include <CLI/CLI.hpp>

namespace wire::gateway {

/// `wiregate check-config FILE`: loads the config as `serve` would (secrets and TLS files
/// included) and prints `ok: FILE (N feeds, M rules, K topics)`, or every problem as
/// `FILE: <key path>: <message>` on stderr with a non-zero exit status.
void add_check_config_command(CLI::App& app, int& exit_code);

}  // namespace wire::gateway
