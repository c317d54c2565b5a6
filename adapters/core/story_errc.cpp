#include "story_errc.hpp"

#include <string>

namespace wire::adapters {
namespace {

class story_category_impl final : public std::error_category {
  public:
    const char* name() const noexcept override { return "wire.story"; }
    std::string message(int ev) const override {
        return std::string(to_string(static_cast<story_errc>(ev)));
    }
};

}  // namespace

std::string_view to_string(story_errc e) noexcept {
    switch (e) {
        case story_errc::ok:
            return "ok";
        case story_errc::malformed:
            return "malformed";
        case story_errc::unsupported:
            return "unsupported";
        case story_errc::missing_required:
            return "missing_required";
        case story_errc::bad_charset:
            return "bad_charset";
        case story_errc::too_large:
            return "too_large";
        case story_errc::bad_value:
            return "bad_value";
        case story_errc::unknown_format:
            return "unknown_format";
    }
    return "unknown";
}

const std::error_category& story_category() noexcept {
    static const story_category_impl instance;
    return instance;
}

std::error_code make_error_code(story_errc e) noexcept {
    return {static_cast<int>(e), story_category()};
}

}  // namespace wire::adapters
