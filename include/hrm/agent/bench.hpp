// `hrm-eval --bench tools`: every task of a suite as an episode (in parallel), the results saved per
// task (the unit of --resume), the transcripts as one JSONL file, and the summary: success overall, per
// family and per language; turns, tool calls, tokens and invalid calls per episode; wall time.
//
// Output folder:
//   episodes/<family>/<name>.json   one episode record per task (episode_to_json)
//   transcripts.jsonl               every episode, in suite order (replay:<this file> replays them)
//   summary.json                    the numbers below, and the options of the run
//
// Exports: ToolsBenchOptions, ToolsBenchReport, run_tools_bench(), summarize_episodes(), format_tools_summary().
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/agent/episode.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::agent {

struct ToolsBenchOptions {
  std::string suite;             // a task suite (JSONL), e.g. data/tools/suite.jsonl
  std::string model = "oracle";  // make_agent_model() spec
  std::string out_dir = "results/tools";
  int jobs = 0;       // episodes in parallel (0: all cores)
  int max_turns = 0;  // 0: each task's own budget
  double bash_timeout_seconds = 60;
  bool resume = false;  // keep the episodes already saved in out_dir
  bool progress = true;
  bool keep_work = false;             // keep each workspace under <out>/work
  std::vector<std::string> families;  // only these families (empty: all)
  eval::GenerationParams params;
  std::string command;  // the command line, recorded in summary.json
};

struct ToolsBenchReport {
  nlohmann::json summary;
  std::string table;  // format_tools_summary(summary)
};

// Throws hrm::Error for what stops the run (no suite, results in out_dir without --resume, a broken
// task's setup, an unreachable model); a failed episode is a result.
ToolsBenchReport run_tools_bench(const ToolsBenchOptions& options);

nlohmann::json summarize_episodes(const std::vector<EpisodeResult>& episodes);
std::string format_tools_summary(const nlohmann::json& summary);

}  // namespace hrm::agent
