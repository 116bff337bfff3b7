// A tiny prefix-LM policy for update-level tests (no tokenizer: ids are arbitrary below vocab_size).
#pragma once
#include "hrm/model/config.hpp"

namespace hrm::rl::testing {

inline ModelConfig tiny_config(int64_t halt_max_steps = 1) {
  ModelConfig mc;
  mc.vocab_size = 40;
  mc.seq_len = 12;
  mc.hidden_size = 16;
  mc.num_heads = 2;
  mc.expansion = 2.0;
  mc.H_layers = mc.L_layers = 1;
  mc.H_cycles = mc.L_cycles = 1;
  mc.halt_max_steps = halt_max_steps;
  mc.attention = AttentionMode::kPrefixLM;
  mc.forward_dtype = "float32";
  return mc;
}

}  // namespace hrm::rl::testing
