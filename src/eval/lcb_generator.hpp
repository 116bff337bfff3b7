// Asking the model backend for LiveCodeBench samples with LCB's generation parameters, from many
// worker threads, serialised where the backend is not thread-safe. Internal to src/eval.
#pragma once
#include <mutex>
#include <string>
#include <vector>

#include "hrm/eval/lcb_run.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::eval::lcb::detail {

// Serialises generation for backends that are not thread-safe.
class Generator {
 public:
  Generator(ModelBackend* backend, const RunOptions& options) : backend_(backend), options_(options) {}
  // attempt 1: the first answer; attempt 2: self-repair of sample `sample`. Exactly `n` replies.
  std::vector<std::string> generate(const std::string& task, int attempt, int sample, std::vector<ChatMessage> messages,
                                    int n);

 private:
  ModelBackend* backend_;
  const RunOptions& options_;
  std::mutex mutex_;
};

}  // namespace hrm::eval::lcb::detail
