// Properties every input must keep, whatever its format:
//  - the same bytes read twice give the same story ids and the same envelopes;
//  - text is never lost: every run of prose in the input (twelve or more words in a row, see
//    prose_runs) is found in the stories that come out — at least eight consecutive words of
//    it, in some field of some story (body, headline, description, ednote, rights, byline…).
// Inputs: every fixture (good and bad), the public samples in ../shared/samples read in place,
// the fuzz regressions, and the local fuzz corpus of the adapter fuzzer when scripts/fuzz has
// made one (build/fuzz/corpus/adapter*). Text is checked on the inputs that are meant to be
// stories (good fixtures and samples); ids and envelopes on all.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <set>

#include "core/charset.hpp"
#include "core/profile.hpp"
#include "core/registry.hpp"
#include "fixture_files.hpp"

using namespace wire::adapters;
using namespace wire::adapters::testing_support;

namespace {

const fs::path k_root = fs::path(WIREGATE_SOURCE_DIR);

struct property_input {
    fs::path file;
    std::string format;  // the adapter to read it with ("auto" for corpus entries)
    bool story_expected = false;
};

std::vector<property_input> property_inputs() {
    std::vector<property_input> out;
    auto add_tree = [&](const fs::path& dir, auto format_of, bool story_expected) {
        if (!fs::exists(dir)) return;
        for (const auto& e : fs::recursive_directory_iterator(dir))
            if (is_input(e.path())) out.push_back({e.path(), format_of(e.path()), story_expected});
    };
    auto folder = [](const fs::path& p) {
        return p.parent_path().parent_path().filename().string();
    };
    auto parent = [](const fs::path& p) { return p.parent_path().filename().string(); };
    auto auto_format = [](const fs::path&) { return std::string("auto"); };
    for (const auto& a : registered_adapters()) {
        add_tree(k_fixtures / a.id / "good", folder, true);
        add_tree(k_fixtures / a.id / "bad", folder, false);
        add_tree(k_root / ".." / "shared" / "samples" / a.id, parent, true);
    }
    add_tree(k_root / "tests" / "fuzz" / "regressions", auto_format, false);
    if (fs::exists(k_root / "build" / "fuzz" / "corpus"))
        for (const auto& d : fs::directory_iterator(k_root / "build" / "fuzz" / "corpus"))
            if (d.path().filename().string().rfind("adapter", 0) == 0)
                add_tree(d.path(), auto_format, false);
    return out;
}

bool letter(unsigned char c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

// Words: runs of ASCII letters and non-ASCII bytes, with ' and - inside.
std::vector<std::string> words_of(std::string_view text) {
    std::vector<std::string> out;
    std::string w;
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (letter(c) || c >= 0x80 || (!w.empty() && (c == '\'' || c == '-'))) {
            w += ch;
        } else if (!w.empty()) {
            out.push_back(std::move(w));
            w.clear();
        }
    }
    if (!w.empty()) out.push_back(std::move(w));
    return out;
}

// Runs of prose: twelve or more words separated only by spaces, line feeds, commas or
// semicolons. Digits, markup and full stops end a run, so ids, dates and tags are not prose.
std::vector<std::vector<std::string>> prose_runs(std::string_view text) {
    std::vector<std::vector<std::string>> runs;
    std::vector<std::string> run;
    std::string w;
    auto end_run = [&] {
        if (run.size() >= 12) runs.push_back(run);
        run.clear();
    };
    for (std::size_t i = 0; i <= text.size(); ++i) {
        const unsigned char c = i < text.size() ? static_cast<unsigned char>(text[i]) : 0u;
        if (letter(c) || c >= 0x80 || (!w.empty() && (c == '\'' || c == '-'))) {
            w += static_cast<char>(c);
            continue;
        }
        const bool joins = c == ' ' || c == '\n' || c == ',' || c == ';';
        if (!w.empty()) {
            run.push_back(std::move(w));
            w.clear();
            if (!joins) end_run();
        } else if (!joins || c == ',' || c == ';') {
            end_run();
        }
    }
    return runs;
}

void collect_strings(simdjson::dom::element e, std::string& out) {
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) {
        for (const auto& w : words_of(s)) out += w + ' ';
        out += "| ";
    } else if (e.is_array()) {
        for (auto v : e.get_array()) collect_strings(v, out);
    } else if (e.is_object()) {
        for (auto [k, v] : e.get_object()) collect_strings(v, out);
    }
}

std::string decoded_input(const std::string& raw, const fixture_options& fo,
                          const std::string& format) {
    const adapter_info* a = find_adapter(format);
    std::string declared = fo.opts.charset;
    if (a && a->charset == charset_source::xml_declaration && !xml_declared_encoding(raw).empty())
        declared = xml_declared_encoding(raw);
    const profile* p = fo.opts.profile.empty() ? &generic_profile() : find_profile(fo.opts.profile);
    const std::string fallback =
        a && a->charset == charset_source::transport && p ? p->charset : "utf-8";
    auto d = decode_to_utf8(raw, declared, fallback);
    return std::holds_alternative<decoded_text>(d) ? std::get<decoded_text>(d).utf8 : raw;
}

// gtest prints the file instead of the struct's bytes.
[[maybe_unused]] void PrintTo(const property_input& in, std::ostream* os) {
    *os << in.file.string() << " as " << in.format;
}

class TextKept : public testing::TestWithParam<property_input> {};

TEST_P(TextKept, SameBytesSameIdsAndNoProseLost) {
    const auto& in = GetParam();
    const std::string raw = read_file(in.file);
    const auto fo = options_for(in.file, in.format);
    const auto first = normalize(raw, fo.opts), second = normalize(raw, fo.opts);
    ASSERT_EQ(first.items.size(), second.items.size());
    std::string out_words;
    simdjson::dom::parser parser;
    std::size_t stories = 0;
    for (std::size_t i = 0; i < first.items.size(); ++i) {
        const auto* a = std::get_if<story>(&first.items[i]);
        const auto* b = std::get_if<story>(&second.items[i]);
        ASSERT_EQ(a == nullptr, b == nullptr) << "item " << i;
        if (!a) continue;
        ++stories;
        EXPECT_EQ(a->uri, b->uri) << "item " << i;
        const std::string env = envelope_json(*a);
        EXPECT_EQ(env, envelope_json(*b)) << "item " << i;
        simdjson::dom::element doc;
        ASSERT_EQ(parser.parse(env).get(doc), simdjson::SUCCESS);
        collect_strings(doc["story"], out_words);
    }
    if (!in.story_expected) return;
    EXPECT_GT(stories, 0u) << "a story document was refused";
    for (const auto& run : prose_runs(decoded_input(raw, fo, fo.opts.format))) {
        bool found = false;
        for (std::size_t i = 0; i + 8 <= run.size() && !found; ++i) {
            std::string window;
            for (std::size_t k = i; k < i + 8; ++k) window += run[k] + ' ';
            found = out_words.find(window) != std::string::npos;
        }
        std::string text;
        for (const auto& w : run) text += w + ' ';
        EXPECT_TRUE(found) << "prose lost: " << text;
    }
}

std::string test_name(const testing::TestParamInfo<property_input>& info) {
    std::string name = fs::relative(info.param.file, k_root.parent_path()).string();
    for (auto& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name;
}

INSTANTIATE_TEST_SUITE_P(AllInputs, TextKept, testing::ValuesIn(property_inputs()), test_name);

TEST(TextKeptRunner, FindsProseRunsAndNotMarkup) {
    auto runs = prose_runs(
        "<p>Stoltenberg said an investment in Ukraine's security is an investment, he said, "
        "into NATO</p> 2017-07-10 urn:x:1 <a href=\"x\">");
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].front(), "Stoltenberg");
    EXPECT_EQ(runs[0].size(), 14u);
    EXPECT_TRUE(prose_runs("ZCZC IFX1234 3 POL NATO chief calls on Russia. Short.").empty());
}

}  // namespace
