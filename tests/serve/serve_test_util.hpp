// What the hrm-serve tests share: a tiny random-init text checkpoint with a tokenizer trained on the
// bundled fixtures, a free port, the real hrm-serve binary as a child process, and HTTP helpers.
#pragma once
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../infer/tiny_text_model.hpp"

namespace hrm::serve::testing {

namespace fs = std::filesystem;
using nlohmann::json;

inline fs::path make_scratch(const std::string& tag) {
  std::string tmpl = "/tmp/hrm-serve-" + tag + "-XXXXXX";
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return fs::path(tmpl);
}

// The shared tiny text model (tests/infer/tiny_text_model.hpp) with the context the server tests need.
inline void make_fixture_checkpoint(const fs::path& dir, int64_t seq_len) {
  hrm::testing::write_tiny_text_checkpoint(dir, dir.parent_path() / (dir.filename().string() + "-tok.model"), seq_len);
}

// A port nobody listens on right now (the kernel picks it; the server binds it a moment later).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The real hrm-serve binary on a free port; stderr goes to <log>. Stopped with SIGTERM on destruction.
class ServerProcess {
 public:
  ServerProcess(const fs::path& checkpoint, const fs::path& log, std::vector<std::string> extra = {})
      : port_(free_port()) {
    std::vector<std::string> args = {std::string(HRM_BINARY_DIR) + "/bin/hrm-serve",
                                     "--model",
                                     checkpoint.string(),
                                     "--port",
                                     std::to_string(port_),
                                     "--threads",
                                     "1"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stderr);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      httplib::Client cli("127.0.0.1", port_);
      if (const auto r = cli.Get("/health"); r && r->status == 200) return;
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) throw std::runtime_error("hrm-serve exited; see " + log.string());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("hrm-serve did not answer /health within 60 s; see " + log.string());
  }
  ~ServerProcess() {
    if (pid_ > 0) stop(SIGKILL);
  }
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  httplib::Client client(const std::string& key = "") const {
    httplib::Client cli("127.0.0.1", port_);
    cli.set_read_timeout(120, 0);
    if (!key.empty()) cli.set_bearer_token_auth(key.c_str());
    return cli;
  }
  // Sends `signal` and waits for the exit; returns the wait status.
  int stop(int signal = SIGTERM) {
    int status = 0;
    ::kill(pid_, signal);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

inline json post_json(const ServerProcess& server, const std::string& path, const json& body, int* status = nullptr) {
  auto cli = server.client();
  const auto r = cli.Post(path.c_str(), body.dump(), "application/json");
  if (!r) throw std::runtime_error("POST " + path + " failed: " + httplib::to_string(r.error()));
  if (status != nullptr) *status = r->status;
  return json::parse(r->body);
}

// Text as the server writes it in JSON: invalid UTF-8 (byte pieces of a random model) as U+FFFD.
inline std::string as_json_text(const std::string& text) {
  return json::parse(json(text).dump(-1, ' ', false, json::error_handler_t::replace)).get<std::string>();
}

// The data: payloads of a server-sent event stream, in order ("[DONE]" included).
inline std::vector<std::string> sse_payloads(const std::string& body) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = body.find("data: ", pos)) != std::string::npos) {
    const size_t end = body.find("\n\n", pos);
    out.push_back(body.substr(pos + 6, end - pos - 6));
    pos = end;
  }
  return out;
}

}  // namespace hrm::serve::testing
