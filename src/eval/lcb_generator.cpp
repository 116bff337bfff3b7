// Sampling for LiveCodeBench runs (see lcb_generator.hpp): every scenario asks the backend the same
// way, so the request and the reply-count check live here once.
#include "lcb_generator.hpp"

#include <utility>

#include "hrm/util/error.hpp"

namespace hrm::eval::lcb::detail {
namespace {

// The generation parameters LiveCodeBench uses, from the options.
GenerationParams params_of(const RunOptions& o, int n) {
  GenerationParams p;
  p.temperature = o.temperature;
  p.top_p = o.top_p;
  p.max_tokens = o.max_tokens;
  p.seed = o.seed;
  p.n = n;
  return p;
}

}  // namespace

std::vector<std::string> Generator::generate(const std::string& task, int attempt, int sample,
                                             std::vector<ChatMessage> messages, int n) {
  GenerationRequest req;
  req.id = {"livecodebench", task, attempt, sample};
  req.messages = std::move(messages);
  req.params = params_of(options_, n);
  std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
  if (!backend_->thread_safe()) lock.lock();
  auto replies = backend_->generate(req);
  if (static_cast<int>(replies.size()) != n) {
    throw Error("backend " + backend_->name() + " returned " + std::to_string(replies.size()) + " replies for " +
                req.id.str() + ", expected " + std::to_string(n));
  }
  return replies;
}

}  // namespace hrm::eval::lcb::detail
