#include "hrm/tokenizer/tool_call.hpp"

#include <gtest/gtest.h>

#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/tokenizer/special_tokens.hpp"
#include "hrm/util/error.hpp"
#include "shared_tokenizer.hpp"

namespace {

std::string error_of(const std::string& text) {
  try {
    hrm::parse_tool_calls(text);
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

hrm::ChatMessage assistant_with_calls() {
  hrm::ChatMessage m{"assistant", "Let me look.\n"};
  m.tool_calls = {{"call_1", "bash", R"({"command": "ls -la"})"}, {"call_2", "read_file", R"({"path":"a.py"})"}};
  return m;
}

TEST(ToolCall, RendersAssistantCallsAndToolResultsInTheTemplate) {
  hrm::ChatMessage result{"tool", "a.py\n"};
  result.tool_call_id = "call_1";
  result.name = "bash";
  const auto r = hrm::render_chat({{"user", "list"}, assistant_with_calls(), result});
  EXPECT_EQ(r.text,
            "<|user|>\nlist<|end|>\n<|assistant|>\nLet me look.\n"
            "<|tool_call|>{\"name\":\"bash\",\"arguments\":{\"command\":\"ls -la\"}}\n"
            "<|tool_call|>{\"name\":\"read_file\",\"arguments\":{\"path\":\"a.py\"}}\n<|end|>\n"
            "<|tool_result|>\na.py\n<|end|>\n");
  // The calls are part of the assistant's loss span; the tool result is not.
  ASSERT_EQ(r.response_spans.size(), 1u);
  const std::string span =
      r.text.substr(r.response_spans[0].first, r.response_spans[0].second - r.response_spans[0].first);
  EXPECT_NE(span.find("<|tool_call|>"), std::string::npos);
  EXPECT_EQ(span.find("<|tool_result|>"), std::string::npos);
}

TEST(ToolCall, ParseInvertsRenderThroughTheTokenizer) {
  const auto m = assistant_with_calls();
  std::string text = m.content;
  for (const auto& c : m.tool_calls) text += hrm::render_tool_call(c);
  const auto& tok = hrm::test_support::shared_tokenizer();
  const auto ids = tok.encode(text + "<|end|>");
  EXPECT_EQ(std::count(ids.begin(), ids.end(), *hrm::tok::special_id("<|tool_call|>")), 2);
  const auto parsed = hrm::parse_tool_calls(tok.decode(ids));
  EXPECT_EQ(parsed.content, "Let me look.\n");
  ASSERT_EQ(parsed.calls.size(), 2u);
  EXPECT_EQ(parsed.calls[0].id, "call_1");
  EXPECT_EQ(parsed.calls[0].name, "bash");
  EXPECT_EQ(nlohmann::json::parse(parsed.calls[0].arguments), nlohmann::json({{"command", "ls -la"}}));
  EXPECT_EQ(parsed.calls[1].id, "call_2");
  EXPECT_EQ(parsed.calls[1].name, "read_file");
  // No calls: the whole text is content.
  const auto plain = hrm::parse_tool_calls("Done.<|end|>");
  EXPECT_EQ(plain.content, "Done.");
  EXPECT_TRUE(plain.calls.empty());
}

TEST(ToolCall, StrictParserNamesWhatIsMalformed) {
  EXPECT_NE(error_of("x<|tool_call|>{\"name\": \"bash\", \"arguments\": {\n")
                .find("tool call 1 (byte offset 1): not valid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("<|tool_call|>[1]\n").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of("<|tool_call|>{\"name\": \"\", \"arguments\": {}}\n").find("'name' must be a non-empty string"),
            std::string::npos);
  EXPECT_NE(
      error_of("<|tool_call|>{\"name\": \"bash\", \"arguments\": \"ls\"}\n").find("'arguments' must be a JSON object"),
      std::string::npos);
  EXPECT_NE(error_of("<|tool_call|>{\"name\": \"bash\", \"arguments\": {}, \"id\": 3}\n").find("unknown key 'id'"),
            std::string::npos);
  EXPECT_NE(error_of("<|tool_call|>{\"name\": \"a\", \"arguments\": {}}\n<|tool_call|>{\"name\": 1}\n")
                .find("tool call 2 (byte offset 44)"),
            std::string::npos);
  EXPECT_NE(
      error_of("<|tool_call|>{\"name\": \"a\", \"arguments\": {}}\nand then more text").find("text after tool call 1"),
      std::string::npos);
  // A call whose arguments were malformed in a transcript renders as a string, which the parser refuses.
  const std::string bad = hrm::render_tool_call({"call_1", "bash", "{not json"});
  EXPECT_NE(error_of(bad).find("'arguments' must be a JSON object"), std::string::npos);
}

TEST(ToolCall, SystemPromptListsEveryFunctionSchema) {
  const nlohmann::json tools = nlohmann::json::parse(R"([
    {"type": "function", "function": {"name": "bash", "description": "Run a command",
      "parameters": {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}}},
    {"type": "function", "function": {"name": "submit", "description": "Finish", "parameters": {"type": "object"}}}])");
  const std::string prompt = hrm::render_tools_system_prompt(tools, "You fix repositories.");
  EXPECT_EQ(prompt.rfind("You fix repositories.\n\nYou can call these tools.", 0), 0u);
  EXPECT_NE(prompt.find("<|tool_call|>{\"name\": \"<tool>\""), std::string::npos);
  EXPECT_NE(prompt.find(tools[0]["function"].dump() + "\n"), std::string::npos);
  EXPECT_NE(prompt.find(tools[1]["function"].dump() + "\n"), std::string::npos);
  try {
    hrm::render_tools_system_prompt(nlohmann::json::parse(R"([{"type": "function", "function": {}}])"));
    FAIL() << "a schema without a name was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.describe().find("tools[0] is not a function schema"), std::string::npos);
  }
}

TEST(ToolCall, ToolsSystemPromptTakesTheConversationsSystemMessageAsPreamble) {
  const nlohmann::json tools = nlohmann::json::parse(R"([{"type": "function", "function": {"name": "bash"}}])");
  const std::vector<hrm::ChatMessage> chat = {{"system", "Be brief."}, {"user", "hi"}};
  const auto with = hrm::with_tools_system_prompt(chat, tools);
  ASSERT_EQ(with.size(), 2u);
  EXPECT_EQ(with[0].content, hrm::render_tools_system_prompt(tools, "Be brief."));
  EXPECT_EQ(with[1].content, "hi");
  const auto without_system = hrm::with_tools_system_prompt({{"user", "hi"}}, tools);
  ASSERT_EQ(without_system.size(), 2u);
  EXPECT_EQ(without_system[0].content, hrm::render_tools_system_prompt(tools));
  EXPECT_EQ(hrm::with_tools_system_prompt(chat, nlohmann::json::array()).size(), 2u);
}

}  // namespace
