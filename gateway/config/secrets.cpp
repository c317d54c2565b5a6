// Secrets and files named in the config. A secret is read once, at load time, and never
// appears in a problem message: messages name the key path, the variable or the file instead.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>

#include "config/config_checks.hpp"

namespace wire::config::detail {
namespace {

namespace fs = std::filesystem;

// A secret file is a key or a password; anything bigger is the wrong file.
constexpr std::size_t k_max_secret_bytes = 64 * 1024;

fs::path resolve(const load_context& ctx, const std::string& file) {
    fs::path p(file);
    if (p.is_relative()) p = ctx.base_dir / p;
    return p.lexically_normal();
}

// Checks the file is a readable regular file (a FIFO or device would block or never end).
bool check_file(load_context& ctx, const fs::path& p, const std::string& path) {
    std::error_code ec;
    auto st = fs::status(p, ec);
    if (ec || !fs::exists(st)) {
        ctx.sink.add(path, "file " + quote(p.string()) + " does not exist");
        return false;
    }
    if (!fs::is_regular_file(st)) {
        ctx.sink.add(path, quote(p.string()) + " is not a regular file");
        return false;
    }
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        ctx.sink.add(path, "cannot read file " + quote(p.string()) + ": " + std::strerror(errno));
        return false;
    }
    return true;
}

void secret_from_file(load_context& ctx, const std::string& file, const std::string& path,
                      secret_ref& out) {
    if (file.empty()) {
        ctx.sink.add(path, "must not be empty");
        return;
    }
    auto p = resolve(ctx, file);
    out.file = p.string();
    if (!check_file(ctx, p, path)) return;
    std::ifstream in(p, std::ios::binary);
    std::string text(k_max_secret_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > k_max_secret_bytes) {
        ctx.sink.add(path, "secret file " + quote(out.file) + " is larger than 64 KiB");
        return;
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.empty()) {
        ctx.sink.add(path, "secret file " + quote(out.file) + " is empty");
        return;
    }
    out.value = std::move(text);
}

void secret_from_env(load_context& ctx, const std::string& name, const std::string& path,
                     secret_ref& out) {
    static const std::regex k_env_name("[A-Za-z_][A-Za-z0-9_]*");
    // The length check first: std::regex recurses per character.
    if (name.size() > 255 || !std::regex_match(name, k_env_name)) {
        ctx.sink.add(path, quote(name) + " is not an environment variable name");
        return;
    }
    out.env = name;
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
        ctx.sink.add(path, "environment variable " + name + " is not set");
        return;
    }
    if (*v == '\0') {
        ctx.sink.add(path, "environment variable " + name + " is empty");
        return;
    }
    out.value = v;
}

}  // namespace

void read_secret(load_context& ctx, const YAML::Node& node, const std::string& path,
                 secret_ref& out) {
    map_reader m(ctx.sink, node, path);
    if (!m.valid()) return;
    const auto* file = m.get("file");
    const auto* env = m.get("env");
    const auto* value = m.get("value");
    m.finish(/*hide_names=*/true);
    int given = int{file != nullptr} + int{env != nullptr} + int{value != nullptr};
    if (given != 1) {
        ctx.sink.add(path, given == 0 ? "a secret needs one of file, env or value"
                                      : "a secret takes only one of file, env or value");
        return;
    }
    std::string text;
    if (file) {
        if (read_string(ctx.sink, *file, m.key_path("file"), text))
            secret_from_file(ctx, text, m.key_path("file"), out);
    } else if (env) {
        if (read_string(ctx.sink, *env, m.key_path("env"), text))
            secret_from_env(ctx, text, m.key_path("env"), out);
    } else if (read_string(ctx.sink, *value, m.key_path("value"), text)) {
        if (text.empty())
            ctx.sink.add(m.key_path("value"), "must not be empty");
        else
            out.value = std::move(text);
    }
}

std::string check_readable_file(load_context& ctx, const std::string& file,
                                const std::string& path) {
    if (file.empty()) {
        ctx.sink.add(path, "must not be empty");
        return file;
    }
    auto p = resolve(ctx, file);
    check_file(ctx, p, path);
    return p.string();
}

}  // namespace wire::config::detail
