#include "hrm/train/code_eval.hpp"

#include <memory>
#include <mutex>

namespace hrm {
namespace {

std::mutex& evaluator_mutex() {
  static std::mutex m;
  return m;
}

std::unique_ptr<CodeEvaluator>& evaluator() {
  static std::unique_ptr<CodeEvaluator> e;
  return e;
}

}  // namespace

void register_code_evaluator(CodeEvaluator e) {
  std::lock_guard<std::mutex> lock(evaluator_mutex());
  evaluator() = std::make_unique<CodeEvaluator>(std::move(e));
}

const CodeEvaluator* code_evaluator() {
  std::lock_guard<std::mutex> lock(evaluator_mutex());
  return evaluator().get();
}

}  // namespace hrm
