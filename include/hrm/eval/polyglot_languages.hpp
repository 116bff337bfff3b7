// How each Polyglot language's tests run offline in the sandbox: the toolchains found on this machine,
// the per-language preparation (un-skipping tests, node_modules link, offline cargo config), the test
// command with its environment and limits, the output cleaning, and the table of known offline limits.
//
// Exports: Toolchains, probe_toolchains(), base_env(), copy_exercise(), prepare_tests(), test_request(),
// clean_test_output(), TestRun, run_exercise_tests(), UnsupportedRule, unsupported_rules(),
// unsupported_reason().
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hrm/eval/polyglot_exercise.hpp"
#include "hrm/sandbox/sandbox.hpp"

namespace hrm::eval {

// Where the tools are. Probed once per run on the host (trusted tools, not sandboxed).
struct Toolchains {
  std::string go_root = "/usr/lib/go-1.23";   // $HRM_GO_ROOT
  std::string js_dir = "/opt/hrm/js";         // $HRM_JS_DIR: the shared npm install (node_modules inside)
  std::string cargo_home = "/opt/hrm/cargo";  // $HRM_CARGO_HOME: holds the offline config.toml
  std::string rust_bin_dir;                   // the real toolchain's bin dir (cargo, rustc), not rustup's proxies
  std::string java_jars = "/usr/share/java";  // junit-platform-console-standalone, assertj-core, json-latest
  std::string python = "/usr/bin/python3";
  std::string node;                             // resolved node binary
  std::map<std::string, std::string> versions;  // language -> "tool version" lines, for the report
};

// Reads the env overrides and asks the tools for their versions (only for `languages`). Missing tools are
// reported in versions as "missing: <what>", with a warning naming tools/setup-toolchains.sh.
Toolchains probe_toolchains(const std::vector<std::string>& languages);

// The environment every sandboxed run starts from (nothing is inherited from the caller): the system PATH,
// HOME and TMPDIR in /tmp, the C.UTF-8 locale, a dumb terminal without colours.
std::map<std::string, std::string> base_env();

// Build caches shared by the test runs: ccache (C++), go-build (Go), jest (JavaScript transforms).
// Runs use different sandbox uids, so the caches are world-writable (dirs 0777, files 0666; the test
// commands run with umask 0); make_caches() creates them and repairs the modes of what is there.
// Sharing lets one exercise's code leave entries that a later exercise's build reads: with untrusted
// models and scores that must not be gamed, use private caches (`--no-shared-caches`).
struct Caches {
  std::filesystem::path ccache, go_build, jest;  // empty: private to each run (under its /tmp), cold
  bool shared() const { return !ccache.empty(); }
};
Caches make_caches(const std::filesystem::path& cache_dir);
// Where shared caches live unless --cache-dir says otherwise: $HRM_CACHE_DIR/polyglot, else
// $XDG_CACHE_HOME/hrm/polyglot, else ~/.cache/hrm/polyglot, else <tmp>/hrm-polyglot-cache (so hrm-eval and
// hrm-data synth share warm caches).
std::filesystem::path default_cache_dir();

// A fresh copy of the exercise in `work_dir` (removed first) without the reference and the track's
// write-ups (.meta, .approaches, .articles).
void copy_exercise(const Exercise& exercise, const std::filesystem::path& work_dir);

// Readies `work_dir` (a copy of the exercise, test files just restored) for a test run: un-skips
// xtest/xit/test.skip/@Disabled, links node_modules to the shared install, writes .cargo/config.toml.
void prepare_tests(const Exercise& exercise, const std::filesystem::path& work_dir, const Toolchains& tools);

// The sandboxed test command for the exercise in `work_dir`. `timeout_seconds` is the wall limit
// (Aider uses 180 s); CPU time is allowed 4x that (builds use several threads).
sandbox::RunRequest test_request(const Exercise& exercise, const std::filesystem::path& work_dir,
                                 const Toolchains& tools, const Caches& caches, double timeout_seconds);

// Test output as the model sees it: stdout+stderr, ANSI colours removed, the absolute work dir shown as
// the exercise's folder name, timing noise ("in 0.12s") dropped.
std::string clean_test_output(const std::string& output, const std::filesystem::path& work_dir);

// One test run of an exercise (the Polyglot runner's tries and the agent mode's verifier).
struct TestRun {
  bool passed = false;
  std::string verdict;  // sandbox verdict ("exited", "wall_timeout", ...)
  int exit_code = -1;
  bool timed_out = false;
  bool output_truncated = false;
  std::string output;  // clean_test_output(), plus a line saying so after a timeout
  double seconds = 0;
};

// Restores the test files in `work_dir` from the pristine exercise (whatever stood at their paths is
// removed first, so a link there cannot redirect the copy), prepare_tests(), then the test command in the
// sandbox. Throws hrm::Error when the sandbox itself fails (not the model's doing).
TestRun run_exercise_tests(const Exercise& exercise, const std::filesystem::path& work_dir, const Toolchains& tools,
                           const Caches& caches, double timeout_seconds);

// A known offline limit: the exercise cannot pass here for a reason outside the model's control.
struct UnsupportedRule {
  std::string id;  // "java/hangman"
  bool any_reply;  // true: the tests themselves cannot build offline, whatever the reply;
                   // false: only the reference solution is affected (applies to the oracle backend)
  std::string reason;
};
const std::vector<UnsupportedRule>& unsupported_rules();
// The reason when a failed run of `exercise` is a known limit for this backend (oracle or not).
std::optional<std::string> unsupported_reason(const Exercise& exercise, bool oracle);

}  // namespace hrm::eval
