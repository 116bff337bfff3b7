// `hrm-data build` on multi-turn agent rows (OpenAI messages with tool_calls and tool results, the rows
// of `hrm-data synth --stages 3,4`): the loss covers exactly the assistant turns — their text and the
// tool-call JSON with the closing <|end|> — and never a tool result; split_turns makes one document per
// assistant turn for prefix-LM training.
#include <gtest/gtest.h>

#include "data_test_util.hpp"
#include "hrm/data/build.hpp"
#include "hrm/data/shard.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::test_support;
using json = nlohmann::json;

const char* const kResult1 = "exit code: 1\nTraceback: AssertionError in test_calc.py";
const char* const kResult2 = "edited calc.py";

json call(const std::string& id, const std::string& name, const json& arguments) {
  return {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments.dump()}}}};
}

// An episode as the agent runtime records it: a failing test run, the fix, submit.
json episode_row() {
  return {{"messages",
           {{{"role", "system"}, {"content", "Use the tools."}},
            {{"role", "user"}, {"content", "Fix calc.py."}},
            {{"role", "assistant"},
             {"content", "Run the tests."},
             {"tool_calls", {call("call_1", "bash", {{"command", "python3 test_calc.py"}})}}},
            {{"role", "tool"}, {"tool_call_id", "call_1"}, {"name", "bash"}, {"content", kResult1}},
            {{"role", "assistant"},
             {"content", nullptr},
             {"tool_calls", {call("call_2", "edit_file", {{"path", "calc.py"}, {"search", "+"}, {"replace", "*"}})}}},
            {{"role", "tool"}, {"tool_call_id", "call_2"}, {"name", "edit_file"}, {"content", kResult2}},
            {{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {call("call_3", "submit", json::object())}}},
            {{"role", "tool"}, {"tool_call_id", "call_3"}, {"name", "submit"}, {"content", "submitted"}}}},
          {"language", "python"}};
}

const std::vector<std::string> kTurns = {
    "Run the tests.<|tool_call|>{\"name\":\"bash\",\"arguments\":{\"command\":\"python3 test_calc.py\"}}\n<|end|>",
    "<|tool_call|>{\"name\":\"edit_file\",\"arguments\":{\"path\":\"calc.py\",\"replace\":\"*\",\"search\":\"+\"}}\n"
    "<|end|>",
    "<|tool_call|>{\"name\":\"submit\",\"arguments\":{}}\n<|end|>"};

struct Document {
  std::string all, loss, prompt;
};

std::vector<Document> build_documents(const std::string& name, const std::string& extra_config) {
  const auto dir = scratch_dir(name);
  write(dir / "rows.jsonl", episode_row().dump() + "\n");
  const auto config = hrm::BuildConfig::from_yaml(
      "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "out").string() + "\nmode: sft\ninputs: [" +
          (dir / "rows.jsonl").string() + "]\nseq_len: 512\npacking: false\nvalidation_fraction: 0\n" + extra_config,
      "tool.yaml");
  hrm::run_build(config);
  const auto r = hrm::ShardReader::open(dir / "out" / "train");
  const auto& tok = tokenizer();
  std::vector<Document> docs;
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
  for (int64_t d = 0; d < r.num_documents(); ++d) {
    r.read_document(d, ids, mask);
    Document doc{tok.decode(ids), "", tok.decode(ids.data(), r.document(d).prompt_length)};
    for (size_t i = 0; i < ids.size(); ++i) {
      if (mask[i]) doc.loss += tok.decode({ids[i]});
    }
    docs.push_back(doc);
  }
  return docs;
}

TEST(BuildToolRows, LossCoversAssistantTextAndToolCallsButNoToolResult) {
  const auto docs = build_documents("tool-whole", "");
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].loss, kTurns[0] + kTurns[1] + kTurns[2]);
  EXPECT_NE(docs[0].all.find(std::string("<|tool_result|>\n") + kResult1 + "<|end|>"), std::string::npos)
      << docs[0].all;
}

TEST(BuildToolRows, SplitTurnsGivesEachAssistantTurnItsOwnDocumentWithItsHistory) {
  auto docs = build_documents("tool-split", "split_turns: true\n");
  ASSERT_EQ(docs.size(), kTurns.size());
  // Shards keep the shuffled order; sort by length (each document extends the one before).
  std::sort(docs.begin(), docs.end(), [](const Document& a, const Document& b) { return a.all.size() < b.all.size(); });
  for (size_t t = 0; t < kTurns.size(); ++t) {
    EXPECT_EQ(docs[t].loss, kTurns[t]) << "turn " << t;
    // The prompt is the history up to the open assistant header, tool results included, as at inference.
    EXPECT_EQ(docs[t].prompt.substr(docs[t].prompt.size() - 14), "<|assistant|>\n");
    EXPECT_EQ(docs[t].prompt.find(kResult1) != std::string::npos, t >= 1) << docs[t].prompt;
    EXPECT_EQ(docs[t].prompt.find(kResult2) != std::string::npos, t >= 2) << docs[t].prompt;
    EXPECT_EQ(docs[t].all, docs[t].prompt + kTurns[t] + "\n");
  }
}

TEST(BuildToolRows, SplitTurnsWithLastTurnOnlyIsRefusedByName) {
  const std::string message = error_of([] {
    hrm::BuildConfig::from_yaml(
        "tokenizer: t.model\nout: o\nmode: sft\ninputs: [a.jsonl]\nsplit_turns: true\nlast_turn_only: true\n",
        "c.yaml");
  });
  EXPECT_NE(message.find("split_turns"), std::string::npos) << message;
  EXPECT_NE(message.find("c.yaml"), std::string::npos) << message;
}

}  // namespace
