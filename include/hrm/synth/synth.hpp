// `hrm-data synth`: the verified synthetic curriculum. Draws instances of the template families
// (family.hpp), writes them as LiveCodeBench rows (Python) and Polyglot exercises (six languages),
// runs every reference solution in the sandbox through the evaluators' own code paths (the LCB judge,
// the Polyglot language recipes) and drops what fails, then writes SFT chats that are exactly the
// evaluators' prompts with an ideal answer, and self-repair data from mutated solutions whose tests
// really fail. Layout and row formats: docs/data.md, "Synthetic curriculum".
//
// Exports: SynthOptions, run_synth().
#pragma once
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace hrm::synth {

struct SynthOptions {
  std::filesystem::path out_dir;  // must be empty or absent
  uint64_t seed = 0;              // same options and seed give the same files
  int per_family = 40;            // distinct instances drawn per family
  int tests_per_task = 6;         // test cases per instance (first one public in LCB rows)
  std::vector<int> stages = {1};  // 1 and/or 2
  std::vector<std::string> languages = {"python"};
  std::vector<std::string> families;          // these families (any stage); empty: every family of `stages`
  std::vector<std::string> holdout_families;  // empty: the families marked held_out
  double test_instance_fraction = 0.1;        // of each training family's instances, held out
  bool lcb = true;                            // LiveCodeBench rows (Python only)
  bool polyglot = true;                       // Polyglot exercises
  std::string lcb_style = "functional";       // functional | stdin | mixed (alternating by instance)
  std::string edit_format = "whole";          // Polyglot SFT answers: whole | diff | both
  int repairs_per_task = 1;                   // mutants tried per verified task; 0: no repair data
  int jobs = 0;                               // parallel sandboxes; 0: all cores
  double timeout_seconds = 120;               // wall limit per Polyglot test run
  std::filesystem::path cache_dir;            // shared build caches; empty: the Polyglot runner's default
};

// Generates, verifies and writes everything; returns the statistics (also <out>/stats.json). Throws
// hrm::Error for bad options, an unusable sandbox or an output directory that is not empty.
nlohmann::json run_synth(const SynthOptions& options);

// A one-screen summary of the statistics (pass counts per stage, language and benchmark).
std::string format_stats(const nlohmann::json& stats);

}  // namespace hrm::synth
