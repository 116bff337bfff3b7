// The prefix cache through the real binary: requests sharing a prompt prefix (the same system prompt,
// the same whole conversation) reuse its cache, answer exactly what a server without the cache and
// the library answer at temperature 0, and /health counts the prompt tokens reused. A conversation's
// next turn also reuses the cache of the reply before it.
#include "hrm/infer/text_model.hpp"
#include "serve_fixture.hpp"

namespace {

using namespace hrm::serve::testing;

const std::string kSystem = "You write short, correct Python functions and explain nothing.";

std::vector<hrm::ChatMessage> chat_for(const std::string& question) {
  return {{"system", kSystem}, {"user", question}};
}

json body_for(const std::vector<hrm::ChatMessage>& chat, int n = 1) {
  json messages = json::array();
  for (const auto& m : chat) messages.push_back(hrm::to_openai_json(m));
  return {{"messages", messages}, {"max_tokens", 16}, {"temperature", 0}, {"n", n}};
}

// The fixture model behind a server with the prefix cache and one without, and in the library.
struct WithAndWithoutCache {
  explicit WithAndWithoutCache(const std::string& name)
      : cached(fixture_checkpoint(), log_path(name + "-on"), {"--prefix-cache", "4"}),
        uncached(fixture_checkpoint(), log_path(name + "-off"), {"--prefix-cache", "0"}),
        model(hrm::infer::TextModel::load(fixture_checkpoint().string())) {
    options.sampling.max_new_tokens = 16;
  }
  ServerProcess cached, uncached;
  hrm::infer::TextModel model;
  hrm::infer::GenerateOptions options;
};

TEST(ServePrefixCache, SharedPrefixesAreReusedAndRepliesDoNotChange) {
  WithAndWithoutCache servers("prefix");
  auto& [cached, uncached, model, o] = servers;
  // A new prompt, the same again (whole reuse), one sharing the system turn (partial reuse, the
  // fixture model is causal), and the first again with n = 2 (both samples from the cached prompt).
  const std::vector<std::pair<std::vector<hrm::ChatMessage>, int>> requests = {{chat_for("Reverse a string."), 1},
                                                                               {chat_for("Reverse a string."), 1},
                                                                               {chat_for("Sum a list of numbers."), 1},
                                                                               {chat_for("Reverse a string."), 2}};
  int64_t shared_prefix = 0;
  {
    const auto a = hrm::encode_prompt(model.tokenizer(), requests[0].first);
    const auto b = hrm::encode_prompt(model.tokenizer(), requests[2].first);
    while (a[static_cast<size_t>(shared_prefix)] == b[static_cast<size_t>(shared_prefix)]) ++shared_prefix;
  }
  int64_t expected_reuse = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& [chat, n] = requests[i];
    const auto with = post_json(cached, "/v1/chat/completions", body_for(chat, n));
    const auto without = post_json(uncached, "/v1/chat/completions", body_for(chat, n));
    const auto library = as_json_text(model.generate_chat({chat}, o).completions[0].text);
    ASSERT_EQ(with["choices"].size(), static_cast<size_t>(n)) << with.dump();
    for (int c = 0; c < n; ++c) {
      EXPECT_EQ(with["choices"][c]["message"]["content"], without["choices"][c]["message"]["content"]) << i;
      EXPECT_EQ(with["choices"][c]["message"]["content"], library) << i;
    }
    const int64_t prompt = with["usage"]["prompt_tokens"];
    expected_reuse += i == 0 ? 0 : i == 2 ? shared_prefix : prompt;
  }
  const auto health = json::parse(cached.client().Get("/health")->body);
  EXPECT_EQ(health["prefix_cache_hits"], 3);
  EXPECT_EQ(health["prefix_tokens_reused"], expected_reuse);
  EXPECT_GT(shared_prefix, 10);  // the system turn
  const auto off = json::parse(uncached.client().Get("/health")->body);
  EXPECT_EQ(off["prefix_cache_hits"], 0);
  EXPECT_EQ(off["prefix_tokens_reused"], 0);
  EXPECT_EQ(off["prompt_tokens"], health["prompt_tokens"]);
}

// The second turn of a conversation starts with the first turn's prompt and reply: the reply's cache,
// kept when it finished, saves its tokens too, and the answer stays that of the uncached server and the
// library.
TEST(ServePrefixCache, TheNextTurnReusesTheCacheOfTheReplyBeforeIt) {
  WithAndWithoutCache servers("reply");
  auto& [cached, uncached, model, o] = servers;
  auto chat = chat_for("Reverse a string.");
  const auto first = model.generate_chat({chat}, o).completions[0];
  const auto first_reply = post_json(cached, "/v1/chat/completions", body_for(chat));
  ASSERT_EQ(first_reply["choices"][0]["message"]["content"], as_json_text(first.text)) << first_reply.dump();

  // What the reply's cache holds: the prompt and every reply token fed back, which is all of them after
  // a stop token and all but the last after max_tokens.
  auto kept = hrm::encode_prompt(model.tokenizer(), chat);
  const auto first_prompt = static_cast<int64_t>(kept.size());
  kept.insert(kept.end(), first.tokens.begin(), first.tokens.end());
  if (first.finish != hrm::infer::FinishReason::kStopToken) kept.pop_back();

  chat.push_back({"assistant", first_reply["choices"][0]["message"]["content"].get<std::string>()});
  chat.push_back({"user", "Now do it in place."});
  const auto next = hrm::encode_prompt(model.tokenizer(), chat);
  int64_t common = 0;
  while (common < static_cast<int64_t>(std::min(kept.size(), next.size())) &&
         kept[static_cast<size_t>(common)] == next[static_cast<size_t>(common)]) {
    ++common;
  }
  ASSERT_GT(common, first_prompt) << "the next prompt does not continue the reply's tokens";

  const auto with = post_json(cached, "/v1/chat/completions", body_for(chat));
  const auto without = post_json(uncached, "/v1/chat/completions", body_for(chat));
  EXPECT_EQ(with["choices"][0]["message"]["content"], without["choices"][0]["message"]["content"]);
  EXPECT_EQ(with["choices"][0]["message"]["content"], as_json_text(model.generate_chat({chat}, o).completions[0].text));
  const auto health = json::parse(cached.client().Get("/health")->body);
  EXPECT_EQ(health["prefix_cache_hits"], 1);
  EXPECT_EQ(health["prefix_tokens_reused"], std::min<int64_t>(common, static_cast<int64_t>(next.size()) - 1));
}

}  // namespace
