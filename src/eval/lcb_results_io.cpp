// Reading and appending LiveCodeBench result files (see lcb_results_io.hpp): they come from other runs
// or other tools, so each is checked and a bad one is reported by its file and entry.
#include "lcb_results_io.hpp"

#include <spdlog/spdlog.h>

#include <fstream>

#include "hrm/eval/lcb_run.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {

std::string predictions_file(const std::string& spec) {
  const std::string prefix = "predictions:";
  return spec.rfind(prefix, 0) == 0 ? spec.substr(prefix.size()) : "";
}

std::vector<std::string> string_list(const json& v, const std::string& where) {
  if (!v.is_array()) throw Error(where + " must be a list of strings");
  std::vector<std::string> out;
  for (const auto& s : v) {
    if (!s.is_string()) throw Error(where + " must be a list of strings");
    out.push_back(s.get<std::string>());
  }
  return out;
}

std::map<std::string, json> load_codegen_results(const fs::path& file) {
  if (file.empty()) {
    throw Error("--scenario selfrepair needs --codegen-results <eval_all.json of a code-generation run>");
  }
  std::map<std::string, json> previous;
  const json all = json::parse(read_file(file), nullptr, false);
  if (!all.is_array()) throw Error(file.string() + ": not a JSON list (an eval_all.json)");
  for (const auto& e : all) {
    if (e.is_object() && e.contains("question_id")) previous[e["question_id"].get<std::string>()] = e;
  }
  return previous;
}

std::map<std::string, json> load_progress(const fs::path& progress_file, bool resume) {
  std::map<std::string, json> done;
  if (fs::exists(progress_file)) {
    if (!resume) {
      throw Error("'" + progress_file.string() + "' exists from an earlier run",
                  "pass --resume to continue it, or choose another --out directory");
    }
    std::ifstream in(progress_file);
    std::string line;
    while (std::getline(in, line)) {
      const json e = json::parse(line, nullptr, false);
      if (e.is_object() && e.contains("question_id")) done[e["question_id"].get<std::string>()] = e;
    }
    spdlog::info("livecodebench: resuming, {} problems already judged", done.size());
  }
  return done;
}

void append_progress(std::ostream& out, const json& entry) {
  out << entry.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
  out.flush();
}

}  // namespace detail

std::optional<CustomOutputs> load_custom_outputs(const std::string& spec, const std::string& scenario) {
  const std::string file = detail::predictions_file(spec);
  if (file.empty()) return std::nullopt;
  const std::string text = read_file(file);
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos || text[first] != '[') return std::nullopt;
  json all;
  try {
    all = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(file + ": not valid JSON: " + e.what(), "LiveCodeBench custom outputs are one JSON list");
  }
  CustomOutputs out;
  const bool code = scenario == "codegeneration" || scenario == "selfrepair";
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& e = all[i];
    const std::string where = file + "[" + std::to_string(i) + "]";
    if (e.is_array()) {
      out.aligned.push_back(detail::string_list(e, where));
      continue;
    }
    if (!e.is_object()) throw Error(where + ": each entry must be an object or a list of strings");
    const char* list_key = code ? "code_list" : "pred_list";
    if (!e.contains(list_key))
      throw Error(where + ": missing '" + list_key + "'", "see LiveCodeBench's custom_evaluator format");
    std::string key;
    auto str = [&](const char* k) {
      if (!e.contains(k)) throw Error(where + ": missing '" + std::string(k) + "'");
      return e[k].is_string() ? e[k].get<std::string>() : e[k].dump();
    };
    if (scenario == "codeexecution") {
      key = str("id");
    } else if (scenario == "testoutputprediction") {
      key = str("question_id") + "/" + str("test_id");
    } else {
      key = str("question_id");
    }
    if (out.by_key.count(key)) throw Error(where + ": duplicate entry for " + key);
    out.by_key[key] = detail::string_list(e[list_key], where + "." + list_key);
  }
  if (!out.aligned.empty() && !out.by_key.empty()) throw Error(file + ": mixes lists and objects");
  spdlog::info("livecodebench: custom outputs for {} problems from {}", out.aligned.size() + out.by_key.size(), file);
  return out;
}

}  // namespace hrm::eval::lcb
