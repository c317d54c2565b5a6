#include "normalize.hpp"

#include <openssl/evp.h>

#include <algorithm>

#include "charset.hpp"
#include "datetime.hpp"
#include "registry.hpp"
#include "text.hpp"

namespace wire::adapters {

std::string sha256_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

namespace {

// The first bytes that matter for sniffing: no BOM, no whitespace, no DEL padding.
std::string_view sniff_head(std::string_view raw) {
    if (raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
    size_t i = 0;
    while (
        i < raw.size() && i < 4096 &&
        (raw[i] == ' ' || raw[i] == '\t' || raw[i] == '\r' || raw[i] == '\n' || raw[i] == '\x7F'))
        ++i;
    return raw.substr(i, 4096);
}

adapter_error error(story_errc code, std::string message, std::optional<size_t> offset = {},
                    std::string path = {}) {
    return adapter_error{code, std::move(message), offset, std::move(path)};
}

struct blanked {
    std::size_t count = 0;
    std::size_t first = 0;
};

// NUL and the other C0 controls (TAB, LF and CR aside) are not allowed in JSON strings or XML
// text, yet telex-fed systems leave them in copy. Each becomes a space, so every offset in an
// error still points at the sender's byte.
blanked blank_controls(std::string& text) {
    blanked b;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
            if (b.count++ == 0) b.first = i;
            text[i] = ' ';
        }
    }
    return b;
}

}  // namespace

std::string sniff_format(std::string_view raw) {
    std::string_view head = sniff_head(raw);
    auto adapters = registered_adapters();
    std::stable_sort(adapters.begin(), adapters.end(),
                     [](const auto& a, const auto& b) { return a.sniff_rank < b.sniff_rank; });
    for (const auto& a : adapters)
        if (a.sniff && a.sniff(head)) return a.id;
    return "";
}

normalize_result normalize(std::string_view raw, const normalize_options& opts) {
    normalize_result result;
    auto fail = [&](adapter_error e) {
        result.items.emplace_back(std::move(e));
        return result;
    };
    if (raw.size() > opts.max_bytes)
        return fail(error(story_errc::too_large,
                          "input is " + std::to_string(raw.size()) + " bytes, the limit is " +
                              std::to_string(opts.max_bytes),
                          opts.max_bytes));
    if (trim(sniff_head(raw)).empty())
        return fail(error(story_errc::malformed, "input is empty", 0));

    const profile* prof = opts.profile.empty() ? &generic_profile() : find_profile(opts.profile);
    if (!prof)
        return fail(error(story_errc::unsupported, "unknown profile '" + opts.profile + "'"));

    std::string format =
        opts.format.empty() || opts.format == "auto" ? sniff_format(raw) : opts.format;
    if (format.empty())
        return fail(
            error(story_errc::unknown_format, "could not tell the format from the first bytes", 0));
    const adapter_info* adapter = find_adapter(format);
    if (!adapter) return fail(error(story_errc::unsupported, "unknown format '" + format + "'"));
    result.format = format;

    std::string declared = opts.charset;
    if (adapter->charset == charset_source::xml_declaration) {
        std::string in_doc = xml_declared_encoding(raw);
        if (!in_doc.empty()) declared = in_doc;
    }
    std::string_view fallback =
        adapter->charset == charset_source::transport ? std::string_view(prof->charset) : "utf-8";
    auto decoded = decode_to_utf8(raw, declared, fallback);
    if (auto* e = std::get_if<adapter_error>(&decoded)) return fail(*e);
    auto& text = std::get<decoded_text>(decoded);
    blanked controls;
    if (adapter->charset != charset_source::transport) controls = blank_controls(text.utf8);

    result.items = adapter->decode(text.utf8, decode_context{*prof});
    // Adapters count offsets in the UTF-8 text; senders count bytes of what they sent. With a
    // single-byte charset every code point was one raw byte, so count code points instead.
    const bool single_byte = text.used != "utf-8" && text.used != "us-ascii";
    for (auto& item : result.items) {
        auto* e = std::get_if<adapter_error>(&item);
        if (!e || !e->offset || *e->offset > text.utf8.size()) continue;
        if (single_byte)
            e->offset =
                static_cast<size_t>(count_chars(std::string_view(text.utf8).substr(0, *e->offset)));
        *e->offset += text.bom_bytes;
    }
    const std::string digest = sha256_hex(raw);
    for (auto& item : result.items) {
        auto* s = std::get_if<story>(&item);
        if (!s) continue;
        auto& w = s->wire;
        // A feed's pinned agency wins over what the story claims; the claim is kept visible.
        if (!opts.agency.empty() && !w.agency.empty() && w.agency != opts.agency)
            w.warn("agency_overridden", "the story names '" + w.agency + "'; feed " + opts.feed +
                                            " speaks for '" + opts.agency + "'");
        if (!opts.agency.empty()) w.agency = opts.agency;
        if (w.agency.empty()) w.agency = prof->agency.empty() ? "unknown" : prof->agency;
        w.feed = opts.feed;
        w.format = format;
        w.profile = prof->name;
        w.received_at = opts.received_at;
        w.charset_declared = text.declared;
        w.charset_used = text.used;
        if (!text.warning.empty()) w.warn("charset_repaired", text.warning);
        if (controls.count > 0)
            w.warn("control_removed",
                   std::to_string(controls.count) + " control character" +
                       (controls.count == 1 ? "" : "s") + " (the first at byte " +
                       std::to_string(controls.first + text.bom_bytes) + ") read as spaces");
        w.raw_sha256 = digest;
        w.raw_bytes = raw.size();
        w.gateway_instance = opts.gateway_instance;
        w.gateway_version = opts.gateway_version;
        if (s->copyrightnotice.empty()) s->copyrightnotice = prof->copyright;
        if (s->uri.find(':') == std::string::npos && !s->uri.empty())
            s->uri = prof->uri_prefix + s->uri;
        if (auto err = finalize_story(*s)) item = std::move(*err);
    }
    if (result.items.empty())
        result.items.emplace_back(
            error(story_errc::missing_required, "the document holds no story"));
    return result;
}

}  // namespace wire::adapters
