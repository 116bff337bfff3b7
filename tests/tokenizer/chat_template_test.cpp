#include "hrm/tokenizer/chat_template.hpp"

#include <gtest/gtest.h>

#include "hrm/util/error.hpp"
#include "shared_tokenizer.hpp"
#include "../error_of.hpp"

namespace {

using hrm::testing::error_of;

using hrm::ChatMessage;
using hrm::test_support::shared_tokenizer;

const std::vector<ChatMessage> kChat = {
    {"system", "You write Python."},
    {"user", "Add two numbers."},
    {"assistant", "def add(a, b):\n    return a + b\n"},
    {"user", "Now subtract."},
    {"assistant", "def sub(a, b):\n    return a - b\n"},
};

TEST(ChatTemplate, RendersTheDocumentedTemplate) {
  const auto r = hrm::render_chat({{"user", "hi"}, {"assistant", "hello"}});
  EXPECT_EQ(r.text, "<|user|>\nhi<|end|>\n<|assistant|>\nhello<|end|>\n");
  ASSERT_EQ(r.response_spans.size(), 1u);
  EXPECT_EQ(r.text.substr(r.response_spans[0].first, r.response_spans[0].second - r.response_spans[0].first),
            "hello<|end|>");
  EXPECT_EQ(r.text.substr(0, r.prompt_end), "<|user|>\nhi<|end|>\n<|assistant|>\n");
  EXPECT_EQ(hrm::render_prompt({{"user", "hi"}}), "<|user|>\nhi<|end|>\n<|assistant|>\n");
  EXPECT_EQ(hrm::render_chat({{"tool", "42"}}).text, "<|tool_result|>\n42<|end|>\n");
}

TEST(ChatTemplate, LossMaskCoversAssistantContentAndEnd) {
  const auto& tok = shared_tokenizer();
  const auto e = hrm::encode_chat(tok, kChat);
  const auto r = hrm::render_chat(kChat);
  ASSERT_EQ(e.ids.size(), e.loss_mask.size());
  EXPECT_EQ(tok.decode(e.ids), r.text);
  // The masked tokens decode to exactly the response spans of the rendered text.
  std::string masked, want;
  for (size_t i = 0; i < e.ids.size(); ++i) {
    if (e.loss_mask[i]) masked += tok.decode({e.ids[i]});
  }
  for (const auto& [b, end] : r.response_spans) want += r.text.substr(b, end - b);
  EXPECT_EQ(masked, want);
  EXPECT_EQ(want, "def add(a, b):\n    return a + b\n<|end|>def sub(a, b):\n    return a - b\n<|end|>");
  // Only the last turn with last_turn_only.
  const auto last = hrm::encode_chat(tok, kChat, {true});
  masked.clear();
  for (size_t i = 0; i < last.ids.size(); ++i) {
    if (last.loss_mask[i]) masked += tok.decode({last.ids[i]});
  }
  EXPECT_EQ(masked, "def sub(a, b):\n    return a - b\n<|end|>");
}

TEST(ChatTemplate, PromptIsAnExactPrefixOfTheTrainingSequence) {
  const auto& tok = shared_tokenizer();
  const auto e = hrm::encode_chat(tok, kChat);
  const std::vector<ChatMessage> prefix(kChat.begin(), kChat.end() - 1);
  const auto prompt = hrm::encode_prompt(tok, prefix);
  ASSERT_EQ(prompt.size(), e.prompt_length);
  EXPECT_TRUE(std::equal(prompt.begin(), prompt.end(), e.ids.begin()));
  EXPECT_EQ(tok.decode(prompt), hrm::render_prompt(prefix));
  EXPECT_EQ(prompt.back() == hrm::tok::kAssistantId || tok.decode({prompt.back()}) == "\n", true);
  EXPECT_EQ(e.ids[e.ids.size() - 2], hrm::tok::kEndId);
  // Without an assistant turn the whole sequence is prompt.
  const auto u = hrm::encode_chat(tok, {{"user", "x"}});
  EXPECT_EQ(u.prompt_length, u.ids.size());
  EXPECT_EQ(std::count(u.loss_mask.begin(), u.loss_mask.end(), 1), 0);
}

TEST(ChatTemplate, PromptResponsePairsUseTheSameTemplate) {
  const auto m = hrm::prompt_response_messages("P", "R", "S");
  EXPECT_EQ(hrm::render_chat(m).text, "<|system|>\nS<|end|>\n<|user|>\nP<|end|>\n<|assistant|>\nR<|end|>\n");
  EXPECT_EQ(hrm::prompt_response_messages("P", "R").size(), 2u);
}

TEST(ChatTemplate, RejectsUnknownRoles) {
  const auto msg = error_of([] { hrm::render_chat({{"user", "a"}, {"robot", "b"}}); });
  EXPECT_NE(msg.find("chat message 1 has role 'robot'"), std::string::npos) << msg;
}

TEST(EditFormat, RendersAndParsesBlocks) {
  hrm::EditBlock sr{hrm::EditBlock::Kind::SearchReplace, "src/a.py", "x = 1\n", "x = 2\n"};
  hrm::EditBlock whole{hrm::EditBlock::Kind::WholeFile, "b.go", "", "package b\n"};
  EXPECT_EQ(hrm::render_edit(sr), "<|file|>src/a.py\n<|search|>\nx = 1\n<|divider|>\nx = 2\n<|replace|>\n");
  EXPECT_EQ(hrm::render_edit(whole), "<|file|>b.go\n<|whole_file|>\npackage b\n<|whole_file|>\n");
  const auto parsed = hrm::parse_edits("Fix:\n" + hrm::render_edit(sr) + "and\n" + hrm::render_edit(whole));
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].path, "src/a.py");
  EXPECT_EQ(parsed[0].search, "x = 1\n");
  EXPECT_EQ(parsed[0].replace, "x = 2\n");
  EXPECT_EQ(parsed[1].kind, hrm::EditBlock::Kind::WholeFile);
  EXPECT_EQ(parsed[1].replace, "package b\n");
  // Edit blocks survive tokenization with their markers as single tokens.
  const auto& tok = shared_tokenizer();
  const auto ids = tok.encode(hrm::render_edit(sr));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), hrm::tok::kSearchId), 1);
  EXPECT_EQ(hrm::parse_edits(tok.decode(ids))[0].replace, "x = 2\n");
}

TEST(EditFormat, MalformedBlocksNameTheOffset) {
  EXPECT_NE(error_of([] {
              hrm::parse_edits("ab<|file|>x.py\n<|search|>\nfoo");
            }).find("unterminated edit block at byte offset 2"),
            std::string::npos);
  EXPECT_NE(error_of([] { hrm::parse_edits("<|file|>x.py\nno marker"); }).find("expected '<|whole_file|>\n'"),
            std::string::npos);
}

}  // namespace
