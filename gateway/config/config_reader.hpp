#pragma once
// Internal to the config loader: walks a yaml-cpp tree with the key path in hand and collects
// problems instead of throwing, so that one run reports every mistake in the file.
//
// Typing follows YAML 1.1 as PyYAML reads it (the JSON Schema test loads the same files with
// PyYAML): a plain `yes` is a boolean and a plain `8080` a number, while a quoted "8080" is a
// string. Lists are lists: a single string where a list is expected is a problem.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.hpp"

namespace wire::config::detail {

/// Collects problems, and bounds the work: YAML aliases let a small file describe a huge tree,
/// so every node visited is counted and the walk stops (with one problem) past a budget.
class problem_sink {
  public:
    void add(std::string path, std::string message);
    /// Counts one visited node; false once the budget is spent.
    bool spend();
    bool empty() const { return problems_.empty(); }
    std::vector<config_problem> take() { return std::move(problems_); }

  private:
    std::vector<config_problem> problems_;
    std::size_t budget_ = 200000;
    bool exhausted_ = false;
};

std::string child_path(std::string_view parent, std::string_view key);
std::string index_path(std::string_view parent, std::size_t index);
/// A user-supplied text for a message: control bytes replaced, long text cut.
std::string printable(std::string_view text);
/// printable(), single-quoted.
std::string quote(std::string_view text);
/// "a, b or c" for messages.
std::string one_of(const std::vector<std::string>& names);

/// What a node holds, as a YAML 1.1 loader sees it.
enum class yaml_kind { missing, null, boolean, integer, number, string, list, mapping };
yaml_kind kind_of(const YAML::Node& node);
const char* kind_name(yaml_kind kind);  // "a string", "a list", …

/// Parses the text as one YAML document (a null node for an empty text). A syntax error, with
/// its line and column, or a second document is a problem at path "".
std::optional<YAML::Node> parse_document(problem_sink& sink, const std::string& yaml);

/// Readers for a node at a path. Each reports its own problem and returns false on failure,
/// leaving `out` as it was.
bool read_string(problem_sink& sink, const YAML::Node& node, const std::string& path,
                 std::string& out);
bool read_int(problem_sink& sink, const YAML::Node& node, const std::string& path, std::int64_t min,
              std::int64_t max, std::int64_t& out);
bool read_bool(problem_sink& sink, const YAML::Node& node, const std::string& path, bool& out);
/// Calls `item(node, path)` for each entry of a list; false when the node is not a list.
bool read_list(problem_sink& sink, const YAML::Node& node, const std::string& path,
               const std::function<void(const YAML::Node&, const std::string&)>& item);
/// A list of non-empty strings. An entry with a problem is kept as "" so that the indices of
/// the others still match their paths.
bool read_string_list(problem_sink& sink, const YAML::Node& node, const std::string& path,
                      std::vector<std::string>& out);

/// A mapping at `path`. Each accessor declares its key known; finish() reports every other key
/// (and duplicate keys are reported on construction). Absent optional keys leave `out` alone,
/// so the struct's defaults stand.
class map_reader {
  public:
    map_reader(problem_sink& sink, const YAML::Node& node, std::string path);
    map_reader(const map_reader&) = delete;
    map_reader& operator=(const map_reader&) = delete;

    bool valid() const { return valid_; }
    const std::string& path() const { return path_; }
    problem_sink& sink() { return sink_; }
    std::string key_path(std::string_view key) const { return child_path(path_, key); }

    /// The node under `key`, or nullptr when absent; declares the key known.
    const YAML::Node* get(std::string_view key);
    /// get(), reporting "missing required key" when absent.
    const YAML::Node* need(std::string_view key);

    bool string(std::string_view key, std::string& out, bool required = false);
    bool boolean(std::string_view key, bool& out);
    bool string_list(std::string_view key, std::vector<std::string>& out, bool required = false);
    template <class T>
    bool integer(std::string_view key, T& out, std::int64_t min, std::int64_t max = max_of<T>(),
                 bool required = false) {
        const auto* node = required ? need(key) : get(key);
        std::int64_t v = 0;
        if (!node || !read_int(sink_, *node, key_path(key), min, max, v)) return false;
        out = static_cast<T>(v);
        return true;
    }
    /// Calls `item` for each entry of the list under `key`.
    bool list(std::string_view key,
              const std::function<void(const YAML::Node&, const std::string&)>& item,
              bool required = false);

    /// Reports keys no accessor asked for. With `hide_names`, the keys are not named (in a
    /// secret reference a stray key may be the secret itself, typed in the wrong place).
    void finish(bool hide_names = false);

  private:
    template <class T>
    static constexpr std::int64_t max_of() {
        constexpr auto m = std::numeric_limits<T>::max();
        constexpr auto cap = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        return static_cast<std::uint64_t>(m) > cap ? std::numeric_limits<std::int64_t>::max()
                                                   : static_cast<std::int64_t>(m);
    }

    struct entry {
        std::string key;
        YAML::Node value;
        bool known = false;
    };
    problem_sink& sink_;
    std::string path_;
    std::vector<entry> entries_;
    std::vector<std::string> known_;  // for the "allowed: …" hint
    bool valid_ = false;
};

}  // namespace wire::config::detail
