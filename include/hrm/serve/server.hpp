// hrm-serve: an OpenAI-compatible HTTP server over one local text checkpoint (docs/serve.md).
//
// HTTP (cpp-httplib, a thread per connection from a bounded pool) and JSON stay at the edge
// (http_server.cpp, completions.cpp, api.hpp); every request becomes a Job of the one BatchEngine
// (engine.hpp), whose decode loop batches all running requests.
//
//   GET  /health               {"status": "ok", slots and queue}; no key needed
//   GET  /v1/models            the one served model
//   POST /v1/chat/completions  messages -> the chat template; tools -> tool-call turns
//   POST /v1/completions       prompt text as is
#pragma once
#include <cstddef>
#include <memory>
#include <string>

#include "hrm/infer/text_model.hpp"
#include "hrm/serve/api.hpp"
#include "hrm/serve/engine.hpp"

namespace hrm::serve {

struct ServerOptions {
  std::string model_dir;           // a text checkpoint (docs/inference.md)
  std::string model_id;            // the name clients use; default: the checkpoint directory's name
  std::string host = "127.0.0.1";  // loopback unless told otherwise
  int port = 8080;                 // 0: any free port (Server::bind returns it)
  std::string api_key;             // non-empty: /v1/* needs "Authorization: Bearer <key>"
  EngineOptions engine;
  ApiLimits limits;
  size_t max_body_bytes = size_t{4} << 20;  // larger bodies get 413
  int io_timeout_seconds = 10;              // a client that sends or reads nothing for this long is dropped
  int shutdown_grace_ms = 10000;            // on SIGTERM running requests may finish for this long
  infer::TextModelOptions model_options;
};

class Server {
 public:
  // Loads the checkpoint and starts the decode loop; throws hrm::Error for a bad model or options.
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port; returns the port. Throws hrm::Error when the address cannot be bound.
  int bind();
  // Serves until stop(); call after bind().
  void run();
  // Graceful stop: queued requests get 503, running ones finish for up to shutdown_grace_ms (then
  // are cancelled), open responses are completed, then the listener closes. Thread-safe, idempotent.
  void stop();

  const std::string& model_id() const;
  int64_t context() const;  // positions per request (prompt + reply)

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs a server until SIGTERM or SIGINT, then stops it gracefully. Logs the address it listens on.
void run_until_signal(const ServerOptions& options);

}  // namespace hrm::serve
