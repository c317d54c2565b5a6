#pragma once
#include <CLI/CLI.hpp>

namespace wire::gateway {

/// `wiregate tail --topic T [--brokers B] [--from-beginning] [--max N] [--group G] [--local]
/// [--timeout-ms MS]`: reads a topic and prints one line per message, as a desk scans the wire:
///
///   2026-11-28T12:00:00Z  ap        U1  KILL        Headline…  age 3m12s  wire.alerts/0@17
///
/// (versioncreated, agency, urgency, signal, headline, now − versioncreated, topic/partition@
/// offset). Dead letters (a `wiregate-reason` header) print `DEAD <reason> feed=<feed>`; any
/// other message that is not a wiregate.story/1 envelope prints `UNREADABLE <why>`, never a
/// crash. Without --group no offsets are committed; with it the group's offsets are used and
/// committed. Exit status 0 when stopped (--max reached, --timeout-ms over, SIGINT/SIGTERM),
/// 1 when the topic cannot be read.
void add_tail_command(CLI::App& app, int& exit_code);

}  // namespace wire::gateway
