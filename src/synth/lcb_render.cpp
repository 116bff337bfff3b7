// Synthetic Python tasks as LiveCodeBench rows; the private-test encoding LiveCodeBench uses.
#include "hrm/synth/lcb_render.hpp"

#include <zlib.h>

#include "hrm/util/error.hpp"

namespace hrm::synth {

namespace {

void put_le(std::string& out, uint64_t v, int bytes) {
  for (int k = 0; k < bytes; ++k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

std::string base64_encode(const std::string& data) {
  static const char* const kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                       static_cast<uint8_t>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i < data.size()) {
    const bool two = i + 1 < data.size();
    const uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (two ? static_cast<uint8_t>(data[i + 1]) << 8 : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += two ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string zlib_compress(const std::string& data) {
  uLongf size = compressBound(static_cast<uLong>(data.size()));
  std::string out(size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(data.data()),
                           static_cast<uLong>(data.size()), Z_BEST_COMPRESSION);
  HRM_CHECK(rc == Z_OK, "synth: zlib compress2 failed with code " + std::to_string(rc));
  out.resize(size);
  return out;
}

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
  switch (t) {
    case Type::kInt:
      return "an integer";
    case Type::kBool:
      return "True or False";
    case Type::kStr:
      return "a string";
    case Type::kIntList:
      return "integers separated by spaces";
    case Type::kStrList:
      return "words separated by spaces";
  }
  return "";
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

std::string pickle_string(const std::string& text) {
  std::string body;
  if (text.size() < 256) {
    body += '\x8c';  // SHORT_BINUNICODE
    put_le(body, text.size(), 1);
  } else {
    body += 'X';  // BINUNICODE
    HRM_CHECK(text.size() < (1ULL << 32), "synth: private tests larger than 4 GiB");
    put_le(body, text.size(), 4);
  }
  body += text;
  body += '\x94';  // MEMOIZE
  body += '.';     // STOP
  std::string out = "\x80\x04";
  out += '\x95';  // FRAME
  put_le(out, body.size(), 8);
  return out + body;
}

std::string encode_private_tests(const nlohmann::json& tests) {
  return base64_encode(zlib_compress(pickle_string(tests.dump())));
}

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
  row["private_test_cases"] = encode_private_tests(priv);
  row["metadata"] = functional ? nlohmann::json{{"func_name", inst.function_name("python")}}.dump() : "{}";
  return row;
}

}  // namespace hrm::synth
