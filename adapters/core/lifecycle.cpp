#include "lifecycle.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "text.hpp"

namespace wire::adapters {
namespace {

struct marker {
    std::string_view word;  // lower-case
    signal_kind signal;
};

// Whole-word markers; multi-word ones are matched as phrases. Past participles ("killed",
// "withheld") are left out on purpose: an ednote saying "two people were killed" is no kill.
constexpr marker k_markers[] = {
    {"kill", signal_kind::kill},
    {"mandatory kill", signal_kind::kill},
    {"elimination", signal_kind::kill},
    {"disregard", signal_kind::kill},
    {"story canceled", signal_kind::kill},
    {"story cancelled", signal_kind::kill},
    {"отмена", signal_kind::kill},
    {"аннулирование", signal_kind::kill},
    {"annulliert", signal_kind::kill},
    {"withhold", signal_kind::withhold},
    {"sperrvermerk", signal_kind::withhold},
    {"не использовать", signal_kind::withhold},
    {"correction", signal_kind::correction},
    {"corrected", signal_kind::correction},
    {"corrective", signal_kind::correction},
    {"correct", signal_kind::correction},
    {"clarification", signal_kind::correction},
    {"berichtigung", signal_kind::correction},
    {"korrektur", signal_kind::correction},
    {"исправление", signal_kind::correction},
    {"исправленная версия", signal_kind::correction},
    {"cor", signal_kind::correction},
    {"update", signal_kind::update},
    {"updates", signal_kind::update},
    {"writethru", signal_kind::update},
    {"corrects", signal_kind::correction},
    {"коррекция", signal_kind::correction},
    {"aktualisierung", signal_kind::update},
    {"wiederholung", signal_kind::repeat},
    {"lead", signal_kind::update},
    {"1st lead", signal_kind::update},
    {"2nd lead", signal_kind::update},
    {"обновление", signal_kind::update},
    {"дополнение", signal_kind::update},
    {"advisory", signal_kind::advisory},
    {"advisories", signal_kind::advisory},
    {"repeat", signal_kind::repeat},
    {"refile", signal_kind::repeat},
    {"rerun", signal_kind::repeat},
    {"повтор", signal_kind::repeat},
};

int rank(signal_kind s) {
    switch (s) {
        case signal_kind::kill:
            return 6;
        case signal_kind::withhold:
            return 5;
        case signal_kind::correction:
            return 4;
        case signal_kind::update:
            return 3;
        case signal_kind::advisory:
            return 2;
        case signal_kind::repeat:
            return 1;
        case signal_kind::new_story:
            return 0;
    }
    return 0;
}

// Lower-cases ASCII and Cyrillic capitals; everything that is not a letter or digit becomes a
// space so whole words can be found with " word ".
std::string words_of(std::string_view text) {
    std::string out = " ";
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            // hyphens separate too: "CORRECTED-NATO", "UPDATE 2-KILL", "1stLd-Writethru"
            out += std::isalnum(c) ? static_cast<char>(std::tolower(c)) : ' ';
        } else if (c == 0xD0 && i + 1 < text.size()) {
            auto n = static_cast<unsigned char>(text[i + 1]);
            if (n >= 0x90 && n <= 0x9F) {
                out += '\xD0';
                out += static_cast<char>(n + 0x20);
            } else if (n >= 0xA0 && n <= 0xAF) {
                out += '\xD1';
                out += static_cast<char>(n - 0x20);
            } else {
                out += '\xD0';
                out += static_cast<char>(n);
            }
            ++i;
        } else {
            out += static_cast<char>(c);
        }
    }
    out += ' ';
    return out;
}

}  // namespace

signal_kind stronger(signal_kind a, signal_kind b) { return rank(a) >= rank(b) ? a : b; }

std::optional<signal_kind> signal_from_text(std::string_view text) {
    if (text.size() > 4096) text = text.substr(0, 4096);  // markers sit at the top
    std::string hay = words_of(text);
    std::optional<signal_kind> best;
    for (const auto& m : k_markers) {
        std::string needle = " ";
        needle += m.word;
        needle += ' ';
        if (hay.find(needle) != std::string::npos && (!best || rank(m.signal) > rank(*best)))
            best = m.signal;
    }
    // AP writethru numbering: 1stLd, 2ndLd, 3rdLd, 11thLd …
    if (!best || rank(*best) < rank(signal_kind::update)) {
        for (size_t pos = hay.find("ld "); pos != std::string::npos;
             pos = hay.find("ld ", pos + 1)) {
            size_t start = hay.rfind(' ', pos) + 1;
            std::string_view word(hay.data() + start, pos + 2 - start);
            if (word.size() >= 5 && std::isdigit(static_cast<unsigned char>(word[0]))) {
                std::string_view suffix = word.substr(word.size() - 4);
                if (suffix == "stld" || suffix == "ndld" || suffix == "rdld" || suffix == "thld") {
                    best = signal_kind::update;
                    break;
                }
            }
        }
    }
    return best;
}

std::optional<signal_kind> headline_signal(std::string_view h) {
    constexpr auto npos = std::string_view::npos;
    size_t end = h.find(':');
    if (end == npos || end > 32) {
        end = 0;
        while (end < h.size() && end < 40 && !std::islower(static_cast<unsigned char>(h[end])))
            ++end;
        if (end < h.size()) {  // drop the word the lower-case letter belongs to
            size_t cut = h.substr(0, end).find_last_of(" -");
            end = cut == npos ? 0 : cut + 1;
        }
    }
    // Markers are chained with hyphens ("CORRECTED-UPDATE 2-"): read them word by word.
    std::string head(h.substr(0, end));
    std::replace(head.begin(), head.end(), '-', ' ');
    return signal_from_text(head);
}

}  // namespace wire::adapters
