// Prometheus metric families and their text exposition (format 0.0.4).
#include "metrics/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

namespace wire::metrics {

namespace {

// Whole numbers print as integers ("3", not "3.0" or "3e+00"); others in the shortest form that
// reads back exactly.
void append_number(std::string& out, double v) {
    if (std::isnan(v)) {
        out += "NaN";
    } else if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
    } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
        out += std::to_string(static_cast<long long>(v));
    } else {
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    }
}

void append_escaped(std::string& out, const std::string& s, bool quote) {
    for (char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '"' && quote) {
            out += "\\\"";
        } else {
            out.push_back(c);
        }
    }
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   const char* type) {
    if (!help.empty()) {
        out += "# HELP ";
        out += name;
        out.push_back(' ');
        append_escaped(out, help, false);
        out.push_back('\n');
    }
    out += "# TYPE ";
    out += name;
    out.push_back(' ');
    out += type;
    out.push_back('\n');
}

// `{a="x",b="y"}` (plus `le` for histogram buckets); nothing when there are no labels.
void append_labels(std::string& out, const std::vector<std::string>& names, const labels& values,
                   const std::string* le = nullptr) {
    if (names.empty() && le == nullptr) return;
    out.push_back('{');
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        if (i > 0) out.push_back(',');
        out += names[i];
        out += "=\"";
        append_escaped(out, values[i], true);
        out.push_back('"');
    }
    if (le != nullptr) {
        if (!names.empty()) out.push_back(',');
        out += "le=\"";
        out += *le;
        out.push_back('"');
    }
    out.push_back('}');
}

void append_sample(std::string& out, const std::string& name, const std::vector<std::string>& names,
                   const labels& values, double v, const std::string* le = nullptr) {
    out += name;
    append_labels(out, names, values, le);
    out.push_back(' ');
    append_number(out, v);
    out.push_back('\n');
}

// Counters and gauges share their rendering: one sample per label set, or a 0 for an unlabelled
// family nobody has touched yet (so the series exists from the first scrape).
void render_simple(std::string& out, const std::string& name, const std::string& help,
                   const char* type, const std::vector<std::string>& label_names, std::mutex& mu,
                   const std::map<labels, double>& values) {
    append_header(out, name, help, type);
    std::lock_guard lock(mu);
    if (values.empty() && label_names.empty()) append_sample(out, name, label_names, {}, 0);
    for (const auto& [vals, v] : values) append_sample(out, name, label_names, vals, v);
}

}  // namespace

// ---- counter ----

counter_family::counter_family(std::string name, std::string help,
                               std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void counter_family::inc(const labels& values, double by) {
    // A wrong label count is a caller bug; ignoring it keeps the exposition well-formed. A
    // counter only goes up.
    if (values.size() != label_names_.size() || !(by >= 0)) return;
    std::lock_guard lock(mu_);
    values_[values] += by;
}

double counter_family::value(const labels& values) const {
    std::lock_guard lock(mu_);
    const auto it = values_.find(values);
    return it == values_.end() ? 0 : it->second;
}

// ---- gauge ----

gauge_family::gauge_family(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void gauge_family::set(const labels& values, double v) {
    if (values.size() != label_names_.size()) return;
    std::lock_guard lock(mu_);
    values_[values] = v;
}

void gauge_family::add(const labels& values, double by) {
    if (values.size() != label_names_.size()) return;
    std::lock_guard lock(mu_);
    values_[values] += by;
}

double gauge_family::value(const labels& values) const {
    std::lock_guard lock(mu_);
    const auto it = values_.find(values);
    return it == values_.end() ? 0 : it->second;
}

// ---- histogram ----

histogram_family::histogram_family(std::string name, std::string help,
                                   std::vector<std::string> label_names, std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
    // Sorted, unique and finite: +Inf is the implicit last bucket.
    std::erase_if(bounds, [](double b) { return std::isnan(b) || std::isinf(b); });
    std::sort(bounds.begin(), bounds.end());
    bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
    bounds_ = std::move(bounds);
}

void histogram_family::observe(const labels& values, double v) {
    // A NaN observation would poison _sum for good; it is dropped.
    if (values.size() != label_names_.size() || std::isnan(v)) return;
    const auto idx =
        static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                 bounds_.begin());  // first bound >= v: the "le" bucket
    std::lock_guard lock(mu_);
    series& s = values_[values];
    if (s.buckets.size() != bounds_.size()) s.buckets.assign(bounds_.size(), 0);
    if (idx < s.buckets.size()) ++s.buckets[idx];
    s.sum += v;
    ++s.count;
}

std::uint64_t histogram_family::count(const labels& values) const {
    std::lock_guard lock(mu_);
    const auto it = values_.find(values);
    return it == values_.end() ? 0 : it->second.count;
}

// ---- registry ----

bool registry::name_taken(const std::string& name) const {
    const auto named = [&](const auto& f) { return f->name_ == name; };
    return std::any_of(counters_.begin(), counters_.end(), named) ||
           std::any_of(gauges_.begin(), gauges_.end(), named) ||
           std::any_of(histograms_.begin(), histograms_.end(), named) ||
           std::any_of(callbacks_.begin(), callbacks_.end(),
                       [&](const auto& c) { return std::get<0>(c) == name; });
}

// Asking again for a name returns the family already registered. A name already used by a
// family of another type still gets a working family (callers hold references), but it is left
// out of the exposition: two TYPE lines for one name would make the whole scrape invalid.
counter_family& registry::counter(const std::string& name, const std::string& help,
                                  std::vector<std::string> label_names) {
    std::lock_guard lock(mu_);
    for (auto& c : counters_) {
        if (c->name_ == name) return *c;
    }
    const bool clash = name_taken(name);
    counters_.emplace_back(new counter_family(name, help, std::move(label_names)));
    if (!clash) order_.emplace_back(kind::counter, counters_.size() - 1);
    return *counters_.back();
}

gauge_family& registry::gauge(const std::string& name, const std::string& help,
                              std::vector<std::string> label_names) {
    std::lock_guard lock(mu_);
    for (auto& g : gauges_) {
        if (g->name_ == name) return *g;
    }
    const bool clash = name_taken(name);
    gauges_.emplace_back(new gauge_family(name, help, std::move(label_names)));
    if (!clash) order_.emplace_back(kind::gauge, gauges_.size() - 1);
    return *gauges_.back();
}

histogram_family& registry::histogram(const std::string& name, const std::string& help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds) {
    std::lock_guard lock(mu_);
    for (auto& h : histograms_) {
        if (h->name_ == name) return *h;
    }
    const bool clash = name_taken(name);
    histograms_.emplace_back(
        new histogram_family(name, help, std::move(label_names), std::move(bounds)));
    if (!clash) order_.emplace_back(kind::histogram, histograms_.size() - 1);
    return *histograms_.back();
}

// Registering a callback again replaces its function (a rebuilt producer brings a new queue).
void registry::gauge_callback(const std::string& name, const std::string& help,
                              std::function<double()> fn) {
    std::lock_guard lock(mu_);
    for (auto& c : callbacks_) {
        if (std::get<0>(c) == name) {
            std::get<2>(c) = std::move(fn);
            return;
        }
    }
    if (name_taken(name)) return;
    callbacks_.emplace_back(name, help, std::move(fn));
    order_.emplace_back(kind::callback, callbacks_.size() - 1);
}

std::string registry::render() const {
    // Snapshot under the registry lock, render without it: a callback may take its own locks
    // (producer, spool) and must not run while registrations are blocked.
    struct entry {
        kind k;
        const void* family = nullptr;
        std::tuple<std::string, std::string, std::function<double()>> callback;
    };
    std::vector<entry> entries;
    {
        std::lock_guard lock(mu_);
        entries.reserve(order_.size());
        for (const auto& [k, i] : order_) {
            entry e{k};
            switch (k) {
                case kind::counter:
                    e.family = counters_[i].get();
                    break;
                case kind::gauge:
                    e.family = gauges_[i].get();
                    break;
                case kind::histogram:
                    e.family = histograms_[i].get();
                    break;
                case kind::callback:
                    e.callback = callbacks_[i];
                    break;
            }
            entries.push_back(std::move(e));
        }
    }

    std::string out;
    for (const auto& e : entries) {
        switch (e.k) {
            case kind::counter: {
                const auto& f = *static_cast<const counter_family*>(e.family);
                render_simple(out, f.name_, f.help_, "counter", f.label_names_, f.mu_, f.values_);
                break;
            }
            case kind::gauge: {
                const auto& f = *static_cast<const gauge_family*>(e.family);
                render_simple(out, f.name_, f.help_, "gauge", f.label_names_, f.mu_, f.values_);
                break;
            }
            case kind::histogram: {
                const auto& f = *static_cast<const histogram_family*>(e.family);
                append_header(out, f.name_, f.help_, "histogram");
                std::lock_guard lock(f.mu_);
                const auto render_series = [&](const labels& vals,
                                               const histogram_family::series& s) {
                    std::uint64_t cumulative = 0;
                    std::string le;
                    for (std::size_t b = 0; b < f.bounds_.size(); ++b) {
                        if (b < s.buckets.size()) cumulative += s.buckets[b];
                        le.clear();
                        append_number(le, f.bounds_[b]);
                        append_sample(out, f.name_ + "_bucket", f.label_names_, vals,
                                      static_cast<double>(cumulative), &le);
                    }
                    le = "+Inf";
                    append_sample(out, f.name_ + "_bucket", f.label_names_, vals,
                                  static_cast<double>(s.count), &le);
                    append_sample(out, f.name_ + "_sum", f.label_names_, vals, s.sum);
                    append_sample(out, f.name_ + "_count", f.label_names_, vals,
                                  static_cast<double>(s.count));
                };
                if (f.values_.empty() && f.label_names_.empty()) render_series({}, {});
                for (const auto& [vals, s] : f.values_) render_series(vals, s);
                break;
            }
            case kind::callback: {
                const auto& [name, help, fn] = e.callback;
                double v = std::nan("");
                try {
                    if (fn) v = fn();
                } catch (...) {
                    // A failing probe shows as NaN rather than breaking the whole scrape.
                }
                append_header(out, name, help, "gauge");
                append_sample(out, name, {}, {}, v);
                break;
            }
        }
    }
    return out;
}

}  // namespace wire::metrics
