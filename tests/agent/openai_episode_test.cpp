// A full episode against the openai: backend, served by a real local HTTP server (cpp-httplib) that
// replays recorded tool calls, through the real hrm-eval binary; then the transcript replayed.
#include <gtest/gtest.h>
#include <httplib.h>

#include <mutex>
#include <thread>

#include "agent_test_util.hpp"
#include "hrm/agent/task.hpp"
#include "hrm/util/fs.hpp"

namespace {

using hrm_agent_test::hrm_eval;
using hrm_agent_test::run_command;
using hrm_agent_test::ScratchDir;
using json = nlohmann::json;

json call(const std::string& id, const std::string& name, const std::string& arguments) {
  return {{"id", id}, {"type", "function"}, {"function", {{"name", name}, {"arguments", arguments}}}};
}

// The recorded assistant turns: look (one malformed call among them), fix, escape attempts, submit.
const std::vector<json>& recorded_turns() {
  static const std::vector<json> turns = {
      {call("c1", "bash", R"({"command": "cat greeting.txt"})"), call("c2", "read_file", R"({"path": "greeting.txt")")},
      {call("c3", "edit_file", R"({"path": "greeting.txt", "search": "helo world\n", "replace": "hello world\n"})")},
      {call("c4", "read_file", R"({"path": "../../etc/passwd"})"), call("c5", "launch_rockets", "{}"),
       call("c6", "bash", R"({"command": "yes | head -c 3000000"})")},
      {call("c7", "submit", R"({"summary": "fixed the typo"})")},
  };
  return turns;
}

class RecordedServer {
 public:
  RecordedServer() {
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const json body = json::parse(req.body);
      requests_.push_back(body);
      const size_t turn = requests_.size() - 1;
      json message = {{"role", "assistant"}, {"content", turn == 0 ? "Let me look." : ""}};
      if (turn < recorded_turns().size()) message["tool_calls"] = recorded_turns()[turn];
      const json reply = {{"id", "r" + std::to_string(turn)},
                          {"object", "chat.completion"},
                          {"choices", {{{"index", 0}, {"message", message}, {"finish_reason", "tool_calls"}}}},
                          {"usage", {{"prompt_tokens", 100 + turn}, {"completion_tokens", 10}}}};
      res.set_content(reply.dump(), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~RecordedServer() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<json> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<json> requests_;
};

hrm::agent::Task greeting_task() {
  hrm::agent::Task t;
  t.id = "shell/fix-greeting-1";
  t.family = "shell";
  t.language = "shell";
  t.instruction = "Fix the typo in greeting.txt.";
  t.files = {{"greeting.txt", "helo world\n"}};
  t.verify = "grep -qx 'hello world' greeting.txt";
  t.tools = {"bash", "read_file", "write_file", "edit_file", "list_files", "submit"};
  t.max_turns = 10;
  return t;
}

TEST(OpenAIEpisode, RecordedToolCallsDriveAFullEpisode) {
  ScratchDir dir;
  const std::string suite = (dir.path / "suite.jsonl").string();
  hrm::agent::write_suite(suite, {greeting_task()});
  RecordedServer server;
  const std::string out = (dir.path / "out").string();
  const auto r = run_command("HRM_OPENAI_MAX_RETRIES=0 " + hrm_eval() + " --bench tools --data " + suite +
                             " --model openai:http://127.0.0.1:" + std::to_string(server.port()) +
                             "/v1/recorded --jobs 1 --no-progress --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("success: 1/1 (100.0%)"), std::string::npos) << r.output;

  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0]["model"], "recorded");
  ASSERT_EQ(requests[0]["tools"].size(), 6u);
  EXPECT_EQ(requests[0]["tools"][0]["function"]["name"], "bash");
  // The second request carries the first turn's calls and their results, in the OpenAI shape.
  const json& m = requests[1]["messages"];
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m[2]["tool_calls"][0]["id"], "c1");
  EXPECT_EQ(m[3]["role"], "tool");
  EXPECT_EQ(m[3]["tool_call_id"], "c1");
  EXPECT_EQ(m[3]["content"], "exit code: 0\nhelo world\n");
  EXPECT_EQ(m[4]["tool_call_id"], "c2");
  EXPECT_NE(m[4]["content"].get<std::string>().find("the arguments of read_file are not valid JSON"),
            std::string::npos);
  // The escape, the unknown tool and the flood were reported, and the episode went on to submit.
  const json& last = requests[3]["messages"];
  const auto content = [&](size_t i) { return last[i]["content"].get<std::string>(); };
  EXPECT_NE(content(8).find("contains '..'"), std::string::npos) << content(8);
  EXPECT_NE(content(9).find("unknown tool 'launch_rockets'"), std::string::npos);
  EXPECT_NE(content(10).find("bytes omitted"), std::string::npos);

  const auto episode = json::parse(hrm::read_file(out + "/transcripts.jsonl"));
  EXPECT_TRUE(episode["passed"]);
  EXPECT_EQ(episode["stop_reason"], "submitted");
  EXPECT_EQ(episode["turns"], 4);
  EXPECT_EQ(episode["tool_calls"], 7);
  EXPECT_EQ(episode["invalid_calls"], 3);
  EXPECT_EQ(episode["prompt_tokens"], 100 + 101 + 102 + 103);
  EXPECT_EQ(episode["completion_tokens"], 40);
  EXPECT_EQ(episode["calls"][0]["exit_code"], 0);
  EXPECT_GE(episode["calls"][0]["seconds"].get<double>(), 0.0);

  // The transcript replays to the same result without the server.
  const auto replay = run_command(hrm_eval() + " --bench tools --data " + suite + " --model replay:" + out +
                                  "/transcripts.jsonl --no-progress --out " + (dir.path / "replay").string());
  ASSERT_EQ(replay.exit_code, 0) << replay.output;
  const auto replayed = json::parse(hrm::read_file((dir.path / "replay" / "transcripts.jsonl").string()));
  EXPECT_TRUE(replayed["passed"]);
  EXPECT_EQ(replayed["messages"], episode["messages"]);
}

}  // namespace
