// The `hrm:<checkpoint>` model backend of hrm-eval: replies from a local text checkpoint
// (hrm/infer/text_model.hpp), all n samples of a request in one batched generate call (one prefill).
//
//   hrm:<dir>                           ACT segments: the config's halt_max_steps for every token
//   hrm:<dir>?act=adaptive              the Q head picks 1..halt_max_steps segments per problem
//   hrm:<dir>?segments=4&dtype=float32  fixed segments; compute dtype float32 or bfloat16
//
// Request mapping: messages -> the chat template; temperature, top_p, max_tokens (max new tokens),
// stop; sample i of a request {sample = s} draws from seed (default 0) + s + i, so splitting a
// request into several calls gives the same replies. A prompt that does not fit the model's context
// is answered with empty replies (logged), so a benchmark run goes on.
#pragma once
#include <memory>
#include <string>

#include "hrm/eval/model_backend.hpp"

namespace hrm::backend {

// Adds the "hrm" scheme to hrm::eval::make_backend (idempotent).
void register_hrm_backend();
// The backend for the argument after "hrm:".
std::unique_ptr<eval::ModelBackend> make_hrm_backend(const std::string& argument);

}  // namespace hrm::backend
