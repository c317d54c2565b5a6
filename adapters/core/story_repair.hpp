#pragma once
// Repairs finalize_story() makes to any story, whatever its format: what real copy leaves out or
// puts in the wrong place. Each repair adds a warning to the story.
#include <optional>

#include "story.hpp"

namespace wire::adapters {

/// A story without an identifier gets one derived from its text, so that the same copy sent
/// twice is the same story: `urn:wiregate:<agency>:h:<24 hex digits>` of the SHA-256 of the
/// main headline and the first paragraph of the plain body (each whitespace-collapsed, joined
/// by a line feed). Warning `id_derived`. An error when there is neither headline nor text:
/// then the document holds no story at all.
std::optional<adapter_error> derive_missing_uri(story& s);

/// A byline standing as the first paragraph of the body ("By JANE DOE, Associated Press";
/// "Von Anna Muster, dpa") moves to `by` when `by` is empty and more text follows. Warning
/// `byline_moved`. Bodies must already be built (html and plain).
void move_leading_byline(story& s);

}  // namespace wire::adapters
