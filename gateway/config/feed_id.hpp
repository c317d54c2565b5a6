#pragma once
// The one rule for a feed id (also agency ids and listener names): 1 to 64 of a-z 0-9 . _ -,
// starting with a letter or a digit. Feed ids appear in URLs, metric labels, Kafka headers and
// keys, so nothing else is allowed: no '/', '%', upper case or control bytes.
#include <string_view>

namespace wire::config {

constexpr bool is_feed_id(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    return s.front() != '.' && s.front() != '_' && s.front() != '-';
}

static_assert(is_feed_id("ap-nitf") && is_feed_id("0") && !is_feed_id("-x") && !is_feed_id("A"));

}  // namespace wire::config
