// hrm-eval: run a code benchmark against a model backend and print the report.
//   hrm-eval --bench polyglot --data polyglot-benchmark --model oracle --jobs 2 --out results/oracle
// Options shared by every benchmark come first; each benchmark adds its own option group and one branch
// in run_bench(). See docs/polyglot.md and docs/eval-backends.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "hrm/eval/model_backend.hpp"
#include "hrm/eval/polyglot.hpp"
#include "hrm/eval/polyglot_report.hpp"
#include "hrm/util/error.hpp"

namespace {

struct Common {
  std::string bench, data, model = "oracle", out;
  int jobs = 0;
  bool resume = false, no_progress = false;
  hrm::eval::GenerationParams params;
};

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

int run_bench(const Common& c, hrm::eval::PolyglotOptions& polyglot) {
  auto backend = hrm::eval::make_backend(c.model);
  if (c.bench == "polyglot") {
    polyglot.data_dir = c.data;
    polyglot.out_dir = c.out.empty() ? "results/polyglot" : c.out;
    polyglot.jobs = c.jobs;
    polyglot.resume = c.resume;
    polyglot.progress = !c.no_progress;
    polyglot.params = c.params;
    std::cout << hrm::eval::format_summary(hrm::eval::run_polyglot(polyglot, *backend)) << std::flush;
    return 0;
  }
  throw hrm::Error("unknown benchmark '" + c.bench + "'");
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hrm-eval: code benchmarks (Aider's Polyglot) with sandboxed test execution"};
  Common c;
  std::string schemes;
  for (const auto& s : hrm::eval::backend_schemes()) schemes += (schemes.empty() ? "" : ", ") + s;
  // Add a benchmark's name here and a branch in run_bench().
  app.add_option("--bench", c.bench, "Benchmark to run")->required()->check(CLI::IsMember({"polyglot"}));
  app.add_option("--data", c.data, "Benchmark data (polyglot: a polyglot-benchmark checkout)")->required();
  app.add_option("--model", c.model, "Model backend: oracle, stub, predictions:<file.jsonl>, "
                                     "openai:<base_url>/<model> (known schemes: " + schemes + ")")
      ->capture_default_str();
  app.add_option("--jobs", c.jobs, "Cases run in parallel (0: all cores)")->capture_default_str();
  app.add_option("--out", c.out, "Results folder (default results/<bench>)");
  app.add_flag("--resume", c.resume, "Skip cases with a saved result in --out");
  app.add_flag("--no-progress", c.no_progress, "No progress bar on stderr");
  auto* gen = app.add_option_group("generation", "Sampling parameters passed to the backend");
  gen->add_option("--temperature", c.params.temperature)->capture_default_str();
  gen->add_option("--top-p", c.params.top_p)->capture_default_str();
  gen->add_option("--max-tokens", c.params.max_tokens)->capture_default_str();
  gen->add_option("--seed", c.params.seed);
  gen->add_option("--request-timeout", c.params.timeout_seconds, "Seconds per HTTP attempt (openai)")->capture_default_str();

  hrm::eval::PolyglotOptions polyglot;
  auto* pg = app.add_option_group("polyglot", "Aider's Polyglot benchmark");
  pg->add_option("--languages", polyglot.languages, "Comma-separated subset of cpp,go,java,javascript,python,rust")
      ->delimiter(',');
  pg->add_option("--exercises", polyglot.exercises, "Comma-separated globs over <slug> or <lang>/<slug>");
  pg->add_option("--tries", polyglot.tries, "Tries per exercise (test output goes back after a failure)")->capture_default_str();
  pg->add_option("--edit-format", polyglot.edit_format, "How replies edit files")
      ->check(CLI::IsMember({"whole", "diff"}))->capture_default_str();
  pg->add_option("--timeout", polyglot.timeout_seconds, "Seconds per test run")->capture_default_str();
  pg->add_option("--cache-dir", polyglot.cache_dir, "Shared build caches (default $HRM_CACHE_DIR/polyglot or ~/.cache/hrm/polyglot)");
  pg->add_flag("--keep-work", polyglot.keep_work, "Keep each exercise's work folder under <out>/work");

  CLI11_PARSE(app, argc, argv);
  try {
    polyglot.command = command_line(argc, argv);
    return run_bench(c, polyglot);
  } catch (const hrm::Error& e) {
    std::cerr << "error: " << e.describe() << std::endl;
    return 1;
  }
}
