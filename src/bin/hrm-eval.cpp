// hrm-eval: run a code benchmark against a model backend and print the report.
//   hrm-eval --bench polyglot --data polyglot-benchmark --model oracle --jobs 2 --out results/oracle
//   hrm-eval --bench polyglot --agent --max-turns 2,4,8 --data polyglot-benchmark --model oracle --out results/pa
//   hrm-eval --bench tools --data data/tools/suite.jsonl --model oracle --jobs 2 --out results/tools-oracle
//   hrm-eval --bench bfcl --data gorilla --model openai:http://127.0.0.1:8080/v1/qwen --out results/bfcl
// Options shared by every benchmark come first; each benchmark adds its own option group and one branch
// in run_bench(). See docs/polyglot.md and docs/eval-backends.md.
#include <CLI/CLI.hpp>
#include <iostream>

#include "hrm/agent/bench.hpp"
#include "hrm/agent/polyglot_agent.hpp"
#include "hrm/backend/local_backends.hpp"
#include "hrm/eval/bfcl_run.hpp"
#include "hrm/eval/lcb_run.hpp"
#include "hrm/eval/model_backend.hpp"
#include "hrm/eval/polyglot.hpp"
#include "hrm/eval/polyglot_report.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/run_main.hpp"

namespace {

struct Common {
  std::string bench, data, model = "oracle", out;
  int jobs = 0;
  bool resume = false, no_progress = false, agent = false;
  std::vector<int> max_turns;  // tools: at most one; polyglot --agent: the turn budgets
  hrm::eval::GenerationParams params;
};

// The shared flags into a benchmark's options (polyglot, tools and bfcl name these fields alike).
template <typename Options>
void apply_shared(const Common& c, const std::string& default_out, Options& o) {
  o.out_dir = c.out.empty() ? default_out : c.out;
  o.jobs = c.jobs;
  o.resume = c.resume;
  o.progress = !c.no_progress;
  o.params = c.params;
}

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

// LiveCodeBench (docs/livecodebench.md): its own defaults where the shared flags were not given.
struct Lcb {
  hrm::eval::lcb::RunOptions options;
  double memory_mb = 4096;
  bool temperature_given = false, top_p_given = false, max_tokens_given = false;
};

void add_livecodebench_options(CLI::App& app, Lcb& l) {
  auto& o = l.options;
  auto* g = app.add_option_group("livecodebench", "LiveCodeBench (--timeout is per test there, default 6)");
  g->add_option("--scenario", o.scenario, "codegeneration, selfrepair, testoutputprediction or codeexecution")
      ->capture_default_str();
  g->add_option("--release", o.release, "v1..v6 (cumulative test*.jsonl sets) when --data is a directory")
      ->capture_default_str();
  g->add_option("--start-date", o.filter.start_date, "Only problems from this contest date on (YYYY-MM-DD)");
  g->add_option("--end-date", o.filter.end_date, "Only problems up to this contest date (YYYY-MM-DD)");
  g->add_option("--platform", o.filter.platforms, "leetcode, codeforces, atcoder (comma-separated)")->delimiter(',');
  g->add_option("--difficulty", o.filter.difficulties, "easy, medium, hard (comma-separated)")->delimiter(',');
  g->add_option("--question-ids", o.filter.question_ids, "Only these question_ids (comma-separated)")->delimiter(',');
  g->add_option("--train-cutoff", o.train_cutoff,
                "The model's training-data cutoff (YYYY-MM-DD): earlier problems are "
                "flagged as contaminated (default: the data_cutoff an hrm: checkpoint records)");
  g->add_option("--n", o.n, "Samples per problem")->capture_default_str();
  g->add_option("--k", o.ks, "pass@k values to report (comma-separated)")->delimiter(',')->capture_default_str();
  g->add_option("--memory-mb", l.memory_mb, "Memory limit per sample (MiB)")->capture_default_str();
  g->add_option("--timeout-clock", o.judge.clock, "cpu (stable under load) or wall (as LiveCodeBench)")
      ->check(CLI::IsMember({"cpu", "wall"}))
      ->capture_default_str();
  g->add_option("--python", o.judge.python, "Python that runs the samples")->capture_default_str();
  g->add_option("--codegen-results", o.codegen_results, "selfrepair: eval_all.json of a code-generation run");
  g->add_flag("--cot", o.cot, "codeexecution: chain-of-thought prompt");
}

int run_livecodebench(const Common& c, Lcb& l) {
  auto& o = l.options;
  o.data = c.data;
  o.model = c.model;
  o.out_dir = c.out.empty() ? "results/livecodebench" : c.out;
  o.jobs = c.jobs;
  o.resume = c.resume;
  o.progress = !c.no_progress;
  if (l.temperature_given) o.temperature = c.params.temperature;
  if (l.top_p_given) o.top_p = c.params.top_p;
  if (l.max_tokens_given) o.max_tokens = c.params.max_tokens;
  o.seed = c.params.seed;
  o.judge.memory_bytes = static_cast<int64_t>(l.memory_mb * 1024 * 1024);
  std::cout << hrm::eval::lcb::run_livecodebench(o).table << std::flush;
  return 0;
}

// The tools benchmark (docs/tools.md): the agent model spec goes to make_agent_model (oracle, submit,
// random, replay:<file> and every eval backend).
int run_tools(const Common& c, hrm::agent::ToolsBenchOptions& o, bool keep_work) {
  if (c.max_turns.size() > 1) throw hrm::Error("--bench tools takes one --max-turns value");
  if (!c.max_turns.empty()) o.max_turns = c.max_turns[0];
  o.suite = c.data;
  o.model = c.model;
  apply_shared(c, "results/tools", o);
  o.keep_work = keep_work;
  std::cout << hrm::agent::run_tools_bench(o).table << std::flush;
  return 0;
}

// Polyglot (docs/polyglot.md), standard or in agent mode ("Agent mode": the agent model specs of
// --bench tools, and --max-turns as the list of turn budgets).
int run_polyglot(const Common& c, hrm::eval::PolyglotOptions& p) {
  p.data_dir = c.data;
  apply_shared(c, c.agent ? "results/polyglot-agent" : "results/polyglot", p);
  if (c.agent) {
    hrm::agent::PolyglotAgentOptions o;
    o.run = p;
    o.model = c.model;
    if (!c.max_turns.empty()) o.budgets = c.max_turns;
    std::cout << hrm::agent::run_polyglot_agent(o).table << std::flush;
    return 0;
  }
  auto backend = hrm::eval::make_backend(c.model);
  std::cout << hrm::eval::format_summary(hrm::eval::run_polyglot(p, *backend)) << std::flush;
  return 0;
}

// BFCL's offline categories (docs/bfcl.md).
int run_bfcl(const Common& c, hrm::eval::bfcl::RunOptions& o) {
  o.data = c.data;
  apply_shared(c, "results/bfcl", o);
  auto backend = hrm::eval::make_backend(c.model);
  std::cout << hrm::eval::bfcl::run_bfcl(o, *backend).table << std::flush;
  return 0;
}

int run_bench(const Common& c, hrm::eval::PolyglotOptions& polyglot, Lcb& lcb, hrm::agent::ToolsBenchOptions& tools,
              hrm::eval::bfcl::RunOptions& bfcl) {
  if (c.agent && c.bench != "polyglot") throw hrm::Error("--agent belongs to --bench polyglot");
  if (c.bench == "livecodebench") return run_livecodebench(c, lcb);
  if (c.bench == "tools") return run_tools(c, tools, polyglot.keep_work);
  if (c.bench == "polyglot") return run_polyglot(c, polyglot);
  if (c.bench == "bfcl") return run_bfcl(c, bfcl);
  throw hrm::Error("unknown benchmark '" + c.bench + "'");
}

int run(int argc, char** argv) {
  hrm::backend::register_local_backends();  // hrm:<checkpoint>
  CLI::App app{"hrm-eval: code benchmarks (Aider's Polyglot) with sandboxed test execution"};
  Common c;
  std::string schemes;
  for (const auto& s : hrm::eval::backend_schemes()) schemes += (schemes.empty() ? "" : ", ") + s;
  // Add a benchmark's name here and a branch in run_bench().
  app.add_option("--bench", c.bench, "Benchmark to run")
      ->required()
      ->check(CLI::IsMember({"polyglot", "livecodebench", "tools", "bfcl"}));
  app.add_option("--data", c.data,
                 "Benchmark data (polyglot: a polyglot-benchmark checkout; tools: a task suite .jsonl; bfcl: a gorilla "
                 "checkout)")
      ->required();
  app.add_option("--model", c.model,
                 "Model backend: oracle, stub, predictions:<file.jsonl>, "
                 "openai:<base_url>/<model> (known schemes: " +
                     schemes + ")")
      ->capture_default_str();
  app.add_option("--jobs", c.jobs, "Cases run in parallel (0: all cores)")->capture_default_str();
  int threads = 0;
  app.add_option("--threads", threads, "LibTorch threads of a local model (hrm:) (0 = all cores)")
      ->capture_default_str();
  app.add_option("--out", c.out, "Results folder (default results/<bench>)");
  app.add_flag("--resume", c.resume, "Skip cases with a saved result in --out");
  app.add_flag("--no-progress", c.no_progress, "No progress bar on stderr");
  auto* gen = app.add_option_group("generation", "Sampling parameters passed to the backend");
  gen->add_option("--temperature", c.params.temperature)->capture_default_str();
  gen->add_option("--top-p", c.params.top_p)->capture_default_str();
  gen->add_option("--max-tokens", c.params.max_tokens)->capture_default_str();
  gen->add_option("--seed", c.params.seed);
  gen->add_option("--request-timeout", c.params.timeout_seconds, "Seconds per HTTP attempt (openai)")
      ->capture_default_str();

  hrm::eval::PolyglotOptions polyglot;
  auto* pg = app.add_option_group("polyglot", "Aider's Polyglot benchmark");
  pg->add_option("--languages", polyglot.languages, "Comma-separated subset of cpp,go,java,javascript,python,rust")
      ->delimiter(',');
  pg->add_option("--exercises", polyglot.exercises, "Comma-separated globs over <slug> or <lang>/<slug>");
  pg->add_option("--tries", polyglot.tries, "Tries per exercise (test output goes back after a failure)")
      ->capture_default_str();
  pg->add_option("--edit-format", polyglot.edit_format, "How replies edit files")
      ->check(CLI::IsMember({"whole", "diff"}))
      ->capture_default_str();
  pg->add_option("--timeout", polyglot.timeout_seconds, "Seconds per test run")->capture_default_str();
  pg->add_option("--cache-dir", polyglot.cache_dir,
                 "Shared build caches (default $HRM_CACHE_DIR/polyglot or ~/.cache/hrm/polyglot)");
  pg->add_flag("!--no-shared-caches", polyglot.shared_caches,
               "Private, cold build caches per test run (nothing shared between exercises)");
  pg->add_flag("--keep-work", polyglot.keep_work, "Keep each exercise's work folder under <out>/work");
  pg->add_flag("--agent", c.agent,
               "Agent mode: the model works through the tools and runs the tests itself (--max-turns: budgets)");

  Lcb lcb;
  add_livecodebench_options(app, lcb);

  hrm::agent::ToolsBenchOptions tools;
  auto* tg = app.add_option_group("tools", "Tool use (--model also takes submit, random[:seed], replay:<file>)");
  tg->add_option("--max-turns", c.max_turns,
                 "Turns per episode (tools: one value, default each task's own budget; polyglot --agent: the "
                 "comma-separated budgets to report, default 2,4,8,16)")
      ->delimiter(',');
  tg->add_option("--families", tools.families, "Comma-separated subset of the suite's families")->delimiter(',');
  tg->add_option("--bash-timeout", tools.bash_timeout_seconds, "Seconds per bash call")->capture_default_str();

  hrm::eval::bfcl::RunOptions bfcl;
  auto* bg = app.add_option_group("bfcl", "Berkeley Function Calling Leaderboard, offline categories");
  bg->add_option("--categories", bfcl.categories,
                 "Comma-separated subset of simple_python,multiple,parallel,parallel_multiple,irrelevance,"
                 "simple_java,simple_javascript (default: all)")
      ->delimiter(',');
  bg->add_option("--limit", bfcl.limit, "First N entries of each category (0: all)")->capture_default_str();

  CLI11_PARSE(app, argc, argv);
  hrm::configure_threads(threads);
  polyglot.command = command_line(argc, argv);
  tools.command = polyglot.command;
  bfcl.command = polyglot.command;
  lcb.options.judge.timeout_seconds = app.count("--timeout") ? polyglot.timeout_seconds : 6;
  lcb.temperature_given = app.count("--temperature") > 0;
  lcb.top_p_given = app.count("--top-p") > 0;
  lcb.max_tokens_given = app.count("--max-tokens") > 0;
  return run_bench(c, polyglot, lcb, tools, bfcl);
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
