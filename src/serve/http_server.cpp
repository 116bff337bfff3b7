// hrm-serve's HTTP edge (server.hpp): routes, the API key, limits, OpenAI-style errors, graceful stop.
#include <httplib.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#include "completions.hpp"
#include "hrm/serve/server.hpp"
#include "hrm/util/error.hpp"

namespace hrm::serve {

using nlohmann::json;

namespace {

void send_error(httplib::Response& res, const ApiError& e) {
  res.status = e.status();
  res.set_content(dump(e.body()), "application/json");
}

// Compares in time independent of where the strings differ (no timing hint at the key).
bool same_key(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % std::max<size_t>(expected.size(), 1)]);
  }
  return diff == 0;
}

std::string default_model_id(const std::string& dir) {
  auto path = std::filesystem::path(dir);
  if (path.filename().empty()) path = path.parent_path();  // "runs/sft/" -> "sft"
  const auto name = path.filename().string();
  return name.empty() ? "hrm" : name;
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerOptions o)
      : options(std::move(o)),
        model(infer::TextModel::load(options.model_dir, options.model_options)),
        engine(model, options.engine),
        ctx{engine, options, options.model_id.empty() ? default_model_id(options.model_dir) : options.model_id} {
    configure();
    routes();
  }

  void configure() {
    // Every waiting or running request holds a thread; a few more answer /health and errors.
    const auto threads = static_cast<size_t>(options.engine.parallel + options.engine.queue_limit + 8);
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_read_timeout(options.io_timeout_seconds, 0);
    http.set_write_timeout(options.io_timeout_seconds, 0);
    http.set_keep_alive_timeout(5);
    // httplib's default options set SO_REUSEPORT, which lets a second server bind the same port and take
    // half of its connections; SO_REUSEADDR only allows restarting on a port in TIME_WAIT.
    http.set_socket_options([this](int sock) {
      const int yes = 1;
      ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_socket = sock;
    });
    http.set_pre_routing_handler(
        httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
          if (options.api_key.empty() || req.path.rfind("/v1/", 0) != 0)
            return httplib::Server::HandlerResponse::Unhandled;
          const auto auth = req.get_header_value("Authorization");
          if (auth.rfind("Bearer ", 0) == 0 && same_key(auth.substr(7), options.api_key)) {
            return httplib::Server::HandlerResponse::Unhandled;
          }
          send_error(res, ApiError(401, "missing or wrong API key: send 'Authorization: Bearer <key>'", "",
                                   "invalid_api_key"));
          return httplib::Server::HandlerResponse::Handled;
        }));
    // Errors httplib answers itself (unknown path, oversized or malformed request) get an OpenAI body too.
    http.set_error_handler(
        httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          std::string message = "HTTP error " + std::to_string(res.status);
          if (res.status == 400) message = "malformed HTTP request";
          if (res.status == 404) message = "no endpoint " + req.method + " " + req.path;
          if (res.status == 413) {
            message = "the request body is larger than " + std::to_string(options.max_body_bytes) + " bytes";
          }
          if (res.status == 414) message = "the request line is too long";
          send_error(res, ApiError(res.status, message));
          return httplib::Server::HandlerResponse::Handled;
        }));
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      try {
        std::rethrow_exception(ep);
      } catch (const ApiError& e) {
        send_error(res, e);
      } catch (const std::exception& e) {
        spdlog::error("request failed: {}", e.what());
        send_error(res, ApiError(500, std::string("internal error: ") + e.what()));
      } catch (...) {
        send_error(res, ApiError(500, "internal error"));
      }
    });
  }

  void routes() {
    http.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
      const auto s = engine.stats();
      const bool up = !stopping;
      res.status = up ? 200 : 503;
      res.set_content(dump({{"status", up ? "ok" : "shutting_down"},
                            {"slots_busy", s.active_rows},
                            {"slots_total", engine.parallel()},
                            {"queued", s.queued_jobs},
                            {"tokens_generated", s.tokens_generated},
                            {"decode_steps", s.decode_steps},
                            {"prompt_tokens", s.prompt_tokens},
                            {"prefix_cache_hits", s.prefix_hits},
                            {"prefix_tokens_reused", s.prefix_tokens_reused}}),
                      "application/json");
    });
    http.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
      res.set_content(dump(models_response(ctx.model_id, created)), "application/json");
    });
    http.Post("/v1/chat/completions",
              [this](const httplib::Request& req, httplib::Response& res) { answer_completion(ctx, req, res, true); });
    http.Post("/v1/completions",
              [this](const httplib::Request& req, httplib::Response& res) { answer_completion(ctx, req, res, false); });
  }

  ServerOptions options;
  infer::TextModel model;
  BatchEngine engine;
  ServeContext ctx;
  httplib::Server http;
  std::atomic<bool> stopping{false};
  int listen_socket = -1;  // the last socket httplib created to listen on: the bound one once bind() succeeds
  int64_t created =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
};

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Server::~Server() { stop(); }

int Server::bind() {
  const auto& o = impl_->options;
  const int port = o.port == 0 ? impl_->http.bind_to_any_port(o.host) : o.port;
  HRM_CHECK(port > 0 && (o.port == 0 || impl_->http.bind_to_port(o.host, o.port)),
            "cannot listen on " + o.host + ":" + std::to_string(o.port),
            "is another server on that port? pick another with --port (0 = any free port)");
  // httplib 0.11 listens with a backlog of 5. A burst of clients overflows it; the kernel then answers
  // with SYN cookies and resets some connections, which clients see as a dropped request. Listening
  // again on the bound socket only raises the backlog.
  HRM_CHECK(::listen(impl_->listen_socket, SOMAXCONN) == 0,
            "cannot raise the listen backlog on " + o.host + ":" + std::to_string(port) + ": " + std::strerror(errno));
  return port;
}

void Server::run() { impl_->http.listen_after_bind(); }

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  impl_->engine.shutdown(std::chrono::milliseconds(impl_->options.shutdown_grace_ms));
  // Streams whose jobs just ended still write their last events; give them the grace time too.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(impl_->options.shutdown_grace_ms);
  while (impl_->ctx.open_streams > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  impl_->http.stop();
}

const std::string& Server::model_id() const { return impl_->ctx.model_id; }

int64_t Server::context() const { return impl_->engine.context(); }

namespace {

int stop_pipe[2] = {-1, -1};  // the signal handler writes a byte; the waiter thread reads it

extern "C" void serve_on_stop_signal(int signal) {
  const char byte = static_cast<char>(signal);
  (void)!::write(stop_pipe[1], &byte, 1);  // async-signal-safe
}

}  // namespace

void run_until_signal(const ServerOptions& options) {
  // A handler rather than a blocked mask: threads started before main (OpenBLAS) would not block the
  // signals and take the default action. Whichever thread gets the signal, the handler only writes a byte.
  HRM_CHECK(::pipe(stop_pipe) == 0, "cannot create the shutdown pipe");
  struct sigaction action {};
  action.sa_handler = serve_on_stop_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  ::signal(SIGPIPE, SIG_IGN);  // a client that vanishes mid-write is an error return, not a signal
  Server server(options);
  const int port = server.bind();
  spdlog::info("hrm-serve: model '{}' on http://{}:{}/v1 ({} slots, context {})", server.model_id(), options.host, port,
               options.engine.parallel, server.context());
  std::atomic<bool> signalled{false};
  std::thread waiter([&] {
    char byte = 0;
    while (::read(stop_pipe[0], &byte, 1) < 0 && errno == EINTR) {}
    const int signal = byte;
    signalled = true;
    spdlog::info("hrm-serve: {} received, stopping (running requests may finish for {} ms)",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT", options.shutdown_grace_ms);
    server.stop();
  });
  server.run();
  if (!signalled) serve_on_stop_signal(0);  // run() ended on its own (listen failed): release the waiter
  waiter.join();
}

}  // namespace hrm::serve
