#pragma once
// Textual lifecycle markers that telex copy and editor notes carry ("CORRECTED-", "KILL",
// "1STLD-WRITETHRU", "Berichtigung", "ИСПРАВЛЕНИЕ"). Shared by every adapter so the vocabulary
// is one table, not eight.
#include <optional>
#include <string_view>

#include "story.hpp"

namespace wire::adapters {

/// The strongest signal a marker in this text names, or nullopt. Case-insensitive for Latin and
/// Cyrillic; matches whole words only ("RECORRECTED" is not a correction).
std::optional<signal_kind> signal_from_text(std::string_view text);

/// A marker at the head of a headline ("CORRECTED-", "KILL:", "UPDATE 1-"): only the part
/// before an early colon, or the leading capitals, is searched, so an ordinary word in a
/// headline ("plans to update rules") is not taken for a signal.
std::optional<signal_kind> headline_signal(std::string_view headline);

/// Keeps the stronger of two signals (kill > withhold > correction > update > advisory > repeat).
signal_kind stronger(signal_kind a, signal_kind b);

}  // namespace wire::adapters
