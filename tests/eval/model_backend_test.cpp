// Backend factory, predictions replay, and the openai backend against a local mock server.
#include "hrm/eval/model_backend.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "hrm/util/error.hpp"
#include "polyglot_test_util.hpp"

using hrm::eval::GenerationRequest;
using hrm::eval::make_backend;

namespace {

GenerationRequest request(const std::string& task, int attempt, const std::string& text) {
  GenerationRequest r;
  r.id = {"polyglot", task, attempt, 0};
  r.messages = {{"system", "be brief"}, {"user", text}};
  return r;
}

}  // namespace

TEST(ModelBackend, FactoryKnowsSchemesAndRejectsUnknownOnes) {
  EXPECT_EQ(make_backend("stub")->name(), "stub");
  EXPECT_EQ(make_backend("oracle")->name(), "oracle");
  EXPECT_TRUE(make_backend("oracle")->needs_reference());
  EXPECT_FALSE(make_backend("stub")->needs_reference());
  EXPECT_EQ(make_backend("openai:http://127.0.0.1:1/v1/Qwen/Qwen2.5-Coder")->name(),
            "openai:http://127.0.0.1:1/v1/Qwen/Qwen2.5-Coder");
  EXPECT_EQ(make_backend("openai:http://host:8080/api/my-model")->name(), "openai:http://host:8080/api/my-model");
  try {
    make_backend("gpt5");
    FAIL() << "unknown scheme accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.hint().find("predictions"), std::string::npos);
  }
  EXPECT_THROW(make_backend("openai:localhost"), hrm::Error);
  EXPECT_THROW(make_backend("predictions"), hrm::Error);
  EXPECT_THROW(make_backend("oracle:x"), hrm::Error);
}

TEST(ModelBackend, RegisteredSchemesAreExtensible) {
  struct Echo : hrm::eval::ModelBackend {
    std::string arg;
    explicit Echo(std::string a) : arg(std::move(a)) {}
    std::vector<std::string> generate(const GenerationRequest& r) override { return {arg + ":" + r.id.task}; }
    std::string name() const override { return "echo:" + arg; }
  };
  hrm::eval::register_backend("echo-test", [](const std::string& a) { return std::make_unique<Echo>(a); });
  auto b = make_backend("echo-test:ckpt.pt");
  EXPECT_EQ(b->generate(request("cpp/bob", 1, "hi")).at(0), "ckpt.pt:cpp/bob");
}

TEST(ModelBackend, OracleAndStub) {
  auto req = request("go/x", 1, "hi");
  EXPECT_THROW(make_backend("oracle")->generate(req), hrm::Error);
  req.reference_reply = "the answer";
  req.params.n = 3;
  EXPECT_EQ(make_backend("oracle")->generate(req), std::vector<std::string>(3, "the answer"));
  EXPECT_EQ(make_backend("stub")->generate(req).at(0), hrm::eval::kStubReply);
}

TEST(ModelBackend, PredictionsReplayByTaskAndTry) {
  hrm_test::TempDir tmp("predictions");
  const auto file = tmp.path / "p.jsonl";
  hrm::write_file_atomic(file, R"({"task": "cpp/bob", "try": 1, "reply": "first"}
{"task": "cpp/bob", "try": 2, "replies": ["second-a", "second-b"]}

{"task": "go/x", "reply": "default try is 1"}
)");
  auto b = make_backend("predictions:" + file.string());
  EXPECT_EQ(b->generate(request("cpp/bob", 1, "")).at(0), "first");
  auto r2 = request("cpp/bob", 2, "");
  r2.params.n = 2;
  EXPECT_EQ(b->generate(r2), (std::vector<std::string>{"second-a", "second-b"}));
  EXPECT_EQ(b->generate(request("go/x", 1, "")).at(0), "default try is 1");
  EXPECT_EQ(b->generate(request("go/missing", 1, "")).at(0), "") << "a missing prediction is an empty reply";

  hrm::write_file_atomic(file, "{\"task\": \"a\", \"reply\": \"x\", \"rply\": 1}\n");
  EXPECT_THROW(make_backend("predictions:" + file.string()), hrm::Error) << "unknown fields are typos";
  hrm::write_file_atomic(file, "not json\n");
  try {
    make_backend("predictions:" + file.string());
    FAIL();
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.message().find("p.jsonl:1"), std::string::npos) << e.message();
  }
}

TEST(OpenAIBackend, PostsChatCompletionsRetriesAndSendsTheKey) {
  hrm_test::TempDir tmp("openai");
  hrm_test::MockServer server(tmp.path, "echo", /*flaky=*/true);
  ASSERT_GT(server.port(), 0) << "mock server did not start";
  setenv("HRM_OPENAI_API_KEY", "sk-test", 1);
  setenv("HRM_OPENAI_BACKOFF_MS", "10", 1);
  auto b = make_backend("openai:" + server.base() + "/tiny-coder");
  unsetenv("HRM_OPENAI_API_KEY");
  auto req = request("python/median", 2, "write median");
  req.params.temperature = 0.2;
  req.params.max_tokens = 77;
  req.params.seed = 5;
  req.params.stop = {"</s>"};
  EXPECT_EQ(b->generate(req).at(0), "echo: write median");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u) << "one 503, then a retry";
  const auto& body = reqs[1]["body"];
  EXPECT_EQ(reqs[1]["path"], "/v1/chat/completions");
  EXPECT_EQ(reqs[1]["auth"], "Bearer sk-test");
  EXPECT_EQ(body["model"], "tiny-coder");
  EXPECT_DOUBLE_EQ(body["temperature"].get<double>(), 0.2);
  EXPECT_EQ(body["max_tokens"], 77);
  EXPECT_EQ(body["seed"], 5);
  EXPECT_EQ(body["stop"], nlohmann::json({"</s>"}));
  ASSERT_EQ(body["messages"].size(), 2u);
  EXPECT_EQ(body["messages"][0]["role"], "system");
  // n = 2 against a server that returns one choice per call: the backend asks again.
  req.params.n = 2;
  EXPECT_EQ(b->generate(req).size(), 2u);
}

TEST(OpenAIBackend, ClientErrorsAndDeadServersAreErrors) {
  hrm_test::TempDir tmp("openai-errors");
  hrm_test::MockServer server(tmp.path, "echo", false);
  ASSERT_GT(server.port(), 0);
  // A 404 (wrong base path) is not retried.
  auto wrong = make_backend("openai:http://127.0.0.1:" + std::to_string(server.port()) + "/api/x");
  EXPECT_THROW(wrong->generate(request("a", 1, "x")), hrm::Error);
  EXPECT_EQ(server.requests().size(), 1u);
  // Nothing listens on port 1: connection refused after the retries.
  setenv("HRM_OPENAI_MAX_RETRIES", "1", 1);
  setenv("HRM_OPENAI_BACKOFF_MS", "10", 1);
  auto dead = make_backend("openai:http://127.0.0.1:1/v1/m");
  unsetenv("HRM_OPENAI_MAX_RETRIES");
  try {
    dead->generate(request("a", 1, "x"));
    FAIL() << "no error from a dead server";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.message().find("after 2 attempts"), std::string::npos) << e.message();
  }
}
