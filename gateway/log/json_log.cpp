#include "log/json_log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace wire::log {

bool init_json_logging(std::string_view level) {
    auto logger = spdlog::stderr_logger_mt("wiregate");
    // UTC timestamps; the message supplies the remaining members of the JSON object.
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>(
        R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc));
    auto lvl = spdlog::level::from_str(std::string(level));
    bool known = lvl != spdlog::level::off || level == "off";
    logger->set_level(known ? lvl : spdlog::level::info);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
    return known;
}

event& event::raw(std::string_view k, std::string_view json) {
    w_.key(k).raw_value(json);
    return *this;
}

std::string event::members() const {
    std::string s = w_.str();  // "{…" without the closing brace
    return s.substr(1);
}

}  // namespace wire::log
