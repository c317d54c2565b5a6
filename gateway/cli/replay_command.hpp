#pragma once
#include <CLI/CLI.hpp>

namespace wire::gateway {

/// `wiregate replay --url URL --feed ID [--api-key KEY | --api-key-env VAR]
/// [--hmac-secret-env VAR] [--content-type CT] [--ca-file PEM] [--insecure] [--json] FILE|DIR…`:
/// POSTs each file to {url}/v1/feeds/{feed}/stories over one kept-alive connection and prints
/// what the gateway did with it. Exit status 0 when every file got 200, 1 when any got another
/// status, 2 on usage or connection errors.
void add_replay_command(CLI::App& app, int& exit_code);

}  // namespace wire::gateway
