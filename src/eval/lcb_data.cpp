#include "hrm/eval/lcb_data.hpp"

#include <algorithm>
#include <fstream>

#include "hrm/eval/lcb_codec.hpp"
#include "hrm/util/date.hpp"
#include "hrm/util/error.hpp"

namespace hrm::eval::lcb {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string require_string(const json& row, const char* key, const std::string& source) {
  const auto it = row.find(key);
  if (it == row.end()) {
    throw Error(source + ": missing field '" + key + "'",
                "each row must be an object with LiveCodeBench's code_generation_lite fields");
  }
  if (!it->is_string()) throw Error(source + ": field '" + key + "' must be a string, got " + it->type_name());
  return it->get<std::string>();
}

std::vector<Test> parse_tests(const std::string& text, const std::string& source, const char* field) {
  json tests;
  try {
    tests = json::parse(text);
  } catch (const json::exception& e) {
    throw Error(source + ": field '" + field + "' is not valid JSON: " + e.what());
  }
  if (!tests.is_array()) throw Error(source + ": field '" + field + "' must be a JSON list of tests");
  std::vector<Test> out;
  out.reserve(tests.size());
  for (size_t k = 0; k < tests.size(); ++k) {
    const auto& t = tests[k];
    const std::string where = source + ": " + field + "[" + std::to_string(k) + "]";
    if (!t.is_object()) throw Error(where + " must be an object {input, output, testtype}");
    Test test;
    test.input = require_string(t, "input", where);
    test.output = require_string(t, "output", where);
    test.testtype = require_string(t, "testtype", where);
    if (test.testtype != "stdin" && test.testtype != "functional") {
      throw Error(where + ": testtype '" + test.testtype + "' is not 'stdin' or 'functional'");
    }
    out.push_back(std::move(test));
  }
  return out;
}

}  // namespace

std::string normalize_timestamp(const std::string& iso) {
  std::string s = iso.substr(0, 19);
  if (s.size() == 10) s += "T00:00:00";
  if (s.size() >= 11 && s[10] == ' ') s[10] = 'T';
  return s;
}

std::string parse_date(const std::string& date, const std::string& what) {
  if (!is_iso_date(date))
    throw Error(what + ": '" + date + "' is not a date", "write it as YYYY-MM-DD, e.g. 2024-08-01");
  return date + "T00:00:00";
}

Problem parse_problem(const std::string& line, const std::string& source) {
  json row;
  try {
    row = json::parse(line);
  } catch (const json::exception& e) {
    throw Error(source + ": not a JSON object: " + e.what(), "each line of a test*.jsonl file is one problem");
  }
  if (!row.is_object()) throw Error(source + ": a row must be a JSON object");
  Problem p;
  p.source = source;
  p.question_title = require_string(row, "question_title", source);
  p.question_content = require_string(row, "question_content", source);
  p.platform = require_string(row, "platform", source);
  p.question_id = require_string(row, "question_id", source);
  p.contest_id = require_string(row, "contest_id", source);
  p.contest_date = require_string(row, "contest_date", source);
  p.starter_code = require_string(row, "starter_code", source);
  p.difficulty = require_string(row, "difficulty", source);
  const std::string where = source + " (" + p.question_id + ")";
  if (p.platform != "leetcode" && p.platform != "codeforces" && p.platform != "atcoder") {
    throw Error(where + ": platform '" + p.platform + "' is not leetcode, codeforces or atcoder");
  }
  if (p.difficulty != "easy" && p.difficulty != "medium" && p.difficulty != "hard") {
    throw Error(where + ": difficulty '" + p.difficulty + "' is not easy, medium or hard");
  }
  const std::string ts = normalize_timestamp(p.contest_date);
  if (ts.size() != 19 || ts[4] != '-' || ts[7] != '-' || ts[10] != 'T') {
    throw Error(where + ": contest_date '" + p.contest_date + "' is not an ISO timestamp");
  }
  p.public_tests = parse_tests(require_string(row, "public_test_cases", source), where, "public_test_cases");
  p.private_tests_field = require_string(row, "private_test_cases", source);
  const std::string metadata = require_string(row, "metadata", source);
  try {
    p.metadata = json::parse(metadata);
  } catch (const json::exception& e) {
    throw Error(where + ": field 'metadata' is not valid JSON: " + e.what());
  }
  if (!p.metadata.is_object()) throw Error(where + ": field 'metadata' must be a JSON object");
  if (const auto it = p.metadata.find("func_name"); it != p.metadata.end() && !it->is_null()) {
    if (!it->is_string() || it->get<std::string>().empty())
      throw Error(where + ": metadata.func_name must be a non-empty string");
    p.func_name = it->get<std::string>();
  }
  return p;
}

std::vector<Test> problem_tests(const Problem& problem) {
  const std::string where = problem.source + " (" + problem.question_id + ")";
  std::vector<Test> tests = problem.public_tests;
  std::string text;
  try {
    text = decode_private_tests(problem.private_tests_field);
  } catch (const Error& e) {
    throw e.with_context(where);
  }
  auto priv = parse_tests(text, where, "private_test_cases");
  tests.insert(tests.end(), std::make_move_iterator(priv.begin()), std::make_move_iterator(priv.end()));
  return tests;
}

std::vector<std::string> release_files(const std::string& release) {
  std::string tag = release;
  if (tag.rfind("release_", 0) == 0) tag = tag.substr(8);
  if (tag == "latest") tag = "v6";
  if (tag.size() != 2 || tag[0] != 'v' || tag[1] < '1' || tag[1] > '6') {
    throw Error("unknown LiveCodeBench release '" + release + "'",
                "use v1..v6 (cumulative: v1 = test.jsonl, v6 = test.jsonl..test6.jsonl) or release_latest");
  }
  std::vector<std::string> files{"test.jsonl"};
  for (int k = 2; k <= tag[1] - '0'; ++k) files.push_back("test" + std::to_string(k) + ".jsonl");
  return files;
}

std::vector<Problem> load_problems(const fs::path& data, const std::string& release, const ProblemFilter& filter) {
  validate_filter(filter);
  std::vector<fs::path> files;
  if (fs::is_directory(data)) {
    for (const auto& name : release_files(release)) {
      const fs::path f = data / name;
      if (!fs::exists(f)) {
        throw Error(
            "LiveCodeBench release " + release + " needs '" + f.string() + "', which is missing",
            "download code_generation_lite's test*.jsonl files into " + data.string() + ", or pick an older --release");
      }
      files.push_back(f);
    }
  } else if (fs::exists(data)) {
    files.push_back(data);
  } else {
    throw Error("LiveCodeBench data '" + data.string() + "' does not exist",
                "pass --data <test*.jsonl file or the directory holding test.jsonl..test6.jsonl>");
  }
  std::vector<Problem> problems;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) throw Error("cannot open '" + f.string() + "'");
    std::string line;
    size_t lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      Problem p = parse_problem(line, f.string() + ":" + std::to_string(lineno));
      if (problem_matches(p, filter)) problems.push_back(std::move(p));
    }
  }
  std::sort(problems.begin(), problems.end(),
            [](const Problem& a, const Problem& b) { return a.question_id < b.question_id; });
  for (size_t k = 1; k < problems.size(); ++k) {
    if (problems[k].question_id == problems[k - 1].question_id) {
      throw Error("question_id '" + problems[k].question_id + "' appears twice (" + problems[k - 1].source + " and " +
                  problems[k].source + ")");
    }
  }
  return problems;
}

void validate_filter(const ProblemFilter& filter) {
  if (!filter.start_date.empty()) parse_date(filter.start_date, "--start-date");
  if (!filter.end_date.empty()) parse_date(filter.end_date, "--end-date");
  for (const auto& p : filter.platforms) {
    if (p != "leetcode" && p != "codeforces" && p != "atcoder") {
      throw Error("unknown platform '" + p + "'", "use leetcode, codeforces or atcoder");
    }
  }
  for (const auto& d : filter.difficulties) {
    if (d != "easy" && d != "medium" && d != "hard")
      throw Error("unknown difficulty '" + d + "'", "use easy, medium or hard");
  }
}

bool problem_matches(const Problem& p, const ProblemFilter& filter) {
  auto contains = [](const std::vector<std::string>& set, const std::string& v) {
    return set.empty() || std::find(set.begin(), set.end(), v) != set.end();
  };
  const std::string ts = normalize_timestamp(p.contest_date);
  if (!filter.start_date.empty() && ts < filter.start_date + "T00:00:00") return false;
  if (!filter.end_date.empty() && ts > filter.end_date + "T00:00:00") return false;
  return contains(filter.platforms, p.platform) && contains(filter.difficulties, p.difficulty) &&
         contains(filter.question_ids, p.question_id);
}

}  // namespace hrm::eval::lcb
