// A tiny prefix-LM policy for update-level tests (no tokenizer: ids are arbitrary below vocab_size).
#pragma once
#include "../model/test_helpers.hpp"
#include "hrm/model/config.hpp"

namespace hrm::rl::testing {

inline ModelConfig tiny_config(int64_t halt_max_steps = 1) {
  ModelConfig mc = hrm::testing::small_config(40, 12, AttentionMode::kPrefixLM, /*hidden_size=*/16, /*num_heads=*/2);
  mc.H_cycles = mc.L_cycles = 1;
  mc.halt_max_steps = halt_max_steps;
  return mc;
}

}  // namespace hrm::rl::testing
