#include "hrm/eval/lcb_score.hpp"

#include <algorithm>

#include "hrm/util/error.hpp"

namespace hrm::eval::lcb {

std::string extract_code(const std::string& reply) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t nl = reply.find('\n', start);
    lines.push_back(reply.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  std::vector<size_t> fences;
  for (size_t i = 0; i < lines.size(); ++i)
    if (lines[i].find("```") != std::string::npos) fences.push_back(i);
  if (fences.size() < 2) return "";
  const size_t from = fences[fences.size() - 2] + 1, to = fences.back();
  std::string code;
  for (size_t i = from; i < to; ++i) {
    if (i > from) code += '\n';
    code += lines[i];
  }
  return code;
}

double pass_at_k(int n, int c, int k) {
  HRM_CHECK(k >= 1 && c >= 0 && c <= n, "pass_at_k: need k >= 1 and 0 <= c <= n (n=" + std::to_string(n) +
                                            ", c=" + std::to_string(c) + ", k=" + std::to_string(k) + ")");
  if (n - c < k) return 1.0;
  double prod = 1.0;
  for (int i = n - c + 1; i <= n; ++i) prod *= 1.0 - static_cast<double>(k) / i;
  return 1.0 - prod;
}

std::vector<int> reported_ks(const std::vector<ProblemOutcome>& outcomes, const std::vector<int>& requested) {
  std::vector<int> ks;
  for (int k : requested) {
    if (k < 1) continue;
    const bool all = std::all_of(outcomes.begin(), outcomes.end(), [k](const ProblemOutcome& o) { return o.n >= k; });
    if (all && !outcomes.empty()) ks.push_back(k);
  }
  return ks;
}

std::vector<GroupScore> score_groups(const std::vector<ProblemOutcome>& outcomes, const std::vector<int>& ks) {
  std::vector<std::pair<std::string, std::vector<const ProblemOutcome*>>> groups;
  auto add = [&](const std::string& name, const ProblemOutcome& o) {
    for (auto& g : groups) {
      if (g.first == name) {
        g.second.push_back(&o);
        return;
      }
    }
    groups.push_back({name, {&o}});
  };
  std::vector<std::string> order{"all",
                                 "difficulty=easy",
                                 "difficulty=medium",
                                 "difficulty=hard",
                                 "platform=atcoder",
                                 "platform=codeforces",
                                 "platform=leetcode"};
  for (const auto& name : order) groups.push_back({name, {}});
  std::vector<std::string> months;
  for (const auto& o : outcomes) {
    add("all", o);
    add("difficulty=" + o.difficulty, o);
    add("platform=" + o.platform, o);
    const std::string month = "month=" + o.contest_date.substr(0, 7);
    if (std::find(months.begin(), months.end(), month) == months.end()) months.push_back(month);
  }
  std::sort(months.begin(), months.end());
  for (const auto& m : months) groups.push_back({m, {}});
  for (const auto& o : outcomes) add("month=" + o.contest_date.substr(0, 7), o);

  std::vector<GroupScore> scores;
  for (const auto& [name, members] : groups) {
    if (members.empty()) continue;
    GroupScore s;
    s.group = name;
    s.problems = static_cast<int>(members.size());
    for (int k : ks) {
      if (!std::all_of(members.begin(), members.end(), [k](const ProblemOutcome* o) { return o->n >= k; })) continue;
      double sum = 0;
      for (const auto* o : members) sum += pass_at_k(o->n, o->correct, k);
      s.pass_at[k] = sum / static_cast<double>(members.size());
    }
    scores.push_back(std::move(s));
  }
  return scores;
}

}  // namespace hrm::eval::lcb
