#pragma once
// A minimal streaming JSON writer: enough for our envelopes, always valid output (strings are
// escaped per RFC 8259, control characters as \u00XX). Strings should be UTF-8; a byte that
// does not begin a valid UTF-8 sequence is written as U+FFFD, so that bytes quoted from a
// sender's input (an error message naming an undecodable charset) cannot make the JSON invalid.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wire::adapters {

class json_writer {
  public:
    json_writer& begin_object() {
        sep();
        out_ += '{';
        first_ = true;
        return *this;
    }
    json_writer& end_object() {
        out_ += '}';
        first_ = false;
        return *this;
    }
    json_writer& begin_array() {
        sep();
        out_ += '[';
        first_ = true;
        return *this;
    }
    json_writer& end_array() {
        out_ += ']';
        first_ = false;
        return *this;
    }
    json_writer& key(std::string_view k) {
        sep();
        quote(k);
        out_ += ':';
        first_ = true;
        return *this;
    }
    json_writer& value(std::string_view v) {
        sep();
        quote(v);
        return *this;
    }
    json_writer& value(const char* v) { return value(std::string_view(v)); }
    json_writer& value(std::int64_t v) {
        sep();
        out_ += std::to_string(v);
        return *this;
    }
    json_writer& value(int v) { return value(static_cast<std::int64_t>(v)); }
    json_writer& value(bool v) {
        sep();
        out_ += v ? "true" : "false";
        return *this;
    }
    /// Splices already-serialised JSON in as one value.
    json_writer& raw_value(std::string_view json) {
        sep();
        out_ += json;
        return *this;
    }
    /// Writes "k": v unless v is empty.
    json_writer& field(std::string_view k, std::string_view v) {
        if (!v.empty()) key(k).value(v);
        return *this;
    }
    std::string take() { return std::move(out_); }
    const std::string& str() const { return out_; }

  private:
    void sep() {
        if (!first_) out_ += ',';
        first_ = false;
    }
    // The length of the valid UTF-8 sequence starting s[i] (>= 2 bytes), or 0.
    static std::size_t utf8_sequence(std::string_view s, std::size_t i) {
        const auto u = static_cast<unsigned char>(s[i]);
        std::size_t len = u >= 0xC2 && u <= 0xDF   ? 2
                          : u >= 0xE0 && u <= 0xEF ? 3
                          : u >= 0xF0 && u <= 0xF4 ? 4
                                                   : 0;
        if (len == 0 || s.size() - i < len) return 0;
        std::uint32_t cp = u & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c & 0xC0u) != 0x80u) return 0;
            cp = (cp << 6) | (c & 0x3Fu);
        }
        const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        return len;
    }
    void quote(std::string_view s) {
        static constexpr char hex[] = "0123456789abcdef";
        out_ += '"';
        // Runs that need no escape are appended whole (the common case: all of a string);
        // valid UTF-8 stays in the run, an invalid byte becomes U+FFFD.
        size_t run = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            auto u = static_cast<unsigned char>(s[i]);
            if (u >= 0x20 && u < 0x80 && u != '"' && u != '\\') continue;
            if (u >= 0x80) {
                if (auto n = utf8_sequence(s, i)) {
                    i += n - 1;
                    continue;
                }
            }
            out_.append(s.data() + run, i - run);
            run = i + 1;
            const char c = s[i];
            if (c == '"')
                out_ += "\\\"";
            else if (c == '\\')
                out_ += "\\\\";
            else if (c == '\n')
                out_ += "\\n";
            else if (c == '\t')
                out_ += "\\t";
            else if (c == '\r')
                out_ += "\\r";
            else if (u < 0x20) {
                out_ += "\\u00";
                out_ += hex[u >> 4];
                out_ += hex[u & 15];
            } else if (u >= 0x80) {
                out_ += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
            }
        }
        out_.append(s.data() + run, s.size() - run);
        out_ += '"';
    }
    std::string out_;
    bool first_ = true;
};

}  // namespace wire::adapters
