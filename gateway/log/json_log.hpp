#pragma once
// Structured logs: one JSON object per line on stderr,
//   {"ts":"2026-11-28T04:13:13.123Z","level":"info","event":"story",…fields}
// built with log_event(). Never put a story body or a secret in a field.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "core/json_writer.hpp"

namespace wire::log {

/// Configures spdlog's default logger for JSON lines on stderr at `level` (trace…error).
/// Returns false when the level name is unknown (then "info" is used).
bool init_json_logging(std::string_view level);

/// Collects the fields of one log line.
class event {
  public:
    explicit event(std::string_view name) { w_.begin_object().key("event").value(name); }
    event& field(std::string_view k, std::string_view v) {
        w_.key(k).value(v);
        return *this;
    }
    event& field(std::string_view k, const char* v) { return field(k, std::string_view(v)); }
    event& field(std::string_view k, const std::string& v) { return field(k, std::string_view(v)); }
    event& field(std::string_view k, std::int64_t v) {
        w_.key(k).value(v);
        return *this;
    }
    event& field(std::string_view k, int v) { return field(k, static_cast<std::int64_t>(v)); }
    event& field(std::string_view k, std::size_t v) {
        return field(k, static_cast<std::int64_t>(v));
    }
    /// Raw JSON (an array or object built with json_writer).
    event& raw(std::string_view k, std::string_view json);
    /// The members without the outer braces: the logger's pattern supplies them.
    std::string members() const;

  private:
    adapters::json_writer w_;
};

inline void emit(spdlog::level::level_enum lvl, const event& e) {
    spdlog::log(lvl, "{}", e.members());
}
inline void info(const event& e) { emit(spdlog::level::info, e); }
inline void warn(const event& e) { emit(spdlog::level::warn, e); }
inline void error(const event& e) { emit(spdlog::level::err, e); }

}  // namespace wire::log
