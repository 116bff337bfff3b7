// `hrm-eval --bench bfcl`: the Berkeley Function Calling Leaderboard's offline categories against any
// ModelBackend that calls tools (openai: with native tools, hrm: through the chat template's tool-call turns).
// Each entry is one request: the question, and the entry's functions as OpenAI tools (shown as BFCL shows them
// to function-calling models: dots in names become underscores, BFCL types become JSON Schema types, Java and
// JavaScript parameters become strings with a note); the turn's tool calls are judged by check_calls() (or
// check_irrelevance()).
//
// Output folder:
//   items/<category>/<id>.json  one result per entry (the unit of --resume): the model's output, the decoded
//                               calls, the verdict, its error type and reason
//   results.jsonl               every result, in category and file order
//   summary.json                accuracy per category, the unweighted mean, the anchors, the options
//
// Exports: RunOptions, Report, model_tools(), judge_turn(), run_bfcl(), format_bfcl_summary().
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/bfcl_data.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::eval::bfcl {

struct RunOptions {
  std::string data;                     // a gorilla checkout or its bfcl_eval/data folder
  std::vector<std::string> categories;  // empty: all offline_categories()
  int limit = 0;                        // the first `limit` entries of each category (0: all)
  std::string out_dir = "results/bfcl";
  int jobs = 0;
  bool resume = false;
  bool progress = true;
  GenerationParams params;
  std::string command;  // recorded in summary.json
};

struct Report {
  nlohmann::json summary;
  std::string table;  // format_bfcl_summary(summary)
};

// The OpenAI tool schemas an entry's functions are offered as.
nlohmann::json model_tools(const Item& item);

// The result record of one entry given the model's turn: {"id", "category", "model_output", "decoded",
// "valid", "error_type", "reason", ...}.
nlohmann::json judge_turn(const Item& item, const AssistantTurn& turn);

// Throws hrm::Error for what stops the run (no data, results in out_dir without --resume, an unreachable model).
Report run_bfcl(const RunOptions& options, ModelBackend& backend);

std::string format_bfcl_summary(const nlohmann::json& summary);

}  // namespace hrm::eval::bfcl
