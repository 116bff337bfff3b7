// Reading BFCL's question and possible-answer files, checking every field the benchmark uses.
#include "hrm/eval/bfcl_data.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>

#include "hrm/util/error.hpp"

namespace hrm::eval::bfcl {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// The names a category's file has had across BFCL versions (v4 first).
const std::map<std::string, std::vector<std::string>>& file_names() {
  static const std::map<std::string, std::vector<std::string>> names = {
      {"simple_python", {"simple_python", "simple"}},
      {"multiple", {"multiple"}},
      {"parallel", {"parallel"}},
      {"parallel_multiple", {"parallel_multiple"}},
      {"irrelevance", {"irrelevance"}},
      {"simple_java", {"simple_java", "java"}},
      {"simple_javascript", {"simple_javascript", "javascript"}}};
  return names;
}

// The newest BFCL_v<N>_<name>.json of the category in `dir`, or "" when there is none.
fs::path question_file(const fs::path& dir, const std::string& category) {
  fs::path best;
  int best_version = -1;
  static const std::regex pattern(R"(BFCL_v(\d+)_(.+)\.json)");
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    if (!std::regex_match(name, m, pattern)) continue;
    const auto& aliases = file_names().at(category);
    if (std::find(aliases.begin(), aliases.end(), m[2].str()) == aliases.end()) continue;
    if (std::stoi(m[1].str()) > best_version) {
      best_version = std::stoi(m[1].str());
      best = entry.path();
    }
  }
  return best;
}

// Each non-empty line of a JSON-lines file, parsed, with its 1-based line number.
std::vector<std::pair<int, json>> read_lines(const fs::path& file) {
  std::ifstream in(file);
  HRM_CHECK(in, "cannot open " + file.string());
  std::vector<std::pair<int, json>> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.emplace_back(n, json::parse(line));
    } catch (const json::parse_error& e) {
      throw Error(file.string() + ":" + std::to_string(n) + ": not valid JSON: " + e.what(),
                  "each line of a BFCL file is one JSON object");
    }
  }
  return out;
}

void check_field(bool ok, const std::string& where, const std::string& field, const std::string& expected) {
  HRM_CHECK(ok, where + ": field '" + field + "' " + expected, "is this a BFCL data file (bfcl_eval/data)?");
}

void check_functions(const json& functions, const std::string& where) {
  check_field(functions.is_array() && !functions.empty(), where, "function",
              "must be a non-empty list of function docs");
  for (size_t i = 0; i < functions.size(); ++i) {
    const json& f = functions[i];
    const std::string field = "function[" + std::to_string(i) + "]";
    check_field(f.is_object() && f.contains("name") && f["name"].is_string(), where, field + ".name",
                "must be a string");
    check_field(f.contains("parameters") && f["parameters"].is_object() && f["parameters"].contains("properties") &&
                    f["parameters"]["properties"].is_object(),
                where, field + ".parameters.properties", "must be an object");
    for (const auto& [param, details] : f["parameters"]["properties"].items()) {
      check_field(details.is_object() && details.contains("type") && details["type"].is_string(), where,
                  field + ".parameters.properties." + param + ".type", "must be a string");
    }
  }
}

std::vector<ChatMessage> read_question(const json& entry, const std::string& where) {
  check_field(entry.contains("question") && entry["question"].is_array() && entry["question"].size() == 1 &&
                  entry["question"][0].is_array() && !entry["question"][0].empty(),
              where, "question", "must hold exactly one turn: [[{\"role\", \"content\"}, ...]]");
  std::vector<ChatMessage> messages;
  for (size_t i = 0; i < entry["question"][0].size(); ++i) {
    messages.push_back(
        chat_message_from_json(entry["question"][0][i], where + ": question[0][" + std::to_string(i) + "]"));
  }
  return messages;
}

void check_ground_truth(const json& truth, const json& functions, const std::string& where) {
  check_field(truth.is_array() && !truth.empty(), where, "ground_truth", "must be a non-empty list");
  for (size_t i = 0; i < truth.size(); ++i) {
    const std::string field = "ground_truth[" + std::to_string(i) + "]";
    check_field(truth[i].is_object() && truth[i].size() == 1 && truth[i].begin().value().is_object(), where, field,
                "must be {\"<function>\": {\"<param>\": [allowed values]}}");
    const std::string name = truth[i].begin().key();
    bool known = false;
    for (const auto& f : functions) known = known || f["name"] == name;
    check_field(known, where, field, "names '" + name + "', which is not among the entry's functions");
    for (const auto& [param, allowed] : truth[i].begin().value().items()) {
      check_field(allowed.is_array(), where, field + "." + name + "." + param, "must be a list of allowed values");
    }
  }
}

}  // namespace

const std::vector<std::string>& offline_categories() {
  static const std::vector<std::string> categories = {
      "simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance", "simple_java", "simple_javascript"};
  return categories;
}

Language category_language(const std::string& category) {
  if (category == "simple_java") return Language::kJava;
  if (category == "simple_javascript") return Language::kJavaScript;
  return Language::kPython;
}

fs::path resolve_data_dir(const fs::path& data) {
  for (const fs::path& dir :
       {data, data / "bfcl_eval" / "data", data / "berkeley-function-call-leaderboard" / "bfcl_eval" / "data",
        data / "data", data / "berkeley-function-call-leaderboard" / "data"}) {
    if (fs::is_directory(dir) && !question_file(dir, "multiple").empty()) return dir;
  }
  throw Error("no BFCL data under '" + data.string() + "' (looked for BFCL_v*_multiple.json)",
              "pass the gorilla checkout or its berkeley-function-call-leaderboard/bfcl_eval/data folder: git clone "
              "https://github.com/ShishirPatil/gorilla");
}

std::vector<Item> load_category(const fs::path& data_dir, const std::string& category) {
  HRM_CHECK(file_names().count(category), "unknown BFCL category '" + category + "'",
            "the offline categories: simple_python, multiple, parallel, parallel_multiple, irrelevance, simple_java, "
            "simple_javascript");
  const fs::path questions = question_file(data_dir, category);
  HRM_CHECK(!questions.empty(), "no question file for category '" + category + "' in " + data_dir.string(),
            "expected BFCL_v<N>_" + file_names().at(category)[0] + ".json");
  std::map<std::string, std::pair<std::string, json>> truths;  // id -> (where, ground_truth)
  if (category != "irrelevance") {
    const fs::path answers = data_dir / "possible_answer" / questions.filename();
    HRM_CHECK(fs::exists(answers), "no possible-answer file " + answers.string() + " for " + questions.string());
    for (auto& [n, entry] : read_lines(answers)) {
      const std::string where = answers.string() + ":" + std::to_string(n);
      check_field(entry.is_object() && entry.contains("id") && entry["id"].is_string(), where, "id",
                  "must be a string");
      check_field(entry.contains("ground_truth"), where, "ground_truth", "is missing");
      truths[entry["id"].get<std::string>()] = {where, entry["ground_truth"]};
    }
  }
  std::vector<Item> items;
  for (auto& [n, entry] : read_lines(questions)) {
    Item item;
    item.source = questions.string() + ":" + std::to_string(n);
    check_field(entry.is_object() && entry.contains("id") && entry["id"].is_string(), item.source, "id",
                "must be a string");
    item.id = entry["id"].get<std::string>();
    item.category = category;
    item.language = category_language(category);
    item.messages = read_question(entry, item.source);
    check_functions(entry.value("function", json()), item.source);
    item.functions = entry["function"];
    if (category != "irrelevance") {
      const auto it = truths.find(item.id);
      HRM_CHECK(it != truths.end(), item.source + ": no ground truth for id '" + item.id + "'",
                "the possible_answer file must have a line with the same id");
      check_ground_truth(it->second.second, item.functions, it->second.first);
      item.expected = it->second.second;
    }
    items.push_back(std::move(item));
  }
  return items;
}

}  // namespace hrm::eval::bfcl
