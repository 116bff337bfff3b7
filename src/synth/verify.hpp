// Internal: running synthetic solutions in the sandbox through the evaluators' code paths — the
// LiveCodeBench judge (judge_batch) and the Polyglot language recipes (prepare_tests + test_request).
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/polyglot_exercise.hpp"

namespace hrm::synth {

struct LcbCheck {
  const eval::lcb::Problem* problem = nullptr;
  const std::vector<eval::lcb::Test>* tests = nullptr;
  std::string code;  // the program as LCB extracts it from an answer
  bool passed = false;
  nlohmann::json metadata;  // LiveCodeBench's per-sample metadata (what self-repair quotes)
};
// Judges every check, `jobs` driver processes in parallel.
void run_lcb_checks(std::vector<LcbCheck>& checks, int jobs);

struct PolyglotCheck {
  const eval::Exercise* exercise = nullptr;
  std::map<std::string, std::string> solution;  // solution files to test (relative path -> contents)
  bool passed = false;
  std::string verdict;
  std::string output;  // cleaned as the Polyglot runner cleans it for the model
};

// Runs checks with the Polyglot recipes, each in a fresh copy of its exercise (without .meta), in a
// scratch directory of its own.
class PolyglotVerifier {
 public:
  PolyglotVerifier(const std::vector<std::string>& languages, int jobs, double timeout_seconds,
                   const std::filesystem::path& cache_dir);
  ~PolyglotVerifier();
  PolyglotVerifier(const PolyglotVerifier&) = delete;
  PolyglotVerifier& operator=(const PolyglotVerifier&) = delete;
  void run(std::vector<PolyglotCheck>& checks);

 private:
  struct State;
  State* state_;
};

}  // namespace hrm::synth
