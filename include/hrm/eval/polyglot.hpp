// `hrm-eval --bench polyglot`: Aider's Polyglot benchmark run natively. For each exercise: a fresh copy,
// the model's reply in the chosen edit format applied, test files restored, the tests run in the sandbox,
// and on failure the test output goes back to the model for the next try.
//
// Exports: PolyglotOptions, run_polyglot(). See docs/polyglot.md.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/model_backend.hpp"

namespace hrm::eval {

struct PolyglotOptions {
  std::filesystem::path data_dir;      // a polyglot-benchmark checkout
  std::vector<std::string> languages;  // empty: all six
  std::string exercises;               // comma-separated globs over slug or lang/slug; empty: all
  int tries = 2;
  std::string edit_format = "whole";  // whole | diff
  int jobs = 0;                       // parallel exercises; 0: all cores
  std::filesystem::path out_dir = "results/polyglot";
  bool resume = false;              // skip exercises with a saved result in out_dir
  double timeout_seconds = 180;     // wall limit per test run (Aider's value)
  std::filesystem::path cache_dir;  // shared build caches; empty: $HRM_CACHE_DIR or ~/.cache/hrm/polyglot
  bool shared_caches = true;        // false: every test run starts with cold, private caches
  bool keep_work = false;           // keep each exercise's work folder after it finishes
  bool progress = true;             // progress bar on stderr
  GenerationParams params;          // sampling parameters for the backend
  std::string command;              // the command line, recorded in the summary
};

// Runs the benchmark and returns the summary (also written to <out_dir>/summary.json; one JSON per
// exercise under <out_dir>/exercises/<lang>/<slug>.json). Throws hrm::Error for setup problems (bad data
// dir, out_dir holding results without --resume); a malformed reply or a failing test is a result.
nlohmann::json run_polyglot(const PolyglotOptions& options, ModelBackend& backend);

}  // namespace hrm::eval
