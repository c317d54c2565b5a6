#pragma once
// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
// exposition format (version 0.0.4) for GET /metrics. Thread-safe; cheap enough for the
// per-story path (one mutex per family; label sets are few: feeds, reasons, codes).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace wire::metrics {

using labels = std::vector<std::string>;  // values, in the family's label-name order

class counter_family {
  public:
    void inc(const labels& values, double by = 1);
    double value(const labels& values) const;  // tests
  private:
    friend class registry;
    counter_family(std::string name, std::string help, std::vector<std::string> label_names);
    std::string name_, help_;
    std::vector<std::string> label_names_;
    mutable std::mutex mu_;
    std::map<labels, double> values_;
};

class gauge_family {
  public:
    void set(const labels& values, double v);
    void add(const labels& values, double by);
    double value(const labels& values) const;

  private:
    friend class registry;
    gauge_family(std::string name, std::string help, std::vector<std::string> label_names);
    std::string name_, help_;
    std::vector<std::string> label_names_;
    mutable std::mutex mu_;
    std::map<labels, double> values_;
};

class histogram_family {
  public:
    void observe(const labels& values, double v);
    std::uint64_t count(const labels& values) const;

  private:
    friend class registry;
    histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds);
    struct series {
        std::vector<std::uint64_t> buckets;  // cumulative at render time
        double sum = 0;
        std::uint64_t count = 0;
    };
    std::string name_, help_;
    std::vector<std::string> label_names_;
    std::vector<double> bounds_;
    mutable std::mutex mu_;
    std::map<labels, series> values_;
};

class registry {
  public:
    counter_family& counter(const std::string& name, const std::string& help,
                            std::vector<std::string> label_names = {});
    gauge_family& gauge(const std::string& name, const std::string& help,
                        std::vector<std::string> label_names = {});
    histogram_family& histogram(const std::string& name, const std::string& help,
                                std::vector<std::string> label_names, std::vector<double> bounds);
    /// A gauge computed at scrape time (producer queue depth, spool depth).
    void gauge_callback(const std::string& name, const std::string& help,
                        std::function<double()> fn);
    /// The text exposition format; label values escaped (\\, \", \n).
    std::string render() const;

  private:
    mutable std::mutex mu_;
    std::vector<std::unique_ptr<counter_family>> counters_;
    std::vector<std::unique_ptr<gauge_family>> gauges_;
    std::vector<std::unique_ptr<histogram_family>> histograms_;
    std::vector<std::tuple<std::string, std::string, std::function<double()>>> callbacks_;
    // render() order: which vector above and the index in it, in registration order.
    enum class kind : unsigned char { counter, gauge, histogram, callback };
    std::vector<std::pair<kind, std::size_t>> order_;
    bool name_taken(const std::string& name) const;  // by any family (mu_ held)
};

}  // namespace wire::metrics
