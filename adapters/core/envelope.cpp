// finalize_story() and the JSON envelope: the last step every story passes before it leaves
// the adapters, whatever its format.
#include <algorithm>
#include <cctype>
#include <cstdio>

#include "datetime.hpp"
#include "json_writer.hpp"
#include "normalize.hpp"
#include "story_repair.hpp"
#include "text.hpp"

namespace wire::adapters {
namespace {

void clean(std::string& s) { s = clean_line(s); }
void clean(std::vector<concept_ref>& v) {
    for (auto& c : v) {
        clean(c.name);
        clean(c.rel);
        clean(c.uri);
        clean(c.literal);
        clean(c.role);
    }
    std::erase_if(v, [](const concept_ref& c) {
        return c.name.empty() && c.uri.empty() && c.literal.empty();
    });
}

// A URI needs a scheme and no spaces or control characters; agency ids often have neither.
std::string as_uri(std::string s) {
    std::string out;
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
            c == '`' || c == '{' || c == '|' || c == '}') {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

// Dates from adapters are already RFC 3339 UTC; anything else is dropped with a warning.
void check_time(std::string& t, const char* name, std::vector<warning>& warnings) {
    if (t.empty()) return;
    auto parsed = parse_iso8601(t);
    if (!parsed) {
        warnings.push_back(
            {"bad_date", std::string(name) + " '" + t + "' is not a date-time; dropped"});
        t.clear();
    } else {
        t = parsed->rfc3339();
    }
}

// Zero-padded so that string order is version order: versioncreated, then the numeric version.
std::string version_order(const story& s) {
    std::string v = s.version;
    bool numeric = !v.empty() && v.size() <= 20 && std::all_of(v.begin(), v.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
    if (numeric) v = std::string(20 - v.size(), '0') + v;
    return s.versioncreated + "/" + v;
}

void write_items(json_writer& w, std::string_view key, const std::vector<text_item>& items) {
    if (items.empty()) return;
    w.key(key).begin_array();
    for (const auto& t : items) {
        w.begin_object()
            .field("role", t.role)
            .field("contenttype", t.contenttype)
            .field("value", t.value);
        if (t.wordcount >= 0) w.key("wordcount").value(t.wordcount);
        if (t.charcount >= 0) w.key("charcount").value(t.charcount);
        w.end_object();
    }
    w.end_array();
}

void write_concepts(json_writer& w, std::string_view key, const std::vector<concept_ref>& v) {
    if (v.empty()) return;
    w.key(key).begin_array();
    for (const auto& c : v) {
        w.begin_object()
            .field("name", c.name)
            .field("rel", c.rel)
            .field("uri", c.uri)
            .field("literal", c.literal);
        if (key == "infosources") w.field("role", c.role);
        w.end_object();
    }
    w.end_array();
}

void write_strings(json_writer& w, std::string_view key, const std::vector<std::string>& v) {
    if (v.empty()) return;
    w.key(key).begin_array();
    for (const auto& s : v) w.value(s);
    w.end_array();
}

}  // namespace

std::string_view to_string(signal_kind s) noexcept {
    switch (s) {
        case signal_kind::new_story:
            return "new";
        case signal_kind::update:
            return "update";
        case signal_kind::correction:
            return "correction";
        case signal_kind::kill:
            return "kill";
        case signal_kind::withhold:
            return "withhold";
        case signal_kind::repeat:
            return "repeat";
        case signal_kind::advisory:
            return "advisory";
    }
    return "new";
}

std::optional<adapter_error> finalize_story(story& s) {
    auto& warnings = s.wire.warnings;
    for (auto* f :
         {&s.uri, &s.version, &s.language, &s.title, &s.by, &s.slugline, &s.located,
          &s.copyrightnotice, &s.copyrightholder, &s.usageterms, &s.profile, &s.wire.priority,
          &s.wire.category, &s.wire.take_key, &s.wire.sequence, &s.wire.dateline})
        clean(*f);
    s.ednote = trim(clean_text(s.ednote));
    for (auto& k : s.wire.keywords) clean(k);
    std::erase_if(s.wire.keywords, [](const std::string& k) { return k.empty(); });
    for (auto* v : {&s.subjects, &s.genres, &s.places, &s.people, &s.organisations, &s.infosources})
        clean(*v);
    for (auto& a : s.altids) {
        clean(a.role);
        clean(a.value);
    }
    std::erase_if(s.altids, [](const alt_id& a) { return a.value.empty(); });
    for (auto* v : {&s.headlines, &s.descriptions})
        for (auto& t : *v) {
            t.value =
                v == &s.headlines ? clean_line(t.value) : std::string(trim(clean_text(t.value)));
            if (t.contenttype.empty()) t.contenttype = "text/plain";
        }
    std::erase_if(s.headlines, [](const text_item& t) { return t.value.empty(); });
    std::erase_if(s.descriptions, [](const text_item& t) { return t.value.empty(); });

    // Bodies: sanitised HTML and plain text, each with its counts.
    if (s.bodies.empty()) {
        std::string html = !s.body_html.empty() ? sanitize_html(clean_text(s.body_html))
                                                : text_to_html(clean_text(s.body_text));
        std::string plain = html_to_text(html);
        if (!plain.empty()) {
            const int words = count_words(plain), chars = count_chars(plain);
            s.bodies.push_back({"main", "text/html", std::move(html), words, chars});
            s.bodies.push_back({"main", "text/plain", std::move(plain), words, chars});
        }
    }
    s.body_html.clear();
    s.body_text.clear();
    move_leading_byline(s);

    for (auto* t : {&s.firstcreated, &s.versioncreated, &s.embargoed, &s.expires})
        check_time(*t,
                   t == &s.firstcreated     ? "firstcreated"
                   : t == &s.versioncreated ? "versioncreated"
                   : t == &s.embargoed      ? "embargoed"
                                            : "expires",
                   warnings);
    if (s.versioncreated.empty() && !s.wire.received_at.empty()) {
        s.versioncreated = s.wire.received_at;
        s.wire.warn("no_version_time", "no version time in the input; used received_at");
    }
    if (s.urgency && (*s.urgency < 1 || *s.urgency > 9)) {
        s.wire.warn("urgency_unmapped",
                    "urgency " + std::to_string(*s.urgency) + " is outside 1-9; dropped");
        s.urgency.reset();
    }
    // One lifecycle rule for every format: a kill cancels, a withhold withholds, whatever
    // carried the signal (a status field or a marker in the copy).
    if (s.wire.signal == signal_kind::kill) s.pubstatus = "canceled";
    if (s.wire.signal == signal_kind::withhold && s.pubstatus != "canceled")
        s.pubstatus = "withheld";
    if (s.pubstatus != "usable" && s.pubstatus != "withheld" && s.pubstatus != "canceled") {
        s.wire.warn("unknown_value",
                    "pubstatus '" + s.pubstatus + "' is not a ninjs value; used 'usable'");
        s.pubstatus = "usable";
    }
    if (auto no_story = derive_missing_uri(s)) return no_story;
    s.uri = as_uri(s.uri);
    // ninjs requires only a uri, and kills are often bare notices: flag, do not refuse.
    if (s.headlines.empty() && s.bodies.empty())
        s.wire.warn("no_text", "the story has neither a headline nor a body");
    s.wire.version_order = version_order(s);
    return std::nullopt;
}

std::string envelope_json(const story& s) {
    json_writer w;
    w.begin_object().key("schema").value("wiregate.story/1");
    w.key("story").begin_object();
    w.field("uri", s.uri)
        .field("type", s.type)
        .field("profile", s.profile)
        .field("version", s.version);
    w.field("firstcreated", s.firstcreated).field("versioncreated", s.versioncreated);
    w.field("embargoed", s.embargoed).field("expires", s.expires).field("pubstatus", s.pubstatus);
    if (s.urgency) w.key("urgency").value(*s.urgency);
    w.field("language", s.language).field("title", s.title);
    write_items(w, "headlines", s.headlines);
    w.field("slugline", s.slugline).field("by", s.by).field("located", s.located);
    write_items(w, "descriptions", s.descriptions);
    write_items(w, "bodies", s.bodies);
    w.field("ednote", s.ednote);
    write_concepts(w, "subjects", s.subjects);
    if (!s.genres.empty()) {  // ninjs 2.2 genres have no rel
        w.key("genres").begin_array();
        for (const auto& g : s.genres)
            w.begin_object()
                .field("name", g.name)
                .field("uri", g.uri)
                .field("literal", g.literal)
                .end_object();
        w.end_array();
    }
    write_concepts(w, "places", s.places);
    write_concepts(w, "people", s.people);
    write_concepts(w, "organisations", s.organisations);
    write_concepts(w, "infosources", s.infosources);
    if (!s.altids.empty()) {
        w.key("altids").begin_array();
        for (const auto& a : s.altids)
            w.begin_object().field("role", a.role).field("value", a.value).end_object();
        w.end_array();
    }
    w.field("copyrightholder", s.copyrightholder).field("copyrightnotice", s.copyrightnotice);
    w.field("usageterms", s.usageterms);
    w.end_object();

    const auto& x = s.wire;
    w.key("wire").begin_object();
    w.field("agency", x.agency)
        .field("feed", x.feed)
        .field("format", x.format)
        .field("profile", x.profile);
    w.field("received_at", x.received_at).key("signal").value(to_string(x.signal));
    w.field("priority", x.priority).field("category", x.category).field("take_key", x.take_key);
    w.field("sequence", x.sequence)
        .field("version_order", x.version_order)
        .field("dateline", x.dateline);
    write_strings(w, "keywords", x.keywords);
    w.key("charset")
        .begin_object()
        .field("declared", x.charset_declared)
        .field("used", x.charset_used)
        .end_object();
    w.field("raw_sha256", x.raw_sha256)
        .key("raw_bytes")
        .value(static_cast<std::int64_t>(x.raw_bytes));
    w.key("gateway")
        .begin_object()
        .field("instance", x.gateway_instance)
        .field("version", x.gateway_version)
        .end_object();
    w.key("warnings").begin_array();
    for (const auto& m : x.warnings)
        w.begin_object().key("code").value(m.code).key("message").value(m.message).end_object();
    w.end_array();
    w.end_object();
    w.end_object();
    return w.take();
}

std::string error_json(const adapter_error& e, std::string_view file) {
    json_writer w;
    w.begin_object();
    w.field("file", file);
    w.key("code").value(to_string(e.code)).key("message").value(clean_line(e.message));
    if (e.offset) w.key("offset").value(static_cast<std::int64_t>(*e.offset));
    w.field("path", e.path);
    w.end_object();
    return w.take();
}

}  // namespace wire::adapters
