#pragma once
#include <CLI/CLI.hpp>

namespace wire::gateway {

/// `wiregate normalize [--format ID|auto] [--feed ID] [--profile NAME] [--charset CS] FILE…`:
/// one envelope per story on stdout (JSON lines); per refusal a {"file","code","message"} line on
/// stderr and a non-zero exit status. Offline: no Kafka, no config.
void add_normalize_command(CLI::App& app, int& exit_code);

/// `wiregate formats`: the registered adapters.
void add_formats_command(CLI::App& app);

}  // namespace wire::gateway
