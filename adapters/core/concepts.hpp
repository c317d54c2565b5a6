#pragma once
// Codes as concepts: IPTC's scheme codes become NewsCodes URIs in one place, for every adapter.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "story.hpp"

namespace wire::adapters {

/// The parts of a QCode: "medtop:04000000" -> alias "medtop", code "04000000". Without a colon
/// the alias is "" and the code is the whole string.
std::string_view qcode_alias(std::string_view qcode);
std::string_view qcode_code(std::string_view qcode);

/// A code as a concept named `name`: medtop:X -> http://cv.iptc.org/newscodes/mediatopic/X,
/// subj:X and a bare 8-digit IPTC subject code X -> …/newscodes/subjectcode/X, genre:X ->
/// …/newscodes/genre/X (scheme aliases case-insensitive); anything else stays verbatim in
/// `literal`.
concept_ref code_concept(std::string name, std::string_view code);

/// Appends `c` unless it is empty (no name, uri or literal), already in `v` (same name, uri
/// and literal) or `v` already holds `max` concepts.
void add_concept(std::vector<concept_ref>& v, concept_ref c, size_t max);

}  // namespace wire::adapters
