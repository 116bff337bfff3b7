// Synthetic Python tasks as LiveCodeBench rows; the private-test encoding LiveCodeBench uses.
#include "hrm/synth/lcb_render.hpp"

#include "hrm/eval/lcb_codec.hpp"
#include "hrm/util/enum_table.hpp"
#include "hrm/util/error.hpp"

namespace hrm::synth {

namespace {

std::string read_line(const Param& p, const std::string& name) {
  switch (p.type) {
    case Type::kInt:
      return name + " = int(input())";
    case Type::kStr:
      return name + " = input()";
    case Type::kIntList:
      return name + " = list(map(int, input().split()))";
    case Type::kStrList:
      return name + " = input().split()";
    case Type::kBool:
      return name + " = input() == \"True\"";
  }
  return "";
}

std::string type_words(Type t) {
  static constexpr const char* kWords[] = {"an integer", "True or False", "a string", "integers separated by spaces",
                                           "words separated by spaces"};
  return enum_entry<Type::kStrList>(t, kWords, "");
}

std::string stdin_format(const Instance& inst) {
  std::string out = "\n\nInput: ";
  for (size_t k = 0; k < inst.params.size(); ++k) {
    out +=
        (k ? ", then " : "") + inst.param_name("python", k) + " on one line (" + type_words(inst.params[k].type) + ")";
  }
  out += ". Output: print the result of " + inst.function_name("python") + " (" + type_words(inst.result) + ").";
  return out;
}

}  // namespace

std::string lcb_program(const Instance& inst, const std::string& function, LcbStyle style) {
  if (style == LcbStyle::kFunctional) return function;
  std::string out = function + "\n\n";
  std::string args;
  for (size_t k = 0; k < inst.params.size(); ++k) {
    const std::string name = inst.param_name("python", k);
    out += read_line(inst.params[k], name) + "\n";
    args += (k ? ", " : "") + name;
  }
  const std::string result = inst.function_name("python") + "(" + args + ")";
  const bool list = inst.result == Type::kIntList || inst.result == Type::kStrList;
  return out + "print(" + (list ? "*" : "") + result + ")\n";
}

std::string lcb_answer(const std::string& program) {
  std::string code = program;
  while (!code.empty() && code.back() == '\n') code.pop_back();
  return "```python\n" + code + "\n```";
}

nlohmann::json lcb_row(const Family& fam, const Instance& inst, const std::string& question_id, LcbStyle style) {
  const bool functional = style == LcbStyle::kFunctional;
  nlohmann::json tests = nlohmann::json::array();
  for (const auto& t : inst.tests) {
    std::string input, output;
    if (functional) {
      for (size_t k = 0; k < t.args.size(); ++k) input += (k ? "\n" : "") + json_of(t.args[k]).dump();
      output = json_of(t.expected).dump();
    } else {
      for (const auto& a : t.args) input += stdin_line(a) + "\n";
      output = stdin_line(t.expected) + "\n";
    }
    tests.push_back({{"input", input}, {"output", output}, {"testtype", functional ? "functional" : "stdin"}});
  }
  HRM_CHECK(!tests.empty(), "synth: " + question_id + " has no tests");
  nlohmann::json pub = nlohmann::json::array({tests[0]});
  nlohmann::json priv = nlohmann::json::array();
  for (size_t k = 1; k < tests.size(); ++k) priv.push_back(tests[k]);

  std::string params;
  for (size_t k = 0; k < inst.params.size(); ++k) params += (k ? ", " : "") + inst.param_name("python", k);
  nlohmann::json row;
  row["question_title"] = fam.title + " #" + std::to_string(inst.index);
  row["question_content"] = statement(fam, inst, "python") + (functional ? "" : stdin_format(inst));
  row["platform"] = functional ? "leetcode" : "atcoder";
  row["question_id"] = question_id;
  row["contest_id"] = "hrm-synth-" + fam.name;
  row["contest_date"] = "2025-01-0" + std::to_string(fam.stage) + "T00:00:00";
  row["starter_code"] = functional ? "def " + inst.function_name("python") + "(" + params + "):" : "";
  row["difficulty"] = fam.stage == 1 ? "easy" : "medium";
  row["public_test_cases"] = pub.dump();
  row["private_test_cases"] = eval::lcb::encode_private_tests(priv.dump());
  row["metadata"] = functional ? nlohmann::json{{"func_name", inst.function_name("python")}}.dump() : "{}";
  return row;
}

}  // namespace hrm::synth
