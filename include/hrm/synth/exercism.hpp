// `hrm-data exercism`: SFT, repair and RL data from Exercism track checkouts (the source the Polyglot
// benchmark was drawn from). Every practice exercise of the tracks that the polyglot-benchmark
// checkout does not contain (by slug, by n-gram overlap of instructions and tests) has its reference
// solution run against its real tests in the sandbox with the Polyglot language recipes; failures are
// dropped and counted. Outputs (docs/data.md, "Exercism tracks"):
//   <out>/sft/{train,test}.jsonl      Aider Polyglot prompts (instructions + stubs) -> whole file / SEARCH/REPLACE
//   <out>/repair/{train,test}.jsonl   try 2 after a mutant's real failing test output -> the fix
//   <out>/polyglot/{train,test}/<language>/exercises/practice/<slug>/   hrm-eval --bench polyglot --data ...
//   <out>/gspo/{train,test}.jsonl     RL task sets: the prompt and the exercise whose tests give the reward
//   <out>/excluded.json, <out>/stats.json
//
// Exports: ExercismOptions, run_exercism(), format_exercism_stats().
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::synth {

struct ExercismOptions {
  std::vector<std::filesystem::path> tracks;   // Exercism track checkouts (config.json names the language)
  std::vector<std::filesystem::path> exclude;  // polyglot-benchmark checkouts; required
  std::filesystem::path out_dir;               // must be empty or absent
  uint64_t seed = 0;                           // split and mutation seed
  double test_fraction = 0.1;                  // share of slugs held out (a slug goes to one split in every track)
  std::vector<std::string> holdout;            // these slugs held out instead of a seeded share
  int ngram = 13;                              // decontamination n-gram length (words)
  double threshold = 0.1;                      // share of a benchmark part's n-grams that excludes
  int repairs_per_exercise = 2;                // mutants tried per verified exercise; 0: no repair data
  int jobs = 0;                                // parallel sandboxes; 0: all cores
  double timeout_seconds = 180;                // wall limit per test run (Aider's)
  std::filesystem::path cache_dir;             // shared build caches; empty: the Polyglot runner's default
};

// Builds everything; returns the statistics (also <out>/stats.json). Throws hrm::Error for bad
// options, a checkout that is not a track, an unusable sandbox or a non-empty output directory.
nlohmann::json run_exercism(const ExercismOptions& options);

// A one-screen summary: per language found / excluded / failed / verified, splits, repairs.
std::string format_exercism_stats(const nlohmann::json& stats);

}  // namespace hrm::synth
