#include "config/config_reader.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <sstream>

namespace wire::config::detail {

void problem_sink::add(std::string path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
}

bool problem_sink::spend() {
    if (budget_ > 0) {
        --budget_;
        return true;
    }
    if (!exhausted_) {
        exhausted_ = true;
        add("",
            "the document is too large (over 200000 values, counting aliases); "
            "the rest was not checked");
    }
    return false;
}

std::string child_path(std::string_view parent, std::string_view key) {
    std::string out(parent);
    if (!out.empty()) out += '.';
    out += key;
    return out;
}

std::string index_path(std::string_view parent, std::size_t index) {
    return std::string(parent) + '[' + std::to_string(index) + ']';
}

std::string printable(std::string_view text) {
    constexpr std::size_t k_max = 80;
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < k_max; ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    }
    if (text.size() > k_max) out += "...";
    return out;
}

std::string quote(std::string_view text) { return "'" + printable(text) + "'"; }

std::string one_of(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
        out += names[i];
    }
    return out;
}

namespace {

// YAML 1.1 resolution of plain scalars, as PyYAML's resolver does it.
yaml_kind plain_scalar_kind(const std::string& s) {
    static const std::regex k_bool(
        "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON"
        "|off|Off|OFF");
    static const std::regex k_int(
        "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
        "|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+");
    static const std::regex k_float(
        "[-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9_]+([eE][-+][0-9]+)?"
        "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
    // Long scalars are strings (and keep the regex engine's recursion shallow).
    if (s.size() > 64) return yaml_kind::string;
    if (std::regex_match(s, k_bool)) return yaml_kind::boolean;
    if (std::regex_match(s, k_int)) return yaml_kind::integer;
    if (std::regex_match(s, k_float)) return yaml_kind::number;
    return yaml_kind::string;
}

bool is_plain(const YAML::Node& node) { return node.Tag() == "?" || node.Tag().empty(); }

}  // namespace

yaml_kind kind_of(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Undefined:
            return yaml_kind::missing;
        case YAML::NodeType::Null:
            return yaml_kind::null;
        case YAML::NodeType::Sequence:
            return yaml_kind::list;
        case YAML::NodeType::Map:
            return yaml_kind::mapping;
        case YAML::NodeType::Scalar:
            break;
    }
    const auto& tag = node.Tag();
    if (is_plain(node)) return plain_scalar_kind(node.Scalar());
    if (tag == "tag:yaml.org,2002:bool") return yaml_kind::boolean;
    if (tag == "tag:yaml.org,2002:int") return yaml_kind::integer;
    if (tag == "tag:yaml.org,2002:float") return yaml_kind::number;
    return yaml_kind::string;  // quoted ("!"), !!str, or a custom tag
}

const char* kind_name(yaml_kind kind) {
    switch (kind) {
        case yaml_kind::missing:
            return "nothing";
        case yaml_kind::null:
            return "null";
        case yaml_kind::boolean:
            return "a boolean";
        case yaml_kind::integer:
        case yaml_kind::number:
            return "a number";
        case yaml_kind::string:
            return "a string";
        case yaml_kind::list:
            return "a list";
        case yaml_kind::mapping:
            return "a mapping";
    }
    return "something else";
}

namespace {

// Notes where each document starts and ignores the rest: used only to count documents.
class document_starts : public YAML::EventHandler {
  public:
    std::vector<YAML::Mark> marks;

    void OnDocumentStart(const YAML::Mark& mark) override { marks.push_back(mark); }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

std::string at(const YAML::Mark& mark) {
    return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

}  // namespace

std::optional<YAML::Node> parse_document(problem_sink& sink, const std::string& yaml) {
    try {
        auto root = YAML::Load(yaml);
        // Not YAML::LoadAll: in yaml-cpp 0.7 it loops forever on a stray flow character (a
        // lone ","), where the parser reports an empty document again and again without
        // consuming anything. So: two rounds at most, and a repeated start is that error.
        std::istringstream in(yaml);
        YAML::Parser parser(in);
        document_starts events;
        for (int round = 0; round < 2 && parser.HandleNextDocument(events); ++round) {
        }
        const auto& m = events.marks;
        if (m.size() > 1 && m[1].pos == m[0].pos) {
            sink.add("", "YAML syntax error at " + at(m[0]) + ": unexpected flow character");
            return std::nullopt;
        }
        if (m.size() > 1) {
            sink.add("", "expected one YAML document, found another at " + at(m[1]));
            return std::nullopt;
        }
        return root;
    } catch (const YAML::ParserException& e) {
        sink.add("", "YAML syntax error at " + at(e.mark) + ": " + e.msg);
        return std::nullopt;
    }
}

namespace {

void wrong_type(problem_sink& sink, const std::string& path, const char* expected, yaml_kind got) {
    sink.add(path, std::string("expected ") + expected + ", got " + kind_name(got));
}

}  // namespace

bool read_string(problem_sink& sink, const YAML::Node& node, const std::string& path,
                 std::string& out) {
    auto kind = kind_of(node);
    if (kind != yaml_kind::string) {
        // YAML reads a plain `yes`, `off` or `1.0` as a boolean or a number, not as text.
        bool scalar =
            kind == yaml_kind::boolean || kind == yaml_kind::integer || kind == yaml_kind::number;
        sink.add(path, std::string("expected a string, got ") + kind_name(kind) +
                           (scalar ? " (put text in quotes)" : ""));
        return false;
    }
    out = node.Scalar();
    return true;
}

bool read_int(problem_sink& sink, const YAML::Node& node, const std::string& path, std::int64_t min,
              std::int64_t max, std::int64_t& out) {
    auto kind = kind_of(node);
    if (kind != yaml_kind::integer) {
        wrong_type(sink, path, "a whole number", kind);
        return false;
    }
    // Only plain decimal: YAML 1.1 also reads 0755 as octal and 1:30 as 90, which surprises.
    static const std::regex k_decimal("[-+]?(0|[1-9][0-9]*)");
    const auto& s = node.Scalar();
    if (!std::regex_match(s, k_decimal)) {
        sink.add(path, "write whole numbers in plain decimal (no leading zeros, 0x, _ or :)");
        return false;
    }
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || v < min || v > max) {
        sink.add(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        return false;
    }
    out = v;
    return true;
}

bool read_bool(problem_sink& sink, const YAML::Node& node, const std::string& path, bool& out) {
    auto kind = kind_of(node);
    if (kind != yaml_kind::boolean) {
        wrong_type(sink, path, "true or false", kind);
        return false;
    }
    const auto& s = node.Scalar();
    out = s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "Yes" || s == "YES" ||
          s == "on" || s == "On" || s == "ON";
    return true;
}

bool read_list(problem_sink& sink, const YAML::Node& node, const std::string& path,
               const std::function<void(const YAML::Node&, const std::string&)>& item) {
    auto kind = kind_of(node);
    if (kind != yaml_kind::list) {
        wrong_type(sink, path, "a list", kind);
        return false;
    }
    std::size_t i = 0;
    for (const auto& entry : node) {
        if (!sink.spend()) return true;
        item(entry, index_path(path, i++));
    }
    return true;
}

bool read_string_list(problem_sink& sink, const YAML::Node& node, const std::string& path,
                      std::vector<std::string>& out) {
    std::vector<std::string> items;
    bool ok = read_list(sink, node, path, [&](const YAML::Node& n, const std::string& p) {
        std::string s;
        if (read_string(sink, n, p, s) && s.empty()) sink.add(p, "must not be empty");
        items.push_back(std::move(s));
    });
    if (ok) out = std::move(items);
    return ok;
}

map_reader::map_reader(problem_sink& sink, const YAML::Node& node, std::string path)
    : sink_(sink), path_(std::move(path)) {
    auto kind = kind_of(node);
    if (kind != yaml_kind::mapping) {
        wrong_type(sink_, path_, "a mapping", kind);
        return;
    }
    valid_ = true;
    for (const auto& kv : node) {
        if (!sink_.spend()) break;
        if (kind_of(kv.first) != yaml_kind::string) {
            sink_.add(path_,
                      std::string("keys must be strings, got ") + kind_name(kind_of(kv.first)));
            continue;
        }
        entries_.push_back({kv.first.Scalar(), kv.second});
    }
}

const YAML::Node* map_reader::get(std::string_view key) {
    known_.emplace_back(key);
    const YAML::Node* found = nullptr;
    for (auto& e : entries_) {
        if (e.key != key) continue;
        if (found && !e.known) sink_.add(key_path(key), "duplicate key");
        if (!found) found = &e.value;
        e.known = true;
    }
    return found;
}

const YAML::Node* map_reader::need(std::string_view key) {
    const auto* node = get(key);
    if (valid_ && !node) sink_.add(key_path(key), "missing required key");
    return node;
}

bool map_reader::string(std::string_view key, std::string& out, bool required) {
    const auto* node = required ? need(key) : get(key);
    return node && read_string(sink_, *node, key_path(key), out);
}

bool map_reader::boolean(std::string_view key, bool& out) {
    const auto* node = get(key);
    return node && read_bool(sink_, *node, key_path(key), out);
}

bool map_reader::string_list(std::string_view key, std::vector<std::string>& out, bool required) {
    const auto* node = required ? need(key) : get(key);
    return node && read_string_list(sink_, *node, key_path(key), out);
}

bool map_reader::list(std::string_view key,
                      const std::function<void(const YAML::Node&, const std::string&)>& item,
                      bool required) {
    const auto* node = required ? need(key) : get(key);
    return node && read_list(sink_, *node, key_path(key), item);
}

void map_reader::finish(bool hide_names) {
    auto allowed = known_;
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    std::string hint;
    for (const auto& a : allowed) hint += (hint.empty() ? "" : ", ") + a;
    for (const auto& e : entries_) {
        if (e.known) continue;
        if (e.key == "<<")
            sink_.add(path_, "YAML merge keys (<<) are not supported; write the keys out");
        else if (hide_names)
            sink_.add(path_, "unknown key (not shown: it may be a secret); allowed: " + hint);
        else
            sink_.add(key_path(printable(e.key)),
                      "unknown key " + quote(e.key) + "; allowed: " + hint);
    }
}

}  // namespace wire::config::detail
