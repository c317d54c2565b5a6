#include "text.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace wire::adapters {
namespace {

constexpr std::array<std::string_view, 24> k_allowed = {
    "p",  "br", "h1", "h2",    "h3",    "h4", "h5", "h6", "ul",     "ol",         "li",  "table",
    "tr", "td", "th", "thead", "tbody", "b",  "i",  "em", "strong", "blockquote", "pre", "a"};
constexpr std::array<std::string_view, 12> k_block = {"p",  "h1", "h2", "h3",         "h4",  "h5",
                                                      "h6", "li", "tr", "blockquote", "pre", "br"};
constexpr std::array<std::string_view, 7> k_dropped_content = {
    "script", "style", "iframe", "object", "embed", "head", "title"};
// Source elements renamed to an allowed one (NITF and XHTML structure).
struct rename {
    std::string_view from, to;
};
constexpr std::array<rename, 5> k_renames = {
    {{"hl1", "h1"}, {"hl2", "h2"}, {"block", ""}, {"tt", ""}, {"span", ""}}};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view v) {
    return std::find(set.begin(), set.end(), v) != set.end();
}

void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80)
        out += static_cast<char>(cp);
    else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Decodes character references; an unknown or broken one is kept literally.
std::string decode_entities(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            // Up to the next reference in one append.
            size_t amp = s.find('&', i);
            if (amp == std::string_view::npos) amp = s.size();
            out.append(s.data() + i, amp - i);
            i = amp - 1;
            continue;
        }
        size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += '&';
            continue;
        }
        std::string_view name = s.substr(i + 1, semi - i - 1);
        unsigned cp = 0;
        if (!name.empty() && name[0] == '#') {
            bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
            std::string_view num = name.substr(hex ? 2 : 1);
            bool ok = !num.empty();
            for (char c : num) {
                int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                        : hex && std::isxdigit(static_cast<unsigned char>(c))
                            ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                            : -1;
                if (d < 0 || cp > 0x10FFFF) {
                    ok = false;
                    break;
                }
                cp = cp * (hex ? 16u : 10u) + static_cast<unsigned>(d);
            }
            if (!ok || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                out += '&';
                continue;
            }
        } else if (name == "amp")
            cp = '&';
        else if (name == "lt")
            cp = '<';
        else if (name == "gt")
            cp = '>';
        else if (name == "quot")
            cp = '"';
        else if (name == "apos")
            cp = '\'';
        else if (name == "nbsp")
            cp = 0xA0;
        else if (name == "mdash")
            cp = 0x2014;
        else if (name == "ndash")
            cp = 0x2013;
        else {
            out += '&';
            continue;
        }
        append_utf8(out, cp);
        i = semi;
    }
    return out;
}

std::string local_name(std::string_view tag) {
    size_t colon = tag.rfind(':');
    if (colon != std::string_view::npos) tag = tag.substr(colon + 1);
    return ascii_lower(tag);
}

// The href of an <a …> if it is a safe absolute link.
std::string safe_href(std::string_view attrs) {
    size_t h = ascii_lower(attrs).find("href");
    if (h == std::string::npos) return "";
    size_t q = attrs.find_first_of("\"'", h);
    if (q == std::string_view::npos) return "";
    size_t q2 = attrs.find(attrs[q], q + 1);
    if (q2 == std::string_view::npos) return "";
    std::string url = decode_entities(trim(attrs.substr(q + 1, q2 - q - 1)));
    std::string l = ascii_lower(url);
    if (l.rfind("http://", 0) == 0 || l.rfind("https://", 0) == 0 || l.rfind("mailto:", 0) == 0)
        return url;
    return "";
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// std::tolower in the C locale (the only one the gateway runs in), without the call.
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }

}  // namespace

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = lower(c);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); ++i)
        if (i == s.size() || s[i] == sep) {
            out.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    return out;
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)  // as ascii_lower() both, without the copies
        if (lower(s[i]) != lower(prefix[i])) return false;
    return true;
}

bool equals_ci(std::string_view a, std::string_view b) {
    return a.size() == b.size() && starts_with_ci(a, b);
}

namespace {

// Whether clean_text() would change the byte at i (or the sequence it starts).
bool needs_cleaning(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) return c != '\t' && c != '\n';
    if (c == 0x7F) return true;
    if (c == 0xC2)
        return i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9F;
    if (c == 0xEF)
        return i + 2 < s.size() && s[i + 1] == '\xBF' && (s[i + 2] == '\xBE' || s[i + 2] == '\xBF');
    return false;
}

}  // namespace

std::string clean_text(std::string_view s) {
    // Most text is clean: runs between the bytes that need cleaning are copied whole.
    std::string out;
    size_t run = 0;  // start of the clean run not copied yet
    for (size_t i = 0; i < s.size(); ++i) {
        if (!needs_cleaning(s, i)) continue;
        if (run == 0) out.reserve(s.size());  // the first byte to clean
        out.append(s.data() + run, i - run);
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '\r') {
            // CR LF, CR CR LF (telex) and a lone CR are each one line end
            out += '\n';
            while (i + 1 < s.size() && s[i + 1] == '\r') ++i;
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else if (c == 0xC2) {
            ++i;  // C1 control
        } else if (c == 0xEF) {
            i += 2;  // U+FFFE, U+FFFF
        }            // other control characters are dropped
        run = i + 1;
    }
    if (run == 0) return std::string(s);
    out.append(s.data() + run, s.size() - run);
    return out;
}

std::string clean_line(std::string_view s) {
    std::string c = clean_text(s), out;
    // Already one line (single spaces between words, none at the ends): nothing to collapse.
    bool collapsed = c.empty() || (!is_space(c.front()) && !is_space(c.back()));
    for (size_t i = 0; collapsed && i < c.size(); ++i)
        if (is_space(c[i]) && (c[i] != ' ' || is_space(c[i + 1]))) collapsed = false;
    if (collapsed) return c;
    out.reserve(c.size());
    bool space = false;
    for (char ch : c) {
        if (is_space(ch)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += ch;
    }
    return out;
}

std::string escape_html(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (size_t i = 0; i < s.size(); ++i) {
        // Runs without a special character are appended whole (find_first_of would call
        // memchr once per byte).
        size_t next = i;
        while (next < s.size() && s[next] != '&' && s[next] != '<' && s[next] != '>' &&
               s[next] != '"')
            ++next;
        out.append(s.data() + i, next - i);
        if (next == s.size()) break;
        i = next;
        const char c = s[i];
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string sanitize_html(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    std::vector<std::string> open;  // allowed elements we emitted and have not closed
    std::string dropping;           // inside <script> etc.: skip until its end tag
    size_t i = 0;
    // Whitespace in HTML is layout: runs collapse to one space, and none is kept at the edges
    // of block elements (CDATA bodies arrive indented, with newlines between paragraphs).
    bool after_block = true;
    auto emit_text = [&](std::string_view t) {
        if (!dropping.empty()) return;
        std::string text = decode_entities(t);
        if (std::find(open.begin(), open.end(), "pre") == open.end()) {
            std::string collapsed;
            for (char c : text) {
                if (is_space(c)) {
                    if (!(after_block && collapsed.empty()) &&
                        (collapsed.empty() || collapsed.back() != ' '))
                        collapsed += ' ';
                } else {
                    collapsed += c;
                }
            }
            if (!collapsed.empty() && collapsed.front() == ' ' && !out.empty() && out.back() == ' ')
                collapsed.erase(0, 1);
            text = std::move(collapsed);
        }
        if (text.empty()) return;
        out += escape_html(text);
        after_block = false;
    };
    auto block_boundary = [&](std::string_view name, bool closing) {
        if (!contains(k_block, name) && name != "ul" && name != "ol" && name != "table" &&
            name != "td" && name != "th" && name != "thead" && name != "tbody")
            return;
        if (closing && !out.empty() && out.back() == ' ') out.pop_back();
        after_block = true;
    };
    while (i < in.size()) {
        size_t lt = in.find('<', i);
        if (lt == std::string_view::npos) {
            emit_text(in.substr(i));
            break;
        }
        emit_text(in.substr(i, lt - i));
        if (in.substr(lt, 4) == "<!--") {
            size_t end = in.find("-->", lt + 4);
            i = end == std::string_view::npos ? in.size() : end + 3;
            continue;
        }
        if (in.substr(lt, 9) == "<![CDATA[") {
            size_t end = in.find("]]>", lt + 9);
            size_t stop = end == std::string_view::npos ? in.size() : end;
            if (dropping.empty()) out += escape_html(in.substr(lt + 9, stop - lt - 9));
            i = end == std::string_view::npos ? in.size() : end + 3;
            continue;
        }
        // "<" not followed by a name, "/", "!" or "?" is text ("1 < 2"), as in HTML.
        if (lt + 1 >= in.size() || !(std::isalpha(static_cast<unsigned char>(in[lt + 1])) ||
                                     in[lt + 1] == '/' || in[lt + 1] == '!' || in[lt + 1] == '?')) {
            emit_text("<");
            i = lt + 1;
            continue;
        }
        size_t gt = in.find('>', lt + 1);
        if (gt == std::string_view::npos) {
            emit_text(in.substr(lt));
            break;
        }
        std::string_view tag = in.substr(lt + 1, gt - lt - 1);
        i = gt + 1;
        if (tag.empty() || tag[0] == '!' || tag[0] == '?') continue;
        bool closing = tag[0] == '/';
        if (closing) tag.remove_prefix(1);
        bool self_closing = !tag.empty() && tag.back() == '/';
        if (self_closing) tag.remove_suffix(1);
        size_t name_end = 0;
        while (name_end < tag.size() && !is_space(tag[name_end])) ++name_end;
        std::string name = local_name(tag.substr(0, name_end));
        if (!dropping.empty()) {
            if (closing && name == dropping) dropping.clear();
            continue;
        }
        if (!closing && !self_closing && contains(k_dropped_content, name)) {
            dropping = name;
            continue;
        }
        for (const auto& r : k_renames)
            if (name == r.from) name = r.to;
        if (name.empty() || !contains(k_allowed, name)) continue;
        if (name == "br") {
            if (!out.empty() && out.back() == ' ') out.pop_back();
            out += "<br/>";
            after_block = true;
            continue;
        }
        if (closing) {
            auto it = std::find(open.rbegin(), open.rend(), name);
            if (it == open.rend()) continue;  // stray end tag
            // close everything opened after it, so the output nests properly
            for (auto k = open.rbegin(); k != it; ++k) out += "</" + *k + ">";
            block_boundary(name, true);
            out += "</" + name + ">";
            open.erase(std::next(it).base(), open.end());
            continue;
        }
        if (self_closing) continue;  // <p/> carries nothing
        if (name == "a") {
            std::string href = safe_href(tag.substr(name_end));
            out += href.empty() ? "<a>" : "<a href=\"" + escape_html(href) + "\">";
        } else {
            out += "<" + name + ">";
        }
        open.push_back(name);
        block_boundary(name, false);
        if (open.size() > 256) break;  // nesting bomb: stop, the rest is not worth keeping
    }
    for (auto k = open.rbegin(); k != open.rend(); ++k) out += "</" + *k + ">";
    return out;
}

std::string html_to_text(std::string_view html) {
    std::string out, para;
    bool pre = false;  // inside <pre>: the lines are kept (tables, results), each right-trimmed
    auto flush = [&] {
        std::string line;
        if (!pre) line = clean_line(para);
        for (auto l : pre ? split(para, '\n') : std::vector<std::string_view>{}) {
            while (!l.empty() && is_space(l.back())) l.remove_suffix(1);
            if (!line.empty() || !l.empty()) line += std::string(line.empty() ? "" : "\n") += l;
        }
        while (!line.empty() && line.back() == '\n') line.pop_back();
        if (!line.empty()) {
            if (!out.empty()) out += "\n\n";
            out += line;
        }
        para.clear();
    };
    size_t i = 0;
    while (i < html.size()) {
        size_t lt = html.find('<', i);
        if (lt == std::string_view::npos) {
            para += decode_entities(html.substr(i));
            break;
        }
        para += decode_entities(html.substr(i, lt - i));
        size_t gt = html.find('>', lt);
        if (gt == std::string_view::npos) break;
        std::string_view tag = html.substr(lt + 1, gt - lt - 1);
        if (!tag.empty() && tag[0] == '/') tag.remove_prefix(1);
        size_t e = 0;
        while (e < tag.size() && !is_space(tag[e]) && tag[e] != '/') ++e;
        std::string name = local_name(tag.substr(0, e));
        if (contains(k_block, name)) {
            flush();
            if (name == "pre") pre = html[lt + 1] != '/';
        } else if (name == "td" || name == "th") {
            para += ' ';
        }
        i = gt + 1;
    }
    flush();
    return out;
}

std::string text_to_html(std::string_view text, bool line_per_paragraph) {
    std::string out, para;
    auto flush = [&] {
        std::string line = clean_line(para);
        if (!line.empty()) out += "<p>" + escape_html(line) + "</p>";
        para.clear();
    };
    for (std::string_view line : split(text, '\n')) {
        if (trim(line).empty() || line_per_paragraph) {
            if (line_per_paragraph) para += line;
            flush();
        } else {
            para += line;
            para += ' ';
        }
    }
    flush();
    return out;
}

std::string place_of_dateline(std::string_view d) {
    size_t cut = std::min({d.find(','), d.find('('), d.find(" - "), d.find("\xE2\x80\x94")});
    std::string p = clean_line(d.substr(0, cut == std::string_view::npos ? d.size() : cut));
    if (p.size() > 40 ||
        std::any_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return "";
    return p;
}

}  // namespace wire::adapters
