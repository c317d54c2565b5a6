// Routing rules (config.hpp route_match / route_rule) applied to a story.
#include "routing/router.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/concepts.hpp"

namespace wire::routing {

namespace {

// ---- UTF-8 helpers: case folding and word boundaries for Latin, Greek and Cyrillic text ----

// The code point starting at s[i] and its length; an invalid byte stands for itself (length 1)
// so folding and matching never stop on bad input.
std::uint32_t decode_at(std::string_view s, std::size_t i, std::size_t& len) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    len = 1;
    if (b0 < 0x80) return b0;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2, cp = b0 & 0x1Fu;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, cp = b0 & 0x0Fu;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, cp = b0 & 0x07u;
    } else {
        return b0;
    }
    if (i + n > s.size()) return b0;
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return b0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    len = n;
    return cp;
}

// The code point ending just before s[end].
std::uint32_t decode_before(std::string_view s, std::size_t end) {
    std::size_t start = end - 1;
    while (start > 0 && end - start < 4 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80) {
        --start;
    }
    std::size_t len = 0;
    const std::uint32_t cp = decode_at(s, start, len);
    return start + len == end ? cp : static_cast<unsigned char>(s[end - 1]);
}

void encode(std::uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

// Simple lower-casing of the scripts our agencies write in: ASCII, Latin-1, Latin Extended-A,
// Greek and Cyrillic (Interfax). Other code points are left as they are.
std::uint32_t lower_cp(std::uint32_t c) {
    if (c >= 'A' && c <= 'Z') return c + 32;
    if (c < 0xC0) return c;
    if (c <= 0xDE) return c == 0xD7 ? c : c + 32;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
        if (c == 0x178) return 0xFF;
        const bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
        return (c % 2 == (odd_upper ? 1u : 0u)) ? c + 1 : c;
    }
    if (c >= 0x391 && c <= 0x3A9) return c == 0x3A2 ? c : c + 32;
    if (c == 0x386) return 0x3AC;
    if (c >= 0x388 && c <= 0x38A) return c + 37;
    if (c == 0x38C) return 0x3CC;
    if (c == 0x38E || c == 0x38F) return c + 63;
    if (c >= 0x400 && c <= 0x40F) return c + 80;
    if (c >= 0x410 && c <= 0x42F) return c + 32;
    if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF)) return c % 2 == 0 ? c + 1 : c;
    return c;
}

std::string fold(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::size_t len = 0;
        const std::uint32_t cp = decode_at(s, i, len);
        if (len == 1 && cp >= 0x80) {
            out.push_back(s[i]);  // invalid byte: kept as is
        } else {
            encode(lower_cp(cp), out);
        }
        i += len;
    }
    return out;
}

// Folded, with runs of whitespace (ASCII and no-break space) as one space, ends trimmed: a
// headline broken over lines still contains the phrase "central bank".
std::string fold_words(std::string_view s) {
    const std::string f = fold(s);
    std::string out;
    out.reserve(f.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < f.size();) {
        std::size_t len = 0;
        const std::uint32_t cp = decode_at(f, i, len);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
            cp == 0xA0) {
            pending_space = !out.empty();
        } else {
            if (pending_space) out.push_back(' ');
            pending_space = false;
            out.append(f, i, len);
        }
        i += len;
    }
    return out;
}

// Letters and digits of any script are word characters; ASCII punctuation, Latin-1 symbols and
// the general and CJK punctuation blocks (curly quotes, dashes, ellipsis) are not.
bool is_word_cp(std::uint32_t c) {
    if (c < 0x80) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               c == '_';
    }
    if (c <= 0xBF || c == 0xD7 || c == 0xF7) return false;
    if (c >= 0x2000 && c <= 0x206F) return false;
    if (c >= 0x3000 && c <= 0x303F) return false;
    return true;
}

// `kw` occurs in `text` as whole words: a keyword edge that is a word character must not be
// glued to another word character. Both are fold_words() forms.
bool contains_words(std::string_view text, std::string_view kw) {
    if (kw.empty() || kw.size() > text.size()) return false;
    std::size_t first_len = 0;
    const bool word_start = is_word_cp(decode_at(kw, 0, first_len));
    const bool word_end = is_word_cp(decode_before(kw, kw.size()));
    for (std::size_t pos = text.find(kw); pos != std::string_view::npos;
         pos = text.find(kw, pos + 1)) {
        const std::size_t end = pos + kw.size();
        const bool left_ok = !word_start || pos == 0 || !is_word_cp(decode_before(text, pos));
        std::size_t len = 0;
        const bool right_ok =
            !word_end || end == text.size() || !is_word_cp(decode_at(text, end, len));
        if (left_ok && right_ok) return true;
    }
    return false;
}

// The part after the last '/' or ':': "04000000" of a mediatopic URI or "medtop:04000000".
std::string_view trailing_code(std::string_view s) {
    const std::size_t p = s.find_last_of("/:");
    return p == std::string_view::npos ? s : s.substr(p + 1);
}

bool any_equal(const std::vector<std::string>& wanted, std::string_view folded) {
    return std::find(wanted.begin(), wanted.end(), folded) != wanted.end();
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
    if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// What rules compare against, folded once per story and only when a rule needs it.
class story_facts {
  public:
    explicit story_facts(const adapters::story& s) : s_(s) {}

    const std::string& agency() { return once(agency_, s_.wire.agency); }
    const std::string& feed() { return once(feed_, s_.wire.feed); }
    const std::string& format() { return once(format_, s_.wire.format); }
    const std::string& language() { return once(language_, s_.language); }
    const std::string& category() { return once(category_, s_.wire.category); }

    struct subject {
        std::string uri, literal, name;
    };
    const std::vector<subject>& subjects() {
        if (!subjects_) {
            subjects_.emplace();
            for (const auto& c : s_.subjects) {
                subjects_->push_back({fold(c.uri), fold(c.literal), fold(c.name)});
            }
        }
        return *subjects_;
    }

    // Headlines, slugline and wire keywords, in fold_words() form.
    const std::vector<std::string>& texts() {
        if (!texts_) {
            texts_.emplace();
            for (const auto& h : s_.headlines) texts_->push_back(fold_words(h.value));
            texts_->push_back(fold_words(s_.slugline));
            for (const auto& k : s_.wire.keywords) texts_->push_back(fold_words(k));
        }
        return *texts_;
    }

  private:
    static const std::string& once(std::optional<std::string>& slot, std::string_view raw) {
        if (!slot) slot = fold(raw);
        return *slot;
    }
    const adapters::story& s_;
    std::optional<std::string> agency_, feed_, format_, language_, category_;
    std::optional<std::vector<subject>> subjects_;
    std::optional<std::vector<std::string>> texts_;
};

// "en" matches "en", "en-us" and "en-gb", not "eng". Both folded.
bool language_matches(std::string_view wanted, std::string_view lang) {
    if (lang.empty() || lang.size() < wanted.size() || lang.substr(0, wanted.size()) != wanted) {
        return false;
    }
    return lang.size() == wanted.size() || lang[wanted.size()] == '-';
}

}  // namespace

router::router(config::routing_config cfg) : cfg_(std::move(cfg)) {
    compiled_.reserve(cfg_.rules.size());
    const auto fold_all = [](const std::vector<std::string>& v) {
        std::vector<std::string> out;
        out.reserve(v.size());
        for (const auto& s : v) out.push_back(fold(s));
        return out;
    };
    for (const auto& rule : cfg_.rules) {
        const config::route_match& m = rule.match;
        compiled_match c;
        c.agency = fold_all(m.agency);
        c.feed = fold_all(m.feed);
        c.format = fold_all(m.format);
        c.signal = fold_all(m.signal);
        c.language = fold_all(m.language);
        c.category = fold_all(m.category);
        for (const auto& k : m.keywords) c.keywords.push_back(fold_words(k));
        for (const auto& s : m.subject) {
            subject_criterion sc{fold(s), ""};
            // A QCode with a known scheme also matches the NewsCodes URI adapters store.
            if (!adapters::qcode_alias(s).empty() && s.find("://") == std::string::npos) {
                sc.uri = fold(adapters::code_concept("", s).uri);
            }
            c.subject.push_back(std::move(sc));
        }
        compiled_.push_back(std::move(c));
    }
}

route_decision router::route(const adapters::story& s) const {
    route_decision d;
    story_facts facts(s);
    const auto matches = [&](const config::route_match& m, const compiled_match& c) {
        if (!c.agency.empty() && !any_equal(c.agency, facts.agency())) return false;
        if (!c.feed.empty() && !any_equal(c.feed, facts.feed())) return false;
        if (!c.format.empty() && !any_equal(c.format, facts.format())) return false;
        if (m.urgency_min || m.urgency_max) {
            if (!s.urgency) return false;
            if (m.urgency_min && *s.urgency < *m.urgency_min) return false;
            if (m.urgency_max && *s.urgency > *m.urgency_max) return false;
        }
        if (!c.signal.empty() && !any_equal(c.signal, adapters::to_string(s.wire.signal))) {
            return false;
        }
        if (!c.language.empty() &&
            std::none_of(c.language.begin(), c.language.end(), [&](const std::string& l) {
                return language_matches(l, facts.language());
            })) {
            return false;
        }
        if (!c.category.empty() && !any_equal(c.category, facts.category())) return false;
        if (!c.subject.empty() &&
            std::none_of(c.subject.begin(), c.subject.end(), [&](const subject_criterion& sc) {
                const auto& subjects = facts.subjects();
                return std::any_of(subjects.begin(), subjects.end(), [&](const auto& sub) {
                    if (sc.text.empty()) return false;
                    return sub.uri == sc.text || sub.literal == sc.text || sub.name == sc.text ||
                           (!sc.uri.empty() && sub.uri == sc.uri) ||
                           (!sub.uri.empty() && trailing_code(sub.uri) == sc.text) ||
                           (!sub.literal.empty() && trailing_code(sub.literal) == sc.text);
                });
            })) {
            return false;
        }
        if (!c.keywords.empty() &&
            std::none_of(c.keywords.begin(), c.keywords.end(), [&](const std::string& k) {
                const auto& texts = facts.texts();
                return std::any_of(texts.begin(), texts.end(),
                                   [&](const std::string& t) { return contains_words(t, k); });
            })) {
            return false;
        }
        return true;
    };

    bool routed = false;
    for (std::size_t i = 0; i < cfg_.rules.size(); ++i) {
        const config::route_rule& rule = cfg_.rules[i];
        if (!matches(rule.match, compiled_[i])) continue;
        d.rule_names.push_back(rule.name);
        for (const auto& t : rule.topics) add_unique(d.topics, t);
        routed = routed || !rule.copy;
    }
    if (!routed) {
        for (const auto& t : cfg_.default_topics) add_unique(d.topics, t);
    }
    // Lifecycle alerts reach the alerts desk whatever the rules say: a kill that no rule
    // routes (a story never seen, an unknown desk) must still be published somewhere watched.
    const auto sig = s.wire.signal;
    if (!cfg_.alerts_topic.empty() &&
        (sig == adapters::signal_kind::kill || sig == adapters::signal_kind::withhold ||
         sig == adapters::signal_kind::correction)) {
        add_unique(d.topics, cfg_.alerts_topic);
        d.rule_names.push_back("alerts_topic");
    }
    return d;
}

}  // namespace wire::routing
