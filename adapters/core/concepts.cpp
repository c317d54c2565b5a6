#include "concepts.hpp"

#include <utility>

#include "text.hpp"

namespace wire::adapters {

std::string_view qcode_alias(std::string_view q) {
    size_t c = q.find(':');
    return c == std::string_view::npos ? std::string_view() : q.substr(0, c);
}

std::string_view qcode_code(std::string_view q) {
    size_t c = q.find(':');
    return c == std::string_view::npos ? q : q.substr(c + 1);
}

concept_ref code_concept(std::string name, std::string_view code) {
    concept_ref c{std::move(name), "", "", "", ""};
    constexpr std::pair<std::string_view, std::string_view> k_schemes[] = {
        {"medtop", "http://cv.iptc.org/newscodes/mediatopic/"},
        {"subj", "http://cv.iptc.org/newscodes/subjectcode/"},
        {"genre", "http://cv.iptc.org/newscodes/genre/"}};
    std::string_view alias = qcode_alias(code);
    for (auto [known, base] : k_schemes)
        if (equals_ci(alias, known)) {
            c.uri = std::string(base) + std::string(qcode_code(code));
            return c;
        }
    // An IIM/NITF refnum or NewsML 1 subject code is an IPTC subject code.
    if (code.size() == 8 && code.find_first_not_of("0123456789") == std::string_view::npos)
        c.uri = std::string(k_schemes[1].second) + std::string(code);
    else
        c.literal = std::string(code);
    return c;
}

void add_concept(std::vector<concept_ref>& v, concept_ref c, size_t max) {
    if (v.size() >= max || (c.name.empty() && c.uri.empty() && c.literal.empty())) return;
    for (const auto& e : v)
        if (e.name == c.name && e.uri == c.uri && e.literal == c.literal) return;
    v.push_back(std::move(c));
}

}  // namespace wire::adapters
