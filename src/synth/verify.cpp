// Sandboxed verification of synthetic solutions with the evaluators' own judges.
#include "verify.hpp"

#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <atomic>

#include "hrm/eval/lcb_judge.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;

namespace {

// A fresh private scratch directory (never a shared one such as /tmp itself).
fs::path make_scratch(const std::string& stem) {
  std::string templ = (fs::temp_directory_path() / (stem + "-XXXXXX")).string();
  HRM_CHECK(mkdtemp(templ.data()) != nullptr,
            "synth: cannot create a scratch directory under " + fs::temp_directory_path().string(), "check TMPDIR");
  return templ;
}

}  // namespace

void run_lcb_checks(std::vector<LcbCheck>& checks, int jobs) {
  if (checks.empty()) return;
  const fs::path scratch = make_scratch("hrm-synth-lcb");
  eval::lcb::JudgeOptions options;
  options.work_root = scratch;
  // One driver process per chunk; chunks run in parallel threads (judge_batch blocks on its sandbox).
  const size_t chunks = std::min(checks.size(), static_cast<size_t>(resolve_jobs(jobs)));
  std::vector<std::vector<std::string>> codes(checks.size());
  for (size_t k = 0; k < checks.size(); ++k) codes[k] = {checks[k].code};
  std::exception_ptr failure;
  try {
    parallel_for(jobs, chunks, [&](size_t c) {
      std::vector<eval::lcb::JudgeItem> items;
      std::vector<size_t> index;
      for (size_t k = c; k < checks.size(); k += chunks) {
        items.push_back({checks[k].problem, checks[k].tests, &codes[k], {}});
        index.push_back(k);
      }
      eval::lcb::judge_batch(items, options);
      for (size_t j = 0; j < items.size(); ++j) {
        auto& r = items[j].results.at(0);
        checks[index[j]].passed = r.passed;
        checks[index[j]].metadata = r.metadata;
      }
    });
  } catch (...) {
    failure = std::current_exception();
  }
  std::error_code ec;
  fs::remove_all(scratch, ec);
  if (failure) std::rethrow_exception(failure);
}

struct PolyglotVerifier::State {
  eval::Toolchains tools;
  eval::Caches caches;
  int jobs;
  double timeout;
  fs::path scratch;
  std::atomic<size_t> counter{0};
  State(const std::vector<std::string>& languages, int jobs, double timeout_seconds, const fs::path& cache_dir)
      : tools(eval::probe_toolchains(languages)),
        caches(eval::make_caches(cache_dir.empty() ? eval::default_cache_dir() : cache_dir)),
        jobs(jobs),
        timeout(timeout_seconds),
        scratch(make_scratch("hrm-synth-polyglot")) {}
};

PolyglotVerifier::PolyglotVerifier(const std::vector<std::string>& languages, int jobs, double timeout_seconds,
                                   const fs::path& cache_dir)
    : state_(new State(languages, jobs, timeout_seconds, cache_dir)) {}

PolyglotVerifier::~PolyglotVerifier() {
  std::error_code ec;
  fs::remove_all(state_->scratch, ec);
  delete state_;
}

void PolyglotVerifier::run(std::vector<PolyglotCheck>& checks) {
  Progress progress("synth polyglot", checks.size(), "exercises");
  parallel_for(state_->jobs, checks.size(), [&](size_t k) {
    PolyglotCheck& c = checks[k];
    const eval::Exercise& ex = *c.exercise;
    // Named after the slug, as the runner's work folders (C++ CMakeLists take the name from it).
    const fs::path work = state_->scratch / std::to_string(state_->counter++) / ex.slug;
    fs::create_directories(work);
    for (const auto& entry : fs::directory_iterator(ex.dir)) {
      if (entry.path().filename() == ".meta") continue;
      fs::copy(entry.path(), work / entry.path().filename(), fs::copy_options::recursive);
    }
    for (const auto& [path, contents] : c.solution) {
      fs::create_directories((work / path).parent_path());
      write_file_atomic(work / path, contents);
    }
    eval::prepare_tests(ex, work, state_->tools);
    const sandbox::RunResult r =
        sandbox::run(eval::test_request(ex, work, state_->tools, state_->caches, state_->timeout));
    if (r.verdict == sandbox::Verdict::kSandboxError) {
      throw Error(ex.id() + ": the sandbox failed to run the tests: " + r.error,
                  "run `hrm doctor`; synth stops rather than count this as a failing task");
    }
    c.passed = r.ok();
    c.verdict = sandbox::verdict_name(r.verdict);
    c.output = eval::clean_test_output(r.stdout_data + r.stderr_data, work);
    std::error_code ec;
    fs::remove_all(work.parent_path(), ec);
    progress.advance(1, c.passed, ex.id());
  });
}

}  // namespace hrm::synth
