// Progress: plain lines off a terminal (every tenth, the last one once), a redrawn bar on one, nothing
// when silent; counts stay exact when many threads advance it.
#include "hrm/util/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <thread>
#include <vector>

#include "hrm/util/parallel.hpp"

namespace hrm {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(Progress, LinesModePrintsOneLinePerTenth) {
  std::ostringstream out;
  {
    Progress p("build", 100, "docs", ProgressMode::kLines, &out);
    for (int i = 0; i < 100; ++i) p.advance();
    EXPECT_EQ(p.done(), 100u);
  }  // the destructor's finish() adds nothing: the 100% line is out
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 10u) << out.str();
  EXPECT_EQ(lines[0].rfind("build: 10/100 docs (10%), ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[9].rfind("build: 100/100 docs (100%), ", 0), 0u) << lines[9];
  EXPECT_EQ(out.str().find('\r'), std::string::npos);  // no terminal control in logs
}

TEST(Progress, LinesModeShowsPassesAndTheLastDetail) {
  std::ostringstream out;
  Progress p("polyglot", 4, "exercises", ProgressMode::kLines, &out);
  p.advance(1, 1, "python/bob pass");
  p.advance(1, 0, "go/leap fail");
  EXPECT_EQ(p.passed(), 1u);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 2u) << out.str();
  EXPECT_NE(lines[0].find("1/4 exercises (25%), 1 passed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("2/4 exercises (50%), 1 passed"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("ETA"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("go/leap fail"), std::string::npos) << lines[1];
}

TEST(Progress, UnknownTotalPrintsTheCountAtTheEnd) {
  std::ostringstream out;
  Progress p("scan", 0, "B", ProgressMode::kLines, &out);
  p.set(1500);
  p.set(2500000);
  EXPECT_EQ(out.str(), "");  // no tenths to cross: only the 30 s clock or the end prints
  p.finish();
  p.finish();
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 1u) << out.str();
  EXPECT_EQ(lines[0].rfind("scan: 2.5M B, ", 0), 0u) << lines[0];
}

TEST(Progress, BarModeRedrawsOneLineAndEndsIt) {
  std::ostringstream out;
  Progress p("livecodebench", 10, "samples", ProgressMode::kBar, &out);
  p.advance(5, 3);
  p.finish();
  const std::string text = out.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("[###############...............] 5/10 samples (50%), 3 passed"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(lines_of(text).size(), 1u);  // one terminal line, redrawn in place
}

TEST(Progress, SilentModeCountsButPrintsNothing) {
  std::ostringstream out;
  Progress p("quiet", 3, "items", ProgressMode::kSilent, &out);
  p.advance(3, 2);
  p.finish();
  EXPECT_EQ(p.done(), 3u);
  EXPECT_EQ(p.passed(), 2u);
  EXPECT_EQ(out.str(), "");
}

TEST(Progress, ManyThreadsKeepExactCountsAndWholeLines) {
  std::ostringstream out;
  constexpr size_t kItems = 8000;
  Progress p("judge", kItems, "samples", ProgressMode::kLines, &out);
  parallel_for(8, kItems, [&](size_t i) { p.advance(1, i % 2); });
  EXPECT_EQ(p.done(), kItems);
  EXPECT_EQ(p.passed(), kItems / 2);
  const auto lines = lines_of(out.str());
  ASSERT_EQ(lines.size(), 10u) << out.str();  // one per tenth, none torn or doubled
  for (const auto& line : lines) EXPECT_EQ(line.rfind("judge: ", 0), 0u) << line;
  EXPECT_NE(lines.front().find("800/8.0K samples (10%)"), std::string::npos) << lines.front();
  EXPECT_NE(lines.back().find("8.0K/8.0K samples (100%), 4.0K passed"), std::string::npos) << lines.back();
}

}  // namespace
}  // namespace hrm
