#include "charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace wire::adapters {
namespace {

std::string lower_alnum(std::string_view s) {
    std::string out;
    for (char c : s)
        if (std::isalnum(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool has_multibyte(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
}

// iconv_open loads the charset's gconv module (a dlopen) and iconv_close unloads it again: that
// was a fifth of a telex story's normalize() time. Descriptors stay open, one per thread and
// canonical charset (a handful), and are reset before each use.
class iconv_cache {
  public:
    ~iconv_cache() {
        for (auto& e : open_) iconv_close(e.second);
    }
    // An open descriptor in its initial state, or (iconv_t)-1.
    iconv_t get(const std::string& charset) {
        for (auto& [name, cd] : open_)
            if (name == charset) {
                iconv(cd, nullptr, nullptr, nullptr, nullptr);
                return cd;
            }
        iconv_t cd = iconv_open("UTF-8", charset.c_str());
        if (cd != reinterpret_cast<iconv_t>(-1) && open_.size() < 16)
            open_.emplace_back(charset, cd);
        return cd;
    }
    // Closes descriptors get() did not keep.
    void release(iconv_t cd) {
        for (auto& e : open_)
            if (e.second == cd) return;
        iconv_close(cd);
    }

  private:
    std::vector<std::pair<std::string, iconv_t>> open_;
};

// iconv from `charset` to UTF-8; reports the offset of the first byte it cannot convert.
std::variant<std::string, adapter_error> iconv_to_utf8(std::string_view raw,
                                                       const std::string& charset) {
    thread_local iconv_cache cache;
    iconv_t cd = cache.get(charset);
    if (cd == reinterpret_cast<iconv_t>(-1))
        return adapter_error{story_errc::bad_charset, "charset " + charset + " is not available"};
    std::string out(raw.size() * 3 + 16, '\0');  // single-byte charsets grow at most 3x
    char* in = const_cast<char*>(raw.data());
    size_t in_left = raw.size();
    char* o = out.data();
    size_t out_left = out.size();
    // Every charset we transcode with iconv is single-byte. A byte the charset leaves undefined
    // (0x81 in windows-1252, 0x98 in windows-1251) becomes the C1 control of the same value, as
    // the WHATWG Encoding Standard decodes it; clean_text() later drops C1 controls.
    while (iconv(cd, &in, &in_left, &o, &out_left) == static_cast<size_t>(-1)) {
        auto offset = static_cast<size_t>(in - raw.data());
        auto byte = static_cast<unsigned char>(raw[offset]);
        if (errno != EILSEQ || byte < 0x80 || byte > 0x9F || out_left < 2) {
            cache.release(cd);
            return adapter_error{story_errc::bad_charset,
                                 "byte " + std::to_string(byte) + " is not valid " + charset,
                                 offset, ""};
        }
        *o++ = '\xC2';
        *o++ = static_cast<char>(byte);
        out_left -= 2;
        ++in;
        --in_left;
    }
    cache.release(cd);
    out.resize(out.size() - out_left);
    return out;
}

// What each byte 0x80-0xFF of a single-byte charset is in UTF-8, built once per thread and
// charset with iconv (undefined bytes become C1 controls, as above).
const std::vector<std::string>& high_bytes(const std::string& charset) {
    thread_local std::vector<std::pair<std::string, std::vector<std::string>>> tables;
    for (const auto& [name, table] : tables)
        if (name == charset) return table;
    std::vector<std::string> table(128);
    for (int b = 0x80; b <= 0xFF; ++b) {
        const char byte = static_cast<char>(b);
        auto one = iconv_to_utf8(std::string_view(&byte, 1), charset);
        if (auto* u = std::get_if<std::string>(&one)) table[static_cast<size_t>(b - 0x80)] = *u;
    }
    if (tables.size() >= 16) tables.clear();
    tables.emplace_back(charset, std::move(table));
    return tables.back().second;
}

struct utf8_census {
    size_t multibyte = 0;  // valid sequences of two to four bytes (1 = some, for valid input)
    size_t invalid = 0;    // bytes that start no valid sequence
    size_t first_invalid = std::string_view::npos;
};

utf8_census count_utf8(std::string_view s) {
    utf8_census c;
    // Valid UTF-8 (nearly every input): the fast scan says so, and whether any sequence is
    // multi-byte is all the rules need; the byte-by-byte census only for invalid input.
    if (utf8_invalid_offset(s) == std::string_view::npos) {
        c.multibyte = has_multibyte(s) ? 1 : 0;
        return c;
    }
    for (size_t i = 0; i < s.size();) {
        if (static_cast<unsigned char>(s[i]) < 0x80) {
            ++i;
            continue;
        }
        const size_t len = utf8_sequence_length(s[i]);
        if (len > 1 && i + len <= s.size() &&
            utf8_invalid_offset(s.substr(i, len)) == std::string_view::npos) {
            ++c.multibyte;
            i += len;
        } else {
            if (c.invalid++ == 0) c.first_invalid = i;
            ++i;
        }
    }
    return c;
}

// UTF-8 with its stray bytes repaired: every valid sequence kept, every byte that starts none
// read as one character of the single-byte `charset` (copy edited in two systems, a latin-1
// byte pasted into UTF-8 text).
std::string repair_utf8(std::string_view s, const std::string& charset) {
    const auto& table = high_bytes(charset);
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t len = c < 0x80 ? 1 : utf8_sequence_length(s[i]);
        if (len > 1 && i + len <= s.size() &&
            utf8_invalid_offset(s.substr(i, len)) == std::string_view::npos) {
            out.append(s.substr(i, len));
            i += len;
        } else if (c < 0x80) {
            out += s[i++];
        } else {
            out += table[c - 0x80];
            ++i;
        }
    }
    return out;
}

}  // namespace

size_t utf8_sequence_length(char lead) {
    const auto c = static_cast<unsigned char>(lead);
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) return 2;
    if ((c & 0xF0) == 0xE0) return 3;
    if ((c & 0xF8) == 0xF0) return 4;
    return 0;
}

std::string canonical_charset(std::string_view label) {
    const std::string l = lower_alnum(label);
    if (l == "utf8") return "utf-8";
    if (l == "usascii" || l == "ascii" || l == "ansix341968") return "us-ascii";
    // WHATWG: every latin-1 label means windows-1252.
    if (l == "iso88591" || l == "latin1" || l == "l1" || l == "iso885911987" || l == "cp819" ||
        l == "windows1252" || l == "cp1252" || l == "xcp1252")
        return "windows-1252";
    if (l == "windows1251" || l == "cp1251" || l == "xcp1251") return "windows-1251";
    if (l == "koi8r" || l == "koi8") return "koi8-r";
    if (l == "iso88595" || l == "cyrillic") return "iso-8859-5";
    if (l == "iso885915" || l == "latin9") return "iso-8859-15";
    return "";
}

std::string xml_declared_encoding(std::string_view raw) {
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    size_t start = raw.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos || raw.substr(start, 5) != "<?xml") return "";
    size_t end = raw.find("?>", start);
    if (end == std::string_view::npos || end > 512) return "";
    std::string_view decl = raw.substr(start, end - start);
    size_t e = decl.find("encoding");
    if (e == std::string_view::npos) return "";
    size_t q = decl.find_first_of("\"'", e);
    if (q == std::string_view::npos) return "";
    size_t q2 = decl.find(decl[q], q + 1);
    if (q2 == std::string_view::npos) return "";
    return std::string(decl.substr(q + 1, q2 - q - 1));
}

size_t utf8_invalid_offset(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t n = s.size(), i = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            ++i;
            // ASCII runs eight bytes at a time.
            for (std::uint64_t w; i + 8 <= n; i += 8) {
                std::memcpy(&w, p + i, 8);
                if (w & 0x8080808080808080ull) break;
            }
            continue;
        }
        size_t len;
        unsigned min;
        unsigned cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1Fu;
            min = 0x80;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0Fu;
            min = 0x800;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07u;
            min = 0x10000;
        } else
            return i;
        if (i + len > n) return i;
        for (size_t k = 1; k < len; ++k) {
            if ((p[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (p[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += len;
    }
    return std::string_view::npos;
}

bool is_valid_utf8(std::string_view s) { return utf8_invalid_offset(s) == std::string_view::npos; }

std::variant<decoded_text, adapter_error> decode_to_utf8(std::string_view raw,
                                                         std::string_view declared,
                                                         std::string_view fallback) {
    decoded_text out;
    out.declared = std::string(declared);
    size_t base = 0;  // offsets in warnings count from the caller's first byte, BOM included
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") {
        raw.remove_prefix(3);
        base = 3;
        out.bom_bytes = 3;
    }
    std::string single_byte = canonical_charset(fallback);
    if (single_byte.empty() || single_byte == "utf-8" || single_byte == "us-ascii")
        single_byte = "windows-1252";

    // An unknown label is not a reason to lose the story: the bytes decide, as if undeclared.
    std::string want = declared.empty() ? std::string() : canonical_charset(declared);
    if (!declared.empty() && want.empty())
        out.warning = "declared charset '" + std::string(declared) + "' is not supported; ";
    const utf8_census census = count_utf8(raw);
    const bool utf8_ok = census.invalid == 0;
    // Undeclared: UTF-8 when the format says so (JSON, XML) or the bytes are; else the profile's.
    const bool utf8_expected = canonical_charset(fallback) == "utf-8";
    if (want.empty()) want = utf8_ok || utf8_expected ? "utf-8" : single_byte;
    if (want == "us-ascii" && census.invalid > 0) {
        out.warning += "declared " + std::string(declared) + " but the bytes are 8-bit; ";
        want = single_byte;
    }

    // Mislabelled copy: declared single-byte but the bytes are (mostly) UTF-8 with multi-byte
    // sequences. More valid sequences than stray bytes reads as UTF-8 with the strays repaired.
    if (want != "utf-8" && census.multibyte > 0 && census.multibyte > census.invalid) {
        out.warning += "declared " + std::string(declared.empty() ? fallback : declared) +
                       " but the bytes are UTF-8; decoded as UTF-8";
        want = "utf-8";
    } else if (!out.warning.empty()) {
        out.warning += "decoded as " + want;
    }
    if (want == "utf-8" && census.invalid > 0) {
        if (!out.warning.empty()) out.warning += "; ";
        out.warning += std::to_string(census.invalid) + " byte" +
                       (census.invalid == 1 ? " was" : "s were") +
                       " not valid UTF-8 (the first at byte " +
                       std::to_string(base + census.first_invalid) + "); read as " + single_byte;
        out.used = "utf-8";
        out.utf8 = repair_utf8(raw, single_byte);
        return out;
    }
    out.used = want;
    if (want == "utf-8" || (want == "us-ascii" && !has_multibyte(raw))) {
        out.utf8.assign(raw);
        return out;
    }
    auto converted = iconv_to_utf8(raw, want);
    if (auto* err = std::get_if<adapter_error>(&converted)) {
        if (err->offset) *err->offset += base;
        return *err;
    }
    out.utf8 = std::move(std::get<std::string>(converted));
    return out;
}

}  // namespace wire::adapters
