// LiveCodeBench scoring: code extraction from replies and the unbiased pass@k estimator, overall and
// by group (difficulty, platform, contest month), as lcb_runner/evaluation/pass_k_utils.py computes it.
//
// Exports: extract_code(), pass_at_k(), ProblemOutcome, GroupScore, score_groups(), reported_ks().
#pragma once
#include <map>
#include <string>
#include <vector>

namespace hrm::eval::lcb {

// The lines strictly between the last two lines containing "```" (LiveCodeBench's extract_code for
// chat models); "" when the reply has fewer than two fence lines.
std::string extract_code(const std::string& reply);

// 1 - C(n-c, k) / C(n, k) computed as LiveCodeBench does: 1 - prod_{i=n-c+1..n} (1 - k/i); 1 when
// n - c < k. Requires 0 <= c <= n and k >= 1.
double pass_at_k(int n, int c, int k);

struct ProblemOutcome {
  std::string question_id, difficulty, platform, contest_date;
  int n = 0;        // samples judged
  int correct = 0;  // samples that passed every test
};

struct GroupScore {
  std::string group;  // "all", "difficulty=easy", "platform=atcoder", "month=2024-08"
  int problems = 0;
  std::map<int, double> pass_at;  // k -> mean pass@k (fraction), only for ks every problem supports
};

// The ks of `requested` that every problem supports (n >= k), as LiveCodeBench reports them.
std::vector<int> reported_ks(const std::vector<ProblemOutcome>& outcomes, const std::vector<int>& requested);

// Overall, then by difficulty (easy, medium, hard), platform and contest month; empty groups are
// left out. A k is reported in a group only when every problem of that group has n >= k.
std::vector<GroupScore> score_groups(const std::vector<ProblemOutcome>& outcomes, const std::vector<int>& ks);

}  // namespace hrm::eval::lcb
