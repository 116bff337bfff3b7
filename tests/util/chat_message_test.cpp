#include "hrm/util/chat_message.hpp"

#include <gtest/gtest.h>

#include "hrm/util/error.hpp"

namespace {

std::string error_of(const nlohmann::json& j) {
  try {
    hrm::chat_message_from_json(j, "t.jsonl:3: messages[1]");
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

TEST(ChatMessage, RoundTripsTheOpenAIShape) {
  hrm::ChatMessage call{"assistant", ""};
  call.tool_calls = {{"call_7", "write_file", R"({"path":"a.txt","content":"x"})"}};
  const nlohmann::json j = hrm::to_openai_json(call);
  EXPECT_TRUE(j["content"].is_null());
  EXPECT_EQ(j["tool_calls"][0]["type"], "function");
  EXPECT_EQ(j["tool_calls"][0]["function"]["name"], "write_file");
  EXPECT_EQ(j["tool_calls"][0]["function"]["arguments"], R"({"path":"a.txt","content":"x"})");
  const auto back = hrm::chat_message_from_json(j, "here");
  EXPECT_EQ(back.role, "assistant");
  EXPECT_EQ(back.content, "");
  ASSERT_EQ(back.tool_calls.size(), 1u);
  EXPECT_EQ(back.tool_calls[0].id, "call_7");
  EXPECT_EQ(back.tool_calls[0].arguments, call.tool_calls[0].arguments);

  hrm::ChatMessage result{"tool", "ok"};
  result.tool_call_id = "call_7";
  result.name = "write_file";
  const auto r = hrm::chat_message_from_json(hrm::to_openai_json(result), "here");
  EXPECT_EQ(r.tool_call_id, "call_7");
  EXPECT_EQ(r.name, "write_file");
  EXPECT_EQ(r.content, "ok");
  // Arguments sent as an object (some servers) are kept as JSON text.
  const auto obj = hrm::chat_message_from_json(
      nlohmann::json::parse(
          R"({"role":"assistant","tool_calls":[{"id":"c","function":{"name":"bash","arguments":{"command":"ls"}}}]})"),
      "here");
  EXPECT_EQ(obj.tool_calls[0].arguments, R"({"command":"ls"})");
}

TEST(ChatMessage, ErrorsNameTheMessageAndField) {
  EXPECT_NE(error_of({{"role", "robot"}, {"content", "x"}}).find("t.jsonl:3: messages[1]: unknown role 'robot'"),
            std::string::npos);
  EXPECT_NE(error_of({{"role", "user"}}).find("missing string field 'content'"), std::string::npos);
  EXPECT_NE(error_of({{"role", "user"}, {"content", 3}}).find("field 'content' must be a string"), std::string::npos);
  EXPECT_NE(error_of({{"role", "user"}, {"content", "x"}, {"tool_calls", nlohmann::json::array()}})
                .find("only assistant messages carry 'tool_calls'"),
            std::string::npos);
  EXPECT_NE(error_of(nlohmann::json::parse(R"({"role":"assistant","content":null,"tool_calls":[{"id":"c"}]})"))
                .find("messages[1].tool_calls[0]: a tool call must be an object with a 'function' object"),
            std::string::npos);
}

}  // namespace
