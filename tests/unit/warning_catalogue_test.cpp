// Every warning code the code can give is in the catalogue of docs/formats.md, and the
// catalogue lists no code the code never gives: consumers match on these codes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace fs = std::filesystem;

namespace {

const fs::path k_root = fs::path(WIREGATE_SOURCE_DIR);

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// warn("code", …) and {"code", "message"} initialisers of a `warning`.
std::set<std::string> codes_in_sources() {
    static const std::regex call(R"re(warn\(\s*"([a-z][a-z0-9_]*)")re");
    static const std::regex braced(
        R"re((?:warnings|pending)\.push_back\(\s*\{\s*"([a-z][a-z0-9_]*)",)re");
    std::set<std::string> codes;
    for (const char* dir : {"adapters", "gateway"})
        for (const auto& e : fs::recursive_directory_iterator(k_root / dir)) {
            const auto ext = e.path().extension();
            if (ext != ".cpp" && ext != ".hpp") continue;
            const std::string text = slurp(e.path());
            for (const auto* re : {&call, &braced})
                for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it)
                    codes.insert((*it)[1]);
        }
    return codes;
}

std::set<std::string> codes_in_catalogue() {
    const std::string doc = slurp(k_root / "docs" / "formats.md");
    const auto start = doc.find("| code | given when |");
    const auto end = doc.find("\n\n", start);
    std::set<std::string> codes;
    static const std::regex row(R"re(\n\| `([a-z][a-z0-9_]*)` \|)re");
    const std::string table = doc.substr(start, end - start);
    for (std::sregex_iterator it(table.begin(), table.end(), row), e; it != e; ++it)
        codes.insert((*it)[1]);
    return codes;
}

TEST(WarningCatalogue, EveryCodeGivenIsDocumentedAndEveryDocumentedCodeIsGiven) {
    const auto given = codes_in_sources(), documented = codes_in_catalogue();
    ASSERT_GT(given.size(), 10u);
    for (const auto& c : given) EXPECT_TRUE(documented.count(c)) << c << " is not in formats.md";
    for (const auto& c : documented) EXPECT_TRUE(given.count(c)) << c << " is never given";
}

}  // namespace
