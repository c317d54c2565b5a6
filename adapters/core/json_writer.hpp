#pragma once
// A minimal streaming JSON writer: enough for our envelopes, always valid output (strings are
// escaped per RFC 8259, control characters as \u00XX). Input strings must be valid UTF-8.
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
    void quote(std::string_view s) {
        static constexpr char hex[] = "0123456789abcdef";
        out_ += '"';
        // Runs that need no escape are appended whole (the common case: all of a string).
        size_t run = 0;
        for (size_t i = 0; i < s.size(); ++i) {
            auto u = static_cast<unsigned char>(s[i]);
            if (u >= 0x20 && u != '"' && u != '\\') continue;
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
            }
        }
        out_.append(s.data() + run, s.size() - run);
        out_ += '"';
    }
    std::string out_;
    bool first_ = true;
};

}  // namespace wire::adapters
