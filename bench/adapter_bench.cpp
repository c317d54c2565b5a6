// adapter_bench: normalize() per format against the raw parse of the same bytes (the limit an
// adapter cannot beat): pugixml load_buffer for the XML formats, simdjson DOM parse for the
// JSON formats, a bare line/frame scan for the telex formats. One thread: figures are per core.
//   adapter_bench [--fixtures DIR] [--corpus-stories N] [Google Benchmark flags]
// Benchmarks: {normalize,envelope,raw}/<format>/{fixtures,corpus}; `envelope` is normalize()
// plus envelope_json() of every story (the bytes the gateway hands Kafka).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <pugixml.hpp>

#include "bench_corpus.hpp"

namespace {

using wire::bench::input;
namespace fs = std::filesystem;

enum class family { xml, json, telex };

family family_of(const std::string& format) {
    if (format == "ninjs" || format == "ap-json") return family::json;
    if (format == "anpa1312" || format == "iptc7901" || format == "zczc") return family::telex;
    return family::xml;
}

struct input_set {
    std::string format;
    std::vector<input> docs;
    std::vector<simdjson::padded_string> padded;  // JSON docs, padded once outside the timing
    size_t bytes = 0;
    size_t stories = 0;
};

// Counts lines and frame starts (SOH, ZCZC) the way a framer looks at a telex stream.
size_t telex_scan(std::string_view s) {
    size_t frames = 0, pos = 0;
    while (pos < s.size()) {
        const char* nl =
            static_cast<const char*>(std::memchr(s.data() + pos, '\n', s.size() - pos));
        size_t end = nl ? static_cast<size_t>(nl - s.data()) : s.size();
        std::string_view line = s.substr(pos, end - pos);
        if (line.find('\x01') != std::string_view::npos || line.substr(0, 4) == "ZCZC") ++frames;
        pos = end + 1;
    }
    return frames;
}

size_t count_stories(const input& in) {
    size_t n = 0;
    for (const auto& item : wire::adapters::normalize(in.bytes, in.opts).items)
        n += std::holds_alternative<wire::adapters::story>(item);
    return n;
}

void set_counters(benchmark::State& state, const input_set& set) {
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * set.bytes));
    state.counters["stories/s"] = benchmark::Counter(
        static_cast<double>(set.stories * state.iterations()), benchmark::Counter::kIsRate);
    state.counters["stories"] = static_cast<double>(set.stories);
    state.counters["bytes"] = static_cast<double>(set.bytes);
}

void bm_normalize(benchmark::State& state, const input_set* set, bool envelope) {
    for (auto _ : state) {
        for (const auto& doc : set->docs) {
            auto r = wire::adapters::normalize(doc.bytes, doc.opts);
            if (envelope)
                for (const auto& item : r.items)
                    if (const auto* s = std::get_if<wire::adapters::story>(&item)) {
                        auto env = wire::adapters::envelope_json(*s);
                        benchmark::DoNotOptimize(env.data());
                    }
            benchmark::DoNotOptimize(r.items.data());
        }
    }
    set_counters(state, *set);
}

void bm_raw(benchmark::State& state, const input_set* set) {
    simdjson::dom::parser json;
    const family fam = family_of(set->format);
    for (auto _ : state) {
        for (size_t i = 0; i < set->docs.size(); ++i) {
            const auto& bytes = set->docs[i].bytes;
            if (fam == family::xml) {
                pugi::xml_document doc;
                auto r = doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default,
                                         pugi::encoding_auto);
                benchmark::DoNotOptimize(r.status);
            } else if (fam == family::json) {
                simdjson::dom::element e;
                auto err = json.parse(set->padded[i]).get(e);
                benchmark::DoNotOptimize(err);
            } else {
                benchmark::DoNotOptimize(telex_scan(bytes));
            }
        }
    }
    set_counters(state, *set);
}

std::unique_ptr<input_set> make_set(std::string format, std::vector<input> docs) {
    auto set = std::make_unique<input_set>();
    set->format = std::move(format);
    set->docs = std::move(docs);
    for (const auto& d : set->docs) {
        set->bytes += d.bytes.size();
        set->stories += count_stories(d);
        if (family_of(set->format) == family::json) set->padded.emplace_back(d.bytes);
    }
    return set;
}

}  // namespace

int main(int argc, char** argv) {
    fs::path root = WIREGATE_FIXTURES_DIR;
    int corpus_stories = 200;
    // Our own flags first; the rest go to Google Benchmark.
    std::vector<char*> rest{argv[0]};
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--fixtures" && i + 1 < argc)
            root = argv[++i];
        else if (a == "--corpus-stories" && i + 1 < argc)
            corpus_stories = std::atoi(argv[++i]);
        else
            rest.push_back(argv[i]);
    }
    std::vector<std::unique_ptr<input_set>> sets;
    std::vector<std::string> formats;
    for (const auto& d : fs::directory_iterator(root))
        if (d.is_directory() && fs::exists(d.path() / "good"))
            formats.push_back(d.path().filename().string());
    std::sort(formats.begin(), formats.end());
    for (const auto& f : formats) {
        auto fixtures = make_set(f, wire::bench::fixtures(root, f));
        auto corpus = make_set(f, {wire::bench::big_document(root, f, corpus_stories)});
        std::fprintf(
            stderr,
            "%-10s fixtures: %zu docs, %zu stories, %zu bytes; corpus: %zu stories, %zu bytes\n",
            f.c_str(), fixtures->docs.size(), fixtures->stories, fixtures->bytes, corpus->stories,
            corpus->bytes);
        sets.push_back(std::move(fixtures));
        sets.push_back(std::move(corpus));
    }
    for (const auto& set : sets) {
        const std::string which =
            set->docs.size() == 1 && set->docs[0].name == "corpus" ? "corpus" : "fixtures";
        const auto* p = set.get();
        benchmark::RegisterBenchmark(("normalize/" + p->format + "/" + which).c_str(), bm_normalize,
                                     p, false);
        benchmark::RegisterBenchmark(("envelope/" + p->format + "/" + which).c_str(), bm_normalize,
                                     p, true);
        benchmark::RegisterBenchmark(("raw/" + p->format + "/" + which).c_str(), bm_raw, p);
    }
    int n = static_cast<int>(rest.size());
    benchmark::Initialize(&n, rest.data());
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
