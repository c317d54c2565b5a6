#pragma once
// Routing: which topics a story goes to, from the config's rules. Pure and immutable; a
// SIGHUP reload builds a new router and swaps the shared_ptr.
#include <string>
#include <vector>

#include "config/config.hpp"
#include "core/story.hpp"

namespace wire::routing {

struct route_decision {
    std::vector<std::string> topics;      // de-duplicated, in rule order; empty = unroutable
    std::vector<std::string> rule_names;  // the rules that matched (for logs)
};

class router {
  public:
    explicit router(config::routing_config cfg);
    /// Every matching rule adds its topics; when no non-copy rule matched, the default topics
    /// are added. Topics are in the allow-list by construction (load_config checks it).
    route_decision route(const adapters::story& s) const;
    const std::string& rejected_topic() const { return cfg_.rejected_topic; }
    const config::routing_config& config() const { return cfg_; }

  private:
    // A subject criterion: its case-folded text and, for a QCode ("medtop:04000000"), the
    // NewsCodes URI it stands for.
    struct subject_criterion {
        std::string text, uri;
    };
    // One rule's criteria, case-folded once here so route() folds only the story's side.
    struct compiled_match {
        std::vector<std::string> agency, feed, format, signal, language, category, keywords;
        std::vector<subject_criterion> subject;
    };
    config::routing_config cfg_;
    std::vector<compiled_match> compiled_;  // one per cfg_.rules entry
};

}  // namespace wire::routing
