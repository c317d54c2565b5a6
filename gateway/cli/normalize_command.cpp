#include "cli/normalize_command.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "core/datetime.hpp"
#include "core/normalize.hpp"
#include "core/registry.hpp"
#include "version.hpp"

namespace wire::gateway {
namespace {

struct normalize_args {
    adapters::normalize_options opts;
    std::vector<std::string> files;
};

std::string now_rfc3339() {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
    return adapters::utc_time::from_epoch(secs).rfc3339();
}

// With --format auto, an input whose first bytes no format claims: read it as each format in
// turn, so the message says which formats were tried and why each one refused it.
adapters::adapter_error explain_unknown_format(const std::string& raw,
                                               const adapters::normalize_options& opts,
                                               adapters::adapter_error err) {
    err.message += "; tried every format:";
    for (const auto& a : adapters::registered_adapters()) {
        auto as = opts;
        as.format = a.id;
        auto result = adapters::normalize(raw, as);
        std::string why = "read";
        for (const auto& item : result.items)
            if (const auto* e = std::get_if<adapters::adapter_error>(&item)) {
                why = std::string(adapters::to_string(e->code)) + ": " + e->message;
                break;
            }
        err.message += " " + std::string(a.id) + " (" + why + ");";
    }
    err.message.pop_back();
    return err;
}

int run_normalize(const normalize_args& args) {
    int status = 0;
    auto opts = args.opts;
    if (opts.received_at.empty()) opts.received_at = now_rfc3339();
    opts.gateway_version = k_version;
    for (const auto& file : args.files) {
        std::ifstream named;
        if (file != "-") named.open(file, std::ios::binary);
        std::istream& in = file == "-" ? std::cin : named;
        if (!in) {
            std::cerr << adapters::error_json({adapters::story_errc::missing_required,
                                               "cannot read the file", std::nullopt, ""},
                                              file)
                      << '\n';
            status = 1;
            continue;
        }
        // Read at most one byte past the limit: a bigger file is refused without loading it.
        std::string raw(opts.max_bytes + 1, '\0');
        in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
        raw.resize(static_cast<size_t>(in.gcount()));
        auto result = adapters::normalize(raw, opts);
        if (opts.format == "auto" && result.format.empty() && result.items.size() == 1)
            if (auto* e = std::get_if<adapters::adapter_error>(&result.items.front());
                e && e->code == adapters::story_errc::unknown_format)
                *e = explain_unknown_format(raw, opts, *e);
        for (const auto& item : result.items) {
            if (const auto* s = std::get_if<adapters::story>(&item)) {
                std::cout << adapters::envelope_json(*s) << '\n';
                // A repaired story is still a story (exit 0); what was repaired goes to stderr.
                for (const auto& w : s->wire.warnings)
                    std::cerr << "warning: " << file << ": " << s->uri << ": " << w.code << ": "
                              << w.message << '\n';
            } else {
                std::cerr << adapters::error_json(std::get<adapters::adapter_error>(item), file)
                          << '\n';
                status = 1;
            }
        }
    }
    std::cout.flush();
    return status;
}

}  // namespace

void add_normalize_command(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<normalize_args>();
    auto* cmd = app.add_subcommand("normalize", "read wire files offline, print story envelopes");
    cmd->add_option("--format", args->opts.format, "adapter id or 'auto'")->capture_default_str();
    cmd->add_option("--feed", args->opts.feed, "feed id to stamp into wire.feed");
    cmd->add_option("--agency", args->opts.agency, "agency to stamp into wire.agency");
    cmd->add_option("--profile", args->opts.profile,
                    "agency profile: ap, reuters, interfax, generic");
    cmd->add_option("--charset", args->opts.charset, "transport charset (telex feeds)");
    cmd->add_option("--received-at", args->opts.received_at,
                    "RFC 3339 time for wire.received_at (default: now)");
    cmd->add_option("--instance", args->opts.gateway_instance, "wire.gateway.instance");
    cmd->add_option("--max-bytes", args->opts.max_bytes, "refuse larger inputs")
        ->capture_default_str();
    cmd->add_option("files", args->files, "wire files (- reads standard input)")->required();
    cmd->callback([args, &exit_code] { exit_code = run_normalize(*args); });
}

void add_formats_command(CLI::App& app) {
    auto* cmd = app.add_subcommand("formats", "list the wire formats this build reads");
    cmd->callback([] {
        for (const auto& a : adapters::registered_adapters())
            std::printf("%-12s %s\n", a.id.c_str(), a.description.c_str());
    });
}

}  // namespace wire::gateway
