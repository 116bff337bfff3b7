// The BFCL run: entries on worker threads, one result file per entry (resume), results.jsonl, summary.
#include "hrm/eval/bfcl_run.hpp"

#include <chrono>
#include <cstdio>
#include <mutex>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"

namespace hrm::eval::bfcl {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The Qwen3 technical report's BFCL v3 overall scores, printed beside ours.
const std::vector<std::pair<std::string, double>> kAnchors = {{"Qwen3-0.6B", 46.4}, {"Gemma-3-1B", 16.3}};

const char* language_name(Language language) {
  return language == Language::kJava ? "java" : language == Language::kJavaScript ? "javascript" : "python";
}

json turn_to_json(const AssistantTurn& turn) {
  json calls = json::array();
  for (const auto& c : turn.message.tool_calls) calls.push_back({{"name", c.name}, {"arguments", c.arguments}});
  json out = {{"content", turn.message.content}, {"tool_calls", calls}};
  if (!turn.call_error.empty()) out["call_error"] = turn.call_error;
  return out;
}

// BFCL's decode_ast for function-calling models: [{name: json.loads(arguments)}, ...]. Sets *error (and
// returns null) when the turn's calls cannot be decoded.
json decode_calls(const AssistantTurn& turn, std::string* error) {
  if (!turn.call_error.empty()) {
    *error = turn.call_error;
    return nullptr;
  }
  json calls = json::array();
  for (const auto& c : turn.message.tool_calls) {
    try {
      calls.push_back({{c.name, json::parse(c.arguments)}});
    } catch (const json::parse_error& e) {
      *error = "the arguments of " + c.name + " are not valid JSON: " + e.what();
      return nullptr;
    }
  }
  return calls;
}

GenerationRequest make_request(const Item& item, const GenerationParams& params) {
  GenerationRequest request;
  request.id = {"bfcl", item.id, 1, 0};
  request.messages = item.messages;
  request.params = params;
  request.params.n = 1;
  request.tools = model_tools(item);
  return request;
}

fs::path item_file(const fs::path& out, const Item& item) {
  return out / "items" / item.category / (item.id + ".json");
}

std::vector<Item> load_items(const RunOptions& o) {
  const fs::path dir = resolve_data_dir(o.data);
  std::vector<Item> items;
  for (const auto& category : o.categories.empty() ? offline_categories() : o.categories) {
    auto loaded = load_category(dir, category);
    if (o.limit > 0 && static_cast<int>(loaded.size()) > o.limit) loaded.resize(static_cast<size_t>(o.limit));
    for (auto& item : loaded) items.push_back(std::move(item));
  }
  return items;
}

// The numbers of summary.json, and the run's options.
json summarize(const std::vector<json>& results, const std::string& model, const RunOptions& o, double seconds) {
  json categories = json::object();
  int empty_outputs = 0;  // no text and no call: nothing generated (e.g. a prompt beyond the model's context)
  for (const auto& r : results) {
    json& c = categories[r["category"].get<std::string>()];
    if (c.is_null()) c = {{"items", 0}, {"correct", 0}, {"empty_outputs", 0}};
    c["items"] = c["items"].get<int>() + 1;
    c["correct"] = c["correct"].get<int>() + (r["valid"].get<bool>() ? 1 : 0);
    const json& output = r["model_output"];
    const bool empty = output["content"].get<std::string>().empty() && output["tool_calls"].empty();
    c["empty_outputs"] = c["empty_outputs"].get<int>() + (empty ? 1 : 0);
    empty_outputs += empty ? 1 : 0;
  }
  double sum = 0;
  for (auto& [name, c] : categories.items()) {
    c["accuracy"] = 100.0 * c["correct"].get<int>() / c["items"].get<int>();
    sum += c["accuracy"].get<double>();
  }
  json anchors = json::object();
  for (const auto& [name, score] : kAnchors) anchors[name] = score;
  return {{"model", model},
          {"categories", categories},
          {"items", results.size()},
          {"empty_outputs", empty_outputs},
          {"overall", categories.empty() ? 0.0 : sum / static_cast<double>(categories.size())},
          {"anchors_bfcl_v3_overall", anchors},
          {"data", o.data},
          {"limit_per_category", o.limit},
          {"command", o.command},
          {"wall_seconds", seconds}};
}

}  // namespace

json judge_turn(const Item& item, const AssistantTurn& turn) {
  std::string decode_error;
  const json calls = decode_calls(turn, &decode_error);
  Verdict verdict;
  if (item.category == "irrelevance") {
    verdict = check_irrelevance(calls, decode_error.empty());
  } else if (!decode_error.empty()) {
    verdict = {false, "ast_decoder:decoder_failed", "Invalid syntax. Failed to decode AST. " + decode_error};
  } else {
    verdict = with_context(
        item.source, [&] { return check_calls(item.functions, calls, item.expected, item.category, item.language); });
  }
  return {{"id", item.id},
          {"category", item.category},
          {"language", language_name(item.language)},
          {"model_output", turn_to_json(turn)},
          {"decoded", calls},
          {"valid", verdict.valid},
          {"error_type", verdict.error_type},
          {"reason", verdict.reason.empty() ? decode_error : verdict.reason},
          {"prompt_tokens", turn.prompt_tokens},
          {"completion_tokens", turn.completion_tokens}};
}

Report run_bfcl(const RunOptions& o, ModelBackend& backend) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Item> items = load_items(o);
  HRM_CHECK(!items.empty(), "no BFCL entries selected from " + o.data);
  const fs::path out = o.out_dir;
  if (!o.resume && fs::exists(out / "items")) {
    throw Error("results folder '" + o.out_dir + "' already holds BFCL results",
                "pass --resume to continue that run, or choose another --out");
  }
  std::mutex backend_mutex;  // for backends that take one request at a time (a local model)
  std::vector<json> results(items.size());
  Progress progress("bfcl " + backend.name(), items.size(), "entries",
                    o.progress ? ProgressMode::kAuto : ProgressMode::kSilent);
  parallel_for(o.jobs, items.size(), [&](size_t i) {
    const fs::path file = item_file(out, items[i]);
    if (o.resume && fs::exists(file)) {
      results[i] = with_context(file.string(), [&] { return json::parse(read_file(file)); });
    } else {
      const GenerationRequest request = make_request(items[i], o.params);
      AssistantTurn turn;
      if (backend.thread_safe()) {
        turn = backend.generate_turn(request);
      } else {
        std::lock_guard<std::mutex> lock(backend_mutex);
        turn = backend.generate_turn(request);
      }
      results[i] = judge_turn(items[i], turn);
      fs::create_directories(file.parent_path());
      write_file_atomic(file, results[i].dump(1) + "\n");
    }
    progress.advance(1, results[i]["valid"].get<bool>() ? 1 : 0, items[i].id);
  });
  progress.finish();

  std::string lines;
  for (const auto& r : results) lines += r.dump() + "\n";
  write_file_atomic(out / "results.jsonl", lines);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const json summary = summarize(results, backend.name(), o, seconds);
  write_file_atomic(out / "summary.json", summary.dump(2) + "\n");
  return {summary, format_bfcl_summary(summary)};
}

std::string format_bfcl_summary(const json& s) {
  char line[256];
  std::string out = "BFCL offline categories (AST checker): " + s["model"].get<std::string>() + "\n";
  for (const auto& category : offline_categories()) {
    if (!s["categories"].contains(category)) continue;
    const json& c = s["categories"][category];
    std::snprintf(line, sizeof line, "  %-18s %4d/%-4d %5.1f%%\n", category.c_str(), c["correct"].get<int>(),
                  c["items"].get<int>(), c["accuracy"].get<double>());
    out += line;
  }
  std::snprintf(line, sizeof line, "  %-18s %5.1f%%  (unweighted mean of the %zu categories above)\n", "overall",
                s["overall"].get<double>(), s["categories"].size());
  out += line;
  if (s["empty_outputs"].get<int>() > 0) {
    std::snprintf(line, sizeof line,
                  "  %d of %d entries got an empty output (no text, no call; e.g. the prompt exceeded the model's "
                  "context): wrong everywhere but in irrelevance\n",
                  s["empty_outputs"].get<int>(), s["items"].get<int>());
    out += line;
  }
  out += "  anchors, BFCL v3 overall (more categories: live, multi-turn):";
  for (const auto& [name, score] : s["anchors_bfcl_v3_overall"].items()) {
    std::snprintf(line, sizeof line, " %s %.1f,", name.c_str(), score.get<double>());
    out += line;
  }
  out.back() = '\n';
  return out;
}

}  // namespace hrm::eval::bfcl
