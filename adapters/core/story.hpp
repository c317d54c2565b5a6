#pragma once
// The common story model every adapter fills: an IPTC ninjs 2.2 document (`story`) plus our
// provenance and newsroom semantics (`wire`). Empty strings and empty vectors mean "absent" and
// are left out of the JSON envelope (envelope.hpp). Times are RFC 3339 UTC strings.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "story_errc.hpp"

namespace wire::adapters {

/// One entry of ninjs headlines[] / bodies[] / descriptions[].
struct text_item {
    std::string role;         // "main", "sub", "summary", …
    std::string contenttype;  // "text/plain", "text/html"
    std::string value;
    int wordcount = -1;  // bodies only; -1 = absent
    int charcount = -1;
};

/// A ninjs concept (subjects, genres, places, people, organisations, infosources).
struct concept_ref {
    std::string name;
    std::string rel;
    std::string uri;      // a known scheme, e.g. http://cv.iptc.org/newscodes/mediatopic/04000000
    std::string literal;  // an opaque code we could not resolve, e.g. "apcategorycode:f"
    std::string role;     // infosources only
};

struct alt_id {
    std::string role;
    std::string value;
};

/// Lifecycle signals, in the order a newsroom ranks them.
enum class signal_kind { new_story, update, correction, kill, withhold, repeat, advisory };
std::string_view to_string(signal_kind s) noexcept;

/// Something the adapter had to guess, repair or leave out to read a story: a fixed code (the
/// catalogue is in docs/formats.md) and a message naming the field or the bytes concerned.
struct warning {
    std::string code;
    std::string message;
    bool operator==(const warning&) const = default;
};

struct wire_meta {
    std::string agency;   // "ap", "reuters", "interfax", or the provider from the document
    std::string feed;     // the feed id the story came in on ("" offline)
    std::string format;   // adapter id
    std::string profile;  // profile name
    std::string received_at;
    signal_kind signal = signal_kind::new_story;
    std::string priority;  // the agency's own priority code, verbatim ("b", "2", "4")
    std::string category;  // the agency's own category code ("i", "pl", "POL")
    std::string take_key;
    std::string sequence;       // message / story number
    std::string version_order;  // zero-padded sort key: later versions sort higher as strings
    std::string dateline;       // display text, e.g. "MOSCOW, July 10 (Reuters)"
    std::string charset_declared;
    std::string charset_used;
    std::string raw_sha256;
    std::size_t raw_bytes = 0;
    std::string gateway_instance;
    std::string gateway_version;
    std::vector<std::string> keywords;
    std::vector<warning> warnings;

    void warn(std::string code, std::string message) {
        warnings.push_back({std::move(code), std::move(message)});
    }
};

struct story {
    std::string uri;  // stable across every version of the story
    std::string type = "text";
    std::string version;  // ninjs: a string
    std::string firstcreated;
    std::string versioncreated;
    std::string embargoed;
    std::string expires;
    std::string pubstatus = "usable";  // usable | withheld | canceled
    std::optional<int> urgency;        // 1 (highest) … 9
    std::string language;
    std::string title;
    std::string by;
    std::string slugline;
    std::string located;
    std::string ednote;
    std::string copyrightnotice;
    std::string copyrightholder;
    std::string usageterms;
    std::string profile;
    std::vector<text_item> headlines;
    std::vector<text_item> descriptions;
    std::vector<text_item> bodies;  // filled by finalize_story() from body_html/body_text
    std::vector<concept_ref> subjects, genres, places, people, organisations, infosources;
    std::vector<alt_id> altids;
    wire_meta wire;

    // Adapter-side raw body; finalize_story() sanitises it into bodies[] (html + plain).
    std::string body_html;  // HTML or XHTML fragment, untrusted
    std::string body_text;  // plain text with blank lines between paragraphs
};

/// Why an input (or one item of it) was refused: a fixed code plus where.
struct adapter_error {
    story_errc code = story_errc::malformed;
    std::string message;
    std::optional<std::size_t> offset;  // byte offset in the raw input
    std::string path;  // element path or JSON pointer, e.g. /newsMessage/itemSet/newsItem[2]
};

/// One item of a (possibly multi-item) document: a story or the reason it was refused.
using item_result = std::variant<story, adapter_error>;

}  // namespace wire::adapters
