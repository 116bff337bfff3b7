// Helpers for the eval tests: a temporary folder, running a command, and a mock OpenAI-compatible
// server (python3's http.server on 127.0.0.1, loopback only) that logs every request it gets.
#pragma once
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "hrm/util/fs.hpp"
#include "../run_command.hpp"

extern char** environ;

namespace hrm_test {

namespace fs = std::filesystem;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    path = fs::temp_directory_path() / ("hrm-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

using hrm::testing::CommandResult;
using hrm::testing::run_command;

// Replies: mode "echo" answers "echo: <last message>" and fails the first request with HTTP 503 when
// `flaky`; mode "median" answers the python/median fixture: a wrong solution first, the right one once
// the test failures of the first try (test_even) come back in the chat; mode "replies" answers with the
// assistant message that <dir>/replies.json maps the last message's content to (tool calls and all).
inline const char* kMockServer = R"PY(
import http.server, json, os, sys
port_file, log_file, mode, flaky = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
calls = {"n": 0}
WRONG = "median.py\n```\ndef median(values):\n    return sorted(values)[len(values) // 2]\n```\n"
RIGHT = ("Fixed the even case.\n\nmedian.py\n```\ndef median(values):\n    s = sorted(values)\n    m = len(s) // 2\n"
         "    return s[m] if len(s) % 2 else (s[m - 1] + s[m]) / 2\n```\n")
class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        calls["n"] += 1
        with open(log_file, "a") as f:
            f.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"), "body": body}) + "\n")
        if flaky and calls["n"] == 1:
            self.send_response(503); self.end_headers(); self.wfile.write(b"warming up"); return
        if self.path != "/v1/chat/completions":
            self.send_response(404); self.end_headers(); return
        last = body["messages"][-1]["content"]
        if mode == "median":
            reply = RIGHT if ("See the testing errors above" in last and "test_even" in last) else WRONG
        else:
            reply = "echo: " + last
        message = {"role": "assistant", "content": reply}
        if mode == "replies":
            with open(os.path.join(os.path.dirname(log_file), "replies.json")) as f:
                message = json.load(f)[last]
        out = json.dumps({"choices": [{"index": 0, "message": message}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
)PY";

class MockServer {
 public:
  MockServer(const fs::path& dir, const std::string& mode, bool flaky) : log_(dir / "requests.jsonl") {
    const fs::path script = dir / "mock_server.py", port_file = dir / "port";
    hrm::write_file_atomic(script, kMockServer);
    std::vector<std::string> args = {"/usr/bin/python3", script.string(), port_file.string(), log_.string(), mode,
                                     flaky ? "1" : "0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) pid_ = -1;
    for (int i = 0; i < 200 && !fs::exists(port_file); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    if (fs::exists(port_file)) port_ = std::stoi(hrm::read_file(port_file));
  }
  ~MockServer() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    if (!fs::exists(log_)) return out;
    const std::string text = hrm::read_file(log_);
    size_t start = 0;
    for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(nlohmann::json::parse(text.substr(start, nl - start)));
    }
    return out;
  }

 private:
  fs::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace hrm_test
