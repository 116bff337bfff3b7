// hrm-serve through the real binary: every endpoint, the fields that change a reply, streaming, the
// API key; replies checked against the library (TextModel) on the same checkpoint.
#include "hrm/infer/text_model.hpp"
#include "../run_command.hpp"
#include "serve_fixture.hpp"

namespace {

using namespace hrm::serve::testing;

const std::vector<hrm::ChatMessage> kChat = {{"system", "You are terse."}, {"user", "Add two numbers in Python."}};

json chat_body(int max_tokens, double temperature = 0) {
  json messages = json::array();
  for (const auto& m : kChat) messages.push_back({{"role", m.role}, {"content", m.content}});
  return {{"model", "tiny"}, {"messages", messages}, {"max_tokens", max_tokens}, {"temperature", temperature}};
}

// The library's answer for the same conversation and options.
std::vector<std::string> library_replies(const std::vector<hrm::ChatMessage>& chat, hrm::infer::GenerateOptions o) {
  auto model = hrm::infer::TextModel::load(fixture_checkpoint().string());
  std::vector<std::string> out;
  for (auto& c : model.generate_chat({chat}, o).completions) out.push_back(as_json_text(c.text));
  return out;
}

TEST(ServeApi, HealthAndModels) {
  ServerProcess server(fixture_checkpoint(), log_path("health"), {"--parallel", "3"});
  auto cli = server.client();
  const auto health = cli.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  const auto h = json::parse(health->body);
  EXPECT_EQ(h["status"], "ok");
  EXPECT_EQ(h["slots_total"], 3);
  const auto models = json::parse(cli.Get("/v1/models")->body);
  EXPECT_EQ(models["object"], "list");
  ASSERT_EQ(models["data"].size(), 1u);
  EXPECT_EQ(models["data"][0]["id"], "tiny");  // the checkpoint directory's name
  EXPECT_EQ(models["data"][0]["object"], "model");
  const auto missing = cli.Get("/v1/nothing");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(json::parse(missing->body)["error"]["type"], "invalid_request_error");
}

TEST(ServeApi, ASecondServerOnTheSamePortFailsInsteadOfSharingIt) {
  ServerProcess server(fixture_checkpoint(), log_path("first-on-port"));
  const auto second =
      hrm::testing::run_command("timeout 60 " + hrm::testing::binary_path("hrm-serve") + " --model " +
                                fixture_checkpoint().string() + " --port " + std::to_string(server.port()));
  EXPECT_EQ(second.exit_code, 1) << second.output;
  EXPECT_NE(second.output.find("cannot listen on 127.0.0.1:" + std::to_string(server.port())), std::string::npos)
      << second.output;
  EXPECT_EQ(server.client().Get("/health")->status, 200);
}

TEST(ServeApi, ChatCompletionEqualsTheLibraryAndStreamsTheSameText) {
  ServerProcess server(fixture_checkpoint(), log_path("chat"));
  int status = 0;
  const auto r = post_json(server, "/v1/chat/completions", chat_body(24), &status);
  ASSERT_EQ(status, 200) << r.dump();
  EXPECT_EQ(r["object"], "chat.completion");
  ASSERT_EQ(r["choices"].size(), 1u);
  const auto& choice = r["choices"][0];
  EXPECT_EQ(choice["message"]["role"], "assistant");
  hrm::infer::GenerateOptions o;
  o.sampling.max_new_tokens = 24;
  const auto expected = library_replies(kChat, o);
  EXPECT_EQ(choice["message"]["content"], expected[0]);
  EXPECT_EQ(choice["finish_reason"], "length");
  EXPECT_EQ(r["usage"]["completion_tokens"], 24);
  EXPECT_EQ(r["usage"]["total_tokens"], r["usage"]["prompt_tokens"].get<int>() + 24);

  auto body = chat_body(24);
  body["stream"] = true;
  body["stream_options"] = {{"include_usage", true}};
  auto cli = server.client();
  const auto s = cli.Post("/v1/chat/completions", body.dump(), "application/json");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->status, 200);
  EXPECT_EQ(s->get_header_value("Content-Type"), "text/event-stream");
  const auto events = sse_payloads(s->body);
  ASSERT_GE(events.size(), 4u);
  EXPECT_EQ(events.back(), "[DONE]");
  std::string text;
  std::string finish;
  for (size_t i = 0; i + 2 < events.size(); ++i) {
    const auto chunk = json::parse(events[i]);
    EXPECT_EQ(chunk["object"], "chat.completion.chunk");
    const auto& c = chunk["choices"][0];
    if (i == 0) {
      EXPECT_EQ(c["delta"]["role"], "assistant");
    }
    text += c["delta"].value("content", "");
    if (!c["finish_reason"].is_null()) finish = c["finish_reason"];
  }
  EXPECT_EQ(text, expected[0]);
  EXPECT_EQ(finish, "length");
  const auto usage = json::parse(events[events.size() - 2]);
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["completion_tokens"], 24);
}

TEST(ServeApi, CompletionsTakeThePromptTextAsIs) {
  ServerProcess server(fixture_checkpoint(), log_path("completions"));
  int status = 0;
  const json body = {
      {"prompt", json::array({"def add(a, b):", "int main() {"})}, {"max_tokens", 10}, {"temperature", 0}};
  const auto r = post_json(server, "/v1/completions", body, &status);
  ASSERT_EQ(status, 200) << r.dump();
  EXPECT_EQ(r["object"], "text_completion");
  ASSERT_EQ(r["choices"].size(), 2u);
  auto model = hrm::infer::TextModel::load(fixture_checkpoint().string());
  hrm::infer::GenerateOptions o;
  o.sampling.max_new_tokens = 10;
  o.stop_tokens = {hrm::tok::kEndId, hrm::tok::kEosId};
  o.vocab_limit = model.tokenizer().vocab_size();
  const auto& tok = model.tokenizer();
  const auto lib = hrm::infer::generate(model.decoder(), {tok.encode("def add(a, b):"), tok.encode("int main() {")}, o,
                                        [&tok](int32_t id) { return tok.decode(&id, 1); });
  EXPECT_EQ(r["choices"][0]["text"], as_json_text(lib.completions[0].text));
  EXPECT_EQ(r["choices"][1]["text"], as_json_text(lib.completions[1].text));
  EXPECT_EQ(r["choices"][1]["index"], 1);
}

TEST(ServeApi, SamplesSeedsAndStopSequencesFollowTheLibrary) {
  ServerProcess server(fixture_checkpoint(), log_path("sampling"));
  auto body = chat_body(16, 0.9);
  body["n"] = 3;
  body["seed"] = 11;
  body["top_p"] = 0.95;
  int status = 0;
  const auto r = post_json(server, "/v1/chat/completions", body, &status);
  ASSERT_EQ(status, 200) << r.dump();
  hrm::infer::GenerateOptions o;
  o.samples = 3;
  o.sampling.temperature = 0.9;
  o.sampling.top_p = 0.95;
  o.sampling.seed = 11;
  o.sampling.max_new_tokens = 16;
  const auto expected = library_replies(kChat, o);
  ASSERT_EQ(r["choices"].size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(r["choices"][i]["message"]["content"], expected[i]) << i;
  EXPECT_EQ(post_json(server, "/v1/chat/completions", body)["choices"], r["choices"]);  // same seed, same text

  // A stop sequence taken from the middle of the greedy reply cuts it there.
  hrm::infer::GenerateOptions greedy;
  greedy.sampling.max_new_tokens = 24;
  const auto full = library_replies(kChat, greedy)[0];
  size_t at = full.size() / 2;  // three ASCII bytes from the middle on
  while (at + 3 < full.size() && !(std::isprint(full[at]) && std::isprint(full[at + 1]) && std::isprint(full[at + 2])))
    ++at;
  ASSERT_LT(at + 3, full.size()) << full;
  const auto stop = full.substr(at, 3);
  auto stop_body = chat_body(24);
  stop_body["stop"] = stop;
  const auto cut = post_json(server, "/v1/chat/completions", stop_body);
  EXPECT_EQ(cut["choices"][0]["message"]["content"], full.substr(0, full.find(stop)));
  EXPECT_EQ(cut["choices"][0]["finish_reason"], "stop");
}

TEST(ServeApi, AnApiKeyIsRequiredWhenSet) {
  ServerProcess server(fixture_checkpoint(), log_path("key"), {"--api-key", "sekrit"});
  auto anonymous = server.client();
  const auto refused = anonymous.Post("/v1/chat/completions", chat_body(4).dump(), "application/json");
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(json::parse(refused->body)["error"]["code"], "invalid_api_key");
  EXPECT_EQ(server.client("wrong").Get("/v1/models")->status, 401);
  EXPECT_EQ(server.client("sekri").Get("/v1/models")->status, 401);
  EXPECT_EQ(server.client("sekrit").Get("/v1/models")->status, 200);
  EXPECT_EQ(anonymous.Get("/health")->status, 200);  // health checks need no key
  const auto ok = server.client("sekrit").Post("/v1/chat/completions", chat_body(4).dump(), "application/json");
  EXPECT_EQ(ok->status, 200);
}

TEST(ServeApi, MaxTokensIsCappedByTheContext) {
  ServerProcess server(fixture_checkpoint(), log_path("ctx"), {"--ctx", "64"});
  const auto r = post_json(server, "/v1/chat/completions", chat_body(100000));
  const int prompt = r["usage"]["prompt_tokens"];
  EXPECT_EQ(r["usage"]["completion_tokens"].get<int>(), 64 - prompt);
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
}

}  // namespace
