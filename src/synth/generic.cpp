// Generic {question, solutions, tests} rows -> LiveCodeBench rows -> solutions judged -> SFT chats.
#include "hrm/synth/generic.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "hrm/eval/lcb_codec.hpp"
#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/synth/lcb_render.hpp"
#include "hrm/synth/polyglot_rows.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "verify.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A field that may be a JSON value or a JSON document inside a string (APPS stores both ways).
json maybe_parsed(const json& v, const std::string& where, const std::string& field) {
  if (!v.is_string()) return v;
  try {
    return json::parse(v.get<std::string>());
  } catch (const json::exception&) {
    throw Error(where + ": field '" + field + "' is a string but not JSON", "give a list / object, or its JSON text");
  }
}

std::string first_string(const json& row, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    if (row.contains(k) && row[k].is_string()) return row[k].get<std::string>();
    if (row.contains(k) && row[k].is_number_integer()) return std::to_string(row[k].get<int64_t>());
  }
  return "";
}

std::vector<std::string> solutions_of(const json& row, const std::string& where) {
  std::vector<std::string> out;
  if (!row.contains("solutions")) throw Error(where + ": missing field 'solutions'");
  const json s = maybe_parsed(row["solutions"], where, "solutions");
  if (s.is_object()) {  // CodeContests: parallel lists, language 3 = Python 3
    HRM_CHECK(s.contains("language") && s.contains("solution"), where + ": solutions needs 'language' and 'solution'");
    for (size_t k = 0; k < s["solution"].size() && k < s["language"].size(); ++k) {
      if (s["language"][k] == 3) out.push_back(s["solution"][k].get<std::string>());
    }
    return out;
  }
  HRM_CHECK(s.is_array(), where + ": field 'solutions' must be a list of programs");
  for (const auto& p : s) {
    HRM_CHECK(p.is_string(), where + ": every solution must be a string");
    out.push_back(p.get<std::string>());
  }
  return out;
}

std::string as_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// (tests in LCB's encoding, fn_name or "").
std::pair<json, std::string> tests_of(const json& row, const std::string& where) {
  json tests = json::array();
  for (const char* key : {"public_tests", "private_tests", "generated_tests"}) {  // CodeContests
    if (!row.contains(key)) continue;
    const json& t = row[key];
    HRM_CHECK(t.is_object() && t.contains("input") && t.contains("output"),
              where + ": field '" + key + "' needs 'input' and 'output' lists");
    for (size_t k = 0; k < t["input"].size() && k < t["output"].size(); ++k)
      tests.push_back({{"input", as_text(t["input"][k])}, {"output", as_text(t["output"][k])}, {"testtype", "stdin"}});
  }
  if (!tests.empty()) return {tests, ""};
  const char* key = row.contains("tests") ? "tests" : "input_output";
  HRM_CHECK(row.contains(key), where + ": no tests", "give 'tests' / 'input_output' or CodeContests' public_tests");
  const json io = maybe_parsed(row[key], where, key);
  HRM_CHECK(io.is_object() && io.contains("inputs") && io.contains("outputs") && io["inputs"].is_array() &&
                io["outputs"].is_array() && io["inputs"].size() == io["outputs"].size(),
            where + ": field '" + key + "' needs 'inputs' and 'outputs' lists of the same length");
  const std::string fn = io.value("fn_name", "");
  for (size_t k = 0; k < io["inputs"].size(); ++k) {
    if (fn.empty()) {
      tests.push_back(
          {{"input", as_text(io["inputs"][k])}, {"output", as_text(io["outputs"][k])}, {"testtype", "stdin"}});
      continue;
    }
    std::string input;
    const json& args = io["inputs"][k];
    for (size_t a = 0; a < args.size(); ++a) input += (a ? "\n" : "") + args[a].dump();
    json expected = io["outputs"][k];
    if (expected.is_array() && expected.size() == 1) expected = expected[0];
    tests.push_back({{"input", input}, {"output", expected.dump()}, {"testtype", "functional"}});
  }
  return {tests, fn};
}

std::string difficulty_of(const json& row) {
  std::string d = first_string(row, {"difficulty"});
  for (auto& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (d == "introductory" || d == "easy") return "easy";
  if (d == "interview" || d == "medium") return "medium";
  if (d == "competition" || d == "hard") return "hard";
  return "medium";  // unlabelled: LiveCodeBench rows need one of the three
}

// The row's date, or 1970-01-01 when it has none: a data cutoff then counts the problem as seen.
std::string contest_date_of(const json& row) {
  const std::string d = first_string(row, {"contest_date", "date"});
  return d.empty() ? "1970-01-01T00:00:00" : d;
}

// The LCB row for one generic row.
json lcb_row_of(const json& row, const std::string& id, const std::string& where) {
  const std::string question = first_string(row, {"question", "description", "problem"});
  HRM_CHECK(!question.empty(), where + ": missing the problem text", "give 'question', 'description' or 'problem'");
  const auto [tests, fn] = tests_of(row, where);
  HRM_CHECK(!tests.empty(), where + ": the tests are empty");
  json priv = json::array();
  for (size_t k = 1; k < tests.size(); ++k) priv.push_back(tests[k]);
  return {{"question_title", id},
          {"question_content", question},
          {"platform", fn.empty() ? "atcoder" : "leetcode"},
          {"question_id", id},
          {"contest_id", "generic"},
          {"contest_date", contest_date_of(row)},
          {"starter_code", first_string(row, {"starter_code"})},
          {"difficulty", difficulty_of(row)},
          {"public_test_cases", json::array({tests[0]}).dump()},
          {"private_test_cases", eval::lcb::encode_private_tests(priv.dump())},
          {"metadata", fn.empty() ? "{}" : json{{"func_name", fn}}.dump()}};
}

struct Item {
  json row;  // the LCB row
  eval::lcb::Problem problem;
  std::vector<eval::lcb::Test> tests;
  std::vector<std::string> solutions;
};

std::vector<Item> read_items(const GenericOptions& o, json& counts) {
  std::vector<Item> items;
  for (const auto& path : o.data) {
    std::ifstream in(path, std::ios::binary);
    HRM_CHECK(in.good(), "generic: cannot read '" + path.string() + "'");
    std::string line;
    for (size_t n = 1; std::getline(in, line); ++n) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      const std::string where = path.string() + ":" + std::to_string(n);
      json row;
      try {
        row = json::parse(line);
      } catch (const json::exception& e) {
        throw Error(where + ": invalid JSON: " + e.what());
      }
      counts["rows"] = counts["rows"].get<int>() + 1;
      std::string id = first_string(row, {"id", "problem_id", "name"});
      if (id.empty()) id = path.stem().string() + "-" + std::to_string(n);
      Item item{lcb_row_of(row, id, where), {}, {}, solutions_of(row, where)};
      if (item.solutions.empty()) {
        counts["no_solutions"] = counts["no_solutions"].get<int>() + 1;
        continue;
      }
      if (static_cast<int>(item.solutions.size()) > o.max_tried)
        item.solutions.resize(static_cast<size_t>(o.max_tried));
      item.problem = eval::lcb::parse_problem(item.row.dump(), where);
      item.tests = eval::lcb::problem_tests(item.problem);
      items.push_back(std::move(item));
    }
  }
  return items;
}

}  // namespace

json build_generic(const GenericOptions& o) {
  HRM_CHECK(!o.data.empty(), "generic: no --data file given");
  HRM_CHECK(o.max_solutions >= 1 && o.max_tried >= o.max_solutions,
            "generic: need 1 <= --max-solutions <= --max-tried");
  HRM_CHECK(!o.out_dir.empty(), "generic: --out is required");
  if (fs::exists(o.out_dir)) {
    HRM_CHECK(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir),
              "generic: output directory '" + o.out_dir.string() + "' is not empty", "choose a new --out");
  }
  json counts = {{"rows", 0},     {"no_solutions", 0},    {"failed", 0},
                 {"verified", 0}, {"solutions_tried", 0}, {"solutions_passed", 0},
                 {"sft_rows", 0}};
  std::vector<Item> items = read_items(o, counts);
  std::vector<LcbCheck> checks;
  for (const auto& item : items) {
    for (const auto& s : item.solutions) checks.push_back({&item.problem, &item.tests, s, false, {}});
  }
  run_lcb_checks(checks, o.jobs);
  std::string sft, lcb;
  size_t c = 0;
  for (const auto& item : items) {
    int kept = 0;
    for (size_t k = 0; k < item.solutions.size(); ++k, ++c) {
      counts["solutions_tried"] = counts["solutions_tried"].get<int>() + 1;
      if (!checks[c].passed) continue;
      counts["solutions_passed"] = counts["solutions_passed"].get<int>() + 1;
      if (kept++ >= o.max_solutions) continue;
      json row = {{"messages", chat_json(eval::lcb::codegen_messages(item.problem), lcb_answer(item.solutions[k]))},
                  {"task_id", item.problem.question_id},
                  {"bench", "livecodebench"},
                  {"source", "generic"},
                  {"language", "python"}};
      sft += row.dump() + "\n";
    }
    const char* verdict = kept > 0 ? "verified" : "failed";
    counts[verdict] = counts[verdict].get<int>() + 1;
    if (kept > 0) lcb += item.row.dump() + "\n";
  }
  counts["sft_rows"] = static_cast<int>(std::count(sft.begin(), sft.end(), '\n'));
  fs::create_directories(o.out_dir);
  write_file_atomic(o.out_dir / "sft.jsonl", sft);
  write_file_atomic(o.out_dir / "lcb.jsonl", lcb);
  const json stats = {{"counts", counts}};
  write_file_atomic(o.out_dir / "stats.json", stats.dump(2) + "\n");
  return stats;
}

std::string format_generic_stats(const json& stats) {
  const auto& c = stats.at("counts");
  std::ostringstream out;
  out << c.at("rows") << " rows: " << c.at("verified") << " verified, " << c.at("failed")
      << " dropped (no solution passed its tests), " << c.at("no_solutions") << " without a Python solution; "
      << c.at("solutions_passed") << " / " << c.at("solutions_tried") << " solutions passed; " << c.at("sft_rows")
      << " SFT rows\n";
  return out.str();
}

}  // namespace hrm::synth
