#include "hrm/eval/lcb_prompts.hpp"

#include <nlohmann/json.hpp>
#include <regex>

#include "hrm/util/error.hpp"

namespace hrm::eval::lcb {
namespace {

const char* const kFormatWithStarter =
    "You will use the following starter code to write the solution to the problem and enclose your code within "
    "delimiters.";
const char* const kFormatWithoutStarter =
    "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the "
    "sample inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it "
    "reads the inputs, runs the algorithm and writes output to STDOUT.";
const char* const kRepairFormatWithoutStarter =
    "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the "
    "sample inputs). Enclose your code within delimiters as follows.";
const char* const kRepairFormatRepeat =
    "First reason about the code providing a textual explanation of what is wrong with the code and then generate a "
    "fixed of the program enclosed code delimiters.";
const char* const kTestOutputSystem =
    "You are a helpful programming assistant and an expert Python programmer. You are helping a user to write a test "
    "case to help to check the correctness of the function. The user has written a input for the testcase. You will "
    "calculate the output of the testcase and write the whole assertion statement in the markdown code block with the "
    "correct output.";
const char* const kExecutionSystem =
    "You are an expert at Python programming, code execution, test case generation, and fuzzing.";

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (true) {
    const size_t nl = s.find('\n', start);
    lines.push_back(s.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return lines;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

std::string json_text(const nlohmann::json& meta, const char* key) {
  const auto it = meta.find(key);
  if (it == meta.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

const char* const kCodegenSystem =
    "You are an expert Python programmer. You will be given a question (problem specification) and will generate a "
    "correct Python program that matches the specification and passes all tests.";
const char* const kSelfRepairSystem =
    "You are a helpful programming assistant and an expert Python programmer. You are helping a user write a program "
    "to solve a problem. The user has written some code, but it has some errors and is not passing the tests. You "
    "will help the user by first giving a concise (at most 2-3 sentences) textual explanation of what is wrong with "
    "the code. After you have pointed out what is wrong with the code, you will then generate a fixed version of the "
    "program. You must put the entired fixed program within code delimiters only for once.";

std::vector<ChatMessage> codegen_messages(const Problem& problem) {
  std::string user = "### Question:\n" + problem.question_content + "\n\n";
  if (!problem.starter_code.empty()) {
    user += std::string("### Format: ") + kFormatWithStarter + "\n";
    user += "```python\n" + problem.starter_code + "\n```\n\n";
  } else {
    user += std::string("### Format: ") + kFormatWithoutStarter + "\n";
    user += "```python\n# YOUR CODE HERE\n```\n\n";
  }
  user += "### Answer: (use the provided format with backticks)\n\n";
  return {{"system", kCodegenSystem}, {"user", user}};
}

std::string repair_feedback(const std::string& metadata_json) {
  const auto meta = nlohmann::json::parse(metadata_json, nullptr, false);
  if (meta.is_discarded() || !meta.is_object())
    throw Error("self-repair: sample metadata is not a JSON object: " + metadata_json.substr(0, 200));
  if (!meta.contains("error_code")) return "";
  const int code = meta["error_code"].is_number() ? meta["error_code"].get<int>() : 0;
  switch (code) {
    case -1:
      return "The above code is incorrect and got the following compilation error.\n" + json_text(meta, "error");
    case -2:
      return "The above code is incorrect and got a wrong answer.\nInput: " + json_text(meta, "inputs") +
             "\nGenerated Output: " + json_text(meta, "output") + "\nExpected: " + json_text(meta, "expected");
    case -3:
      return "The above code is incorrect and got time limit exceeded.\n" + json_text(meta, "error") +
             "\nInput: " + json_text(meta, "inputs") + "\nExpected: " + json_text(meta, "expected");
    case -4:
      return "The above code is incorrect and got a runtime error.\nInput: " + json_text(meta, "inputs") +
             "\nExpected: " + json_text(meta, "expected") + "\n" + json_text(meta, "error");
    default:
      throw Error("self-repair: unsupported error_code " + std::to_string(code) + " in sample metadata",
                  "samples that hit a judge error (-5) must be re-judged before self-repair");
  }
}

std::vector<ChatMessage> self_repair_messages(const std::string& question_content, const std::string& code,
                                              const std::string& metadata_json) {
  const std::string feedback = repair_feedback(metadata_json);
  const auto meta = nlohmann::json::parse(metadata_json);
  if (!meta.contains("error_code")) return {};
  std::string user = "### Question:\n" + question_content + "\n\n";
  user += "### Answer:\n```python\n" + code + "\n```\n\n";
  user += feedback + "\n";
  user += std::string("### Format: ") + kRepairFormatWithoutStarter + "\n";
  user += "```python\n# YOUR CODE HERE\n```\n\n";
  user += "### Answer: (use the provided format with backticks)\n\n";
  user += std::string("\n\n") + kRepairFormatRepeat;
  return {{"system", kSelfRepairSystem}, {"user", user}};
}

std::string function_name_from_starter(const std::string& starter_code, const std::string& fallback) {
  static const std::regex def_re(R"((?:^|\n)[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_][A-Za-z0-9_]*)[ \t]*\()");
  std::string name;
  for (auto it = std::sregex_iterator(starter_code.begin(), starter_code.end(), def_re); it != std::sregex_iterator();
       ++it) {
    if (!name.empty()) throw Error("test output prediction: the starter code defines more than one function");
    name = (*it)[1];
  }
  return name.empty() ? fallback : name;
}

std::vector<ChatMessage> test_output_messages(const std::string& question_content, const std::string& starter_code,
                                              const std::string& function_name, const std::string& test_input) {
  std::string args;
  const auto lines = split_lines(test_input);
  for (size_t i = 0; i < lines.size(); ++i) args += (i ? ", " : "") + lines[i];
  std::string user = "Problem:\n" + question_content;
  user += "Function:\n```\n" + starter_code + "\n```\n";
  user += "Please complete the following test case:\n\n";
  user += "```\nassert " + function_name_from_starter(starter_code, function_name) + "(" + args + ") == # TODO\n```\n";
  return {{"system", kTestOutputSystem}, {"user", user}};
}

std::vector<ChatMessage> execution_messages(const std::string& code, const std::string& input, bool cot) {
  std::string prompt;
  if (cot) {
    prompt =
        "You are given a Python function and an assertion containing an input to the function. Complete the assertion "
        "with a literal (no unsimplified expressions, no function calls) containing the output when executing the "
        "provided code on the given input, even if the function is incorrect or incomplete. Do NOT output any extra "
        "information. Execute the program step by step before arriving at an answer, and provide the full assertion "
        "with the correct output in [ANSWER] and [/ANSWER] tags, following the examples.\n\n"
        "[PYTHON]\ndef performOperation(s):\n    s = s + s\n    return \"b\" + s + \"a\"\n"
        "assert performOperation(s = \"hi\") == ??\n[/PYTHON]\n[THOUGHT]\nLet's execute the code step by step:\n\n"
        "1. The function performOperation is defined, which takes a single argument s.\n"
        "2. The function is called with the argument \"hi\", so within the function, s is initially \"hi\".\n"
        "3. Inside the function, s is concatenated with itself, so s becomes \"hihi\".\n"
        "4. The function then returns a new string that starts with \"b\", followed by the value of s (which is now "
        "\"hihi\"), and ends with \"a\".\n"
        "5. The return value of the function is therefore \"bhihia\".\n[/THOUGHT]\n[ANSWER]\n"
        "assert performOperation(s = \"hi\") == \"bhihia\"\n[/ANSWER]\n\n"
        "[PYTHON]\n" +
        code + "\nassert " + input + " == ??\n[/PYTHON]\n[THOUGHT]\n";
  } else {
    prompt =
        "You are given a Python function and an assertion containing an input to the function. Complete the assertion "
        "with a literal (no unsimplified expressions, no function calls) containing the output when executing the "
        "provided code on the given input, even if the function is incorrect or incomplete. Do NOT output any extra "
        "information. Provide the full assertion with the correct output in [ANSWER] and [/ANSWER] tags, following "
        "the examples.\n\n"
        "[PYTHON]\ndef repeatNumber(number : int) -> int:\n    return number\n"
        "assert repeatNumber(number = 17) == ??\n[/PYTHON]\n[ANSWER]\nassert repeatNumber(number = 17) == 17\n"
        "[/ANSWER]\n\n"
        "[PYTHON]\ndef addCharacterA(string : str) -> str:\n    return string + \"a\"\n"
        "assert addCharacterA(string = \"x9j\") == ??\n[/PYTHON]\n[ANSWER]\n"
        "assert addCharacterA(string = \"x9j\") == \"x9ja\"\n[/ANSWER]\n\n"
        "[PYTHON]\n" +
        code + "\nassert " + input + " == ??\n[/PYTHON]\n[ANSWER]\n";
  }
  return {{"system", kExecutionSystem}, {"user", prompt}};
}

std::string extract_test_output(const std::string& reply) {
  const auto lines = split_lines(reply);
  for (size_t i = lines.size(); i-- > 0;)
    if (lines[i].rfind("assert", 0) == 0) return lines[i];
  long start = -1;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("```python") != std::string::npos || lines[i].find("```Python") != std::string::npos) {
      start = static_cast<long>(i);
      break;
    }
  }
  std::vector<size_t> fences;
  if (start >= 0) fences.push_back(static_cast<size_t>(start));
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("```") == std::string::npos) continue;
    if (start >= 0 && static_cast<long>(i) <= start) continue;
    fences.push_back(i);
  }
  if (fences.size() < 2) return "";
  std::string out;
  for (size_t i = fences[0] + 1; i < fences[1]; ++i) out += (i > fences[0] + 1 ? "\n" : "") + lines[i];
  return out;
}

std::string extract_execution_answer(const std::string& reply, bool cot) {
  std::string s = reply;
  if (cot) {
    const size_t a = s.find("[ANSWER]");
    if (a != std::string::npos) {
      const size_t b = s.find("[ANSWER]", a + 8);
      s = trim(s.substr(a + 8, b == std::string::npos ? std::string::npos : b - a - 8));
    }
  }
  if (const size_t eq = s.find("=="); eq != std::string::npos) {
    const size_t next = s.find("==", eq + 2);
    s = trim(s.substr(eq + 2, next == std::string::npos ? std::string::npos : next - eq - 2));
  }
  if (const size_t end = s.find("[/ANSWER]"); end != std::string::npos) {
    s = trim(s.substr(0, end));
  } else {
    s = trim(s.substr(0, s.find('\n')));
  }
  return trim(s);
}

}  // namespace hrm::eval::lcb
