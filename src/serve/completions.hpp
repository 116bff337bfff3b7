// The completion endpoints of hrm-serve: a checked request becomes a Job of the engine, answered
// whole or as server-sent events (private to the serve module).
#pragma once
#include <httplib.h>

#include <atomic>
#include <string>

#include "hrm/serve/server.hpp"

namespace hrm::serve {

struct ServeContext {
  BatchEngine& engine;
  const ServerOptions& options;
  std::string model_id;
  std::atomic<int64_t> open_streams{0};  // streamed responses still being written
};

// POST /v1/chat/completions (chat) and /v1/completions. Throws ApiError for the client's mistakes and
// when the queue is full (503).
void answer_completion(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, bool chat);

}  // namespace hrm::serve
