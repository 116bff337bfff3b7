// Hostile and broken clients against the real binary: each gets its error (or is dropped), the server
// never crashes, and a normal request afterwards still succeeds. Also a clean exit on SIGTERM.
#include "serve_fixture.hpp"

namespace {

using namespace hrm::serve::testing;

const json kGood = {{"messages", json::array({{{"role", "user"}, {"content", "hi"}}})}, {"max_tokens", 4}};

// A raw TCP connection, for clients no HTTP library would be.
class RawClient {
 public:
  explicit RawClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) throw std::runtime_error("connect");
  }
  ~RawClient() { close(); }
  void send(const std::string& data) { (void)::send(fd_, data.data(), data.size(), MSG_NOSIGNAL); }
  // Reads until the server closes or `limit` bytes.
  std::string read_some(size_t limit) {
    std::string out;
    char buf[4096];
    while (out.size() < limit) {
      const auto n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
    }
    return out;
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

std::string post_request(const std::string& body, const std::string& extra_headers = "") {
  return "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra_headers +
         "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

void expect_still_serving(const ServerProcess& server) {
  int status = 0;
  const auto r = post_json(server, "/v1/chat/completions", kGood, &status);
  EXPECT_EQ(status, 200) << r.dump();
}

// status and error object of a POST with this raw body
std::pair<int, json> post_raw(const ServerProcess& server, const std::string& body) {
  auto cli = server.client();
  const auto r = cli.Post("/v1/chat/completions", body, "application/json");
  if (!r) return {-1, json()};
  return {r->status, json::parse(r->body, nullptr, false)};
}

TEST(ServeHostile, BadBodiesGet400WithTheFieldNamed) {
  ServerProcess server(fixture_checkpoint(), log_path("bad-bodies"), {"--parallel", "4", "--max-n", "4"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{not json", ""},
      {"[1, 2]", ""},
      {R"({"messages": "hi"})", "messages"},
      {R"({"messages": []})", "messages"},
      {R"({"messages": [{"role": "wizard", "content": "x"}]})", "messages[0].role"},
      {R"({"messages": [{"role": "user", "content": 5}]})", "messages[0].content"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": -5})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 0})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 1e300})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": 99999999999999999999})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "max_tokens": "10"})", "max_tokens"},
      {R"({"messages": [{"role": "user", "content": "x"}], "n": 1000})", "n"},
      {R"({"messages": [{"role": "user", "content": "x"}], "temperature": -1})", "temperature"},
      {R"({"messages": [{"role": "user", "content": "x"}], "top_p": 0})", "top_p"},
      {R"({"messages": [{"role": "user", "content": "x"}], "stop": [""]})", "stop"},
      {R"({"messages": [{"role": "user", "content": "x"}], "stream": "yes"})", "stream"},
      {R"({"messages": [{"role": "user", "content": "x"}], "model": "gpt-4"})", "model"},
      {R"({"messages": [{"role": "user", "content": "x"}], "logprobs": true})", "logprobs"},
      {R"({"messages": [{"role": "user", "content": "x"}], "tools": [{"type": "web"}]})", "tools[0].type"},
  };
  for (const auto& [body, param] : cases) {
    const auto [status, error] = post_raw(server, body);
    EXPECT_EQ(status, 400) << body;
    ASSERT_TRUE(error.contains("error")) << body;
    EXPECT_EQ(error["error"]["type"], "invalid_request_error") << body;
    if (!param.empty()) {
      EXPECT_EQ(error["error"]["param"], param) << body;
    }
    EXPECT_FALSE(error["error"]["message"].get<std::string>().empty());
  }
  // Unknown fields are ignored, as clients send many.
  auto extra = kGood;
  extra["presence_penalty"] = 0.5;
  extra["user"] = "someone";
  EXPECT_EQ(post_raw(server, extra.dump()).first, 200);
  // A prompt longer than the context.
  auto huge = kGood;
  huge["messages"][0]["content"] = std::string(20000, 'q');
  const auto [status, error] = post_raw(server, huge.dump());
  EXPECT_EQ(status, 400);
  EXPECT_EQ(error["error"]["code"], "context_length_exceeded");
  expect_still_serving(server);
}

TEST(ServeHostile, OversizedBodiesAndMalformedHttpAreRefused) {
  ServerProcess server(fixture_checkpoint(), log_path("oversized"), {"--max-body", "10000"});
  auto big = kGood;
  big["messages"][0]["content"] = std::string(20000, 'a');
  const auto [status, error] = post_raw(server, big.dump());
  EXPECT_EQ(status, 413);
  EXPECT_NE(error["error"]["message"].get<std::string>().find("10000 bytes"), std::string::npos);
  RawClient garbage(server.port());
  garbage.send("HELLO THERE\r\n\r\n");
  EXPECT_NE(garbage.read_some(1 << 16).find("400"), std::string::npos);
  RawClient lying(server.port());  // says 5000 bytes, sends 10, goes quiet: dropped after --timeout
  lying.send("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n{\"messa");
  lying.read_some(1 << 16);
  expect_still_serving(server);
}

TEST(ServeHostile, SlowSendersAreServedOrDropped) {
  ServerProcess server(fixture_checkpoint(), log_path("slow"), {"--timeout", "2"});
  const auto request = post_request(kGood.dump());
  RawClient slow(server.port());  // a byte at a time, 30 ms apart: slow but within the timeout
  for (const char c : request) {
    slow.send(std::string(1, c));
    std::this_thread::sleep_for(std::chrono::milliseconds(30 * (c == '{')));
  }
  const auto answer = slow.read_some(1 << 20);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
  RawClient stalled(server.port());  // half the headers, then silence: the server hangs up after 2 s
  stalled.send(request.substr(0, 40));
  const auto t = std::chrono::steady_clock::now();
  stalled.read_some(1 << 16);
  EXPECT_LT(std::chrono::steady_clock::now() - t, std::chrono::seconds(10));
  expect_still_serving(server);
}

TEST(ServeHostile, AClientThatVanishesMidStreamFreesItsSlotAtOnce) {
  ServerProcess server(fixture_checkpoint(), log_path("vanish"), {"--parallel", "1"});
  auto body = kGood;
  body["stream"] = true;
  body["max_tokens"] = 1500;  // seconds of work if nobody stopped it
  for (int round = 0; round < 3; ++round) {
    RawClient client(server.port());
    client.send(post_request(body.dump()));
    EXPECT_NE(client.read_some(600).find("data: "), std::string::npos);
    client.close();
    // The one slot is free again well before the 1500 tokens could have been generated.
    const auto t = std::chrono::steady_clock::now();
    json health;
    do {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      health = json::parse(server.client().Get("/health")->body);
    } while (health["slots_busy"] != 0 && std::chrono::steady_clock::now() - t < std::chrono::seconds(5));
    EXPECT_EQ(health["slots_busy"], 0);
    EXPECT_LT(std::chrono::steady_clock::now() - t, std::chrono::milliseconds(1500));
  }
  expect_still_serving(server);
}

TEST(ServeHostile, SigtermFinishesTheRunningStreamAndExitsCleanly) {
  ServerProcess server(fixture_checkpoint(), log_path("sigterm"), {"--shutdown-grace-ms", "20000"});
  auto body = kGood;
  body["stream"] = true;
  body["max_tokens"] = 300;
  RawClient client(server.port());
  client.send(post_request(body.dump()));
  EXPECT_NE(client.read_some(400).find("data: "), std::string::npos);  // running
  ::kill(server.pid(), SIGTERM);
  const auto rest = client.read_some(size_t{1} << 24);
  EXPECT_NE(rest.find("data: [DONE]"), std::string::npos);
  // The stream ran to its own end (a sampled stop token or max_tokens), not a cancellation error.
  EXPECT_TRUE(rest.find("\"finish_reason\":\"length\"") != std::string::npos ||
              rest.find("\"finish_reason\":\"stop\"") != std::string::npos)
      << rest.substr(rest.size() > 2000 ? rest.size() - 2000 : 0);
  EXPECT_EQ(rest.find("\"error\""), std::string::npos);
  const int status = server.stop(0);  // already exiting: just wait
  EXPECT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
