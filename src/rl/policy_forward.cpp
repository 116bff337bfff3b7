#include "hrm/rl/policy_forward.hpp"

#include "hrm/rl/gspo.hpp"
#include "hrm/tokenizer/special_tokens.hpp"
#include "hrm/util/error.hpp"

namespace hrm::rl {

SequenceBatch make_sequence_batch(const std::vector<std::vector<int32_t>>& prompts,
                                  const std::vector<std::vector<int32_t>>& responses, int64_t seq_len) {
  HRM_CHECK(prompts.size() == responses.size() && !prompts.empty(), "make_sequence_batch: one response per prompt");
  const auto b = static_cast<int64_t>(prompts.size());
  auto inputs = torch::full({b, seq_len}, tok::kPadId, torch::kLong);
  auto targets = torch::full({b, seq_len}, tok::kPadId, torch::kLong);
  auto mask = torch::zeros({b, seq_len}, torch::kFloat32);
  auto prefix = torch::zeros({b}, torch::kLong);
  auto in = inputs.accessor<int64_t, 2>();
  auto tg = targets.accessor<int64_t, 2>();
  auto mk = mask.accessor<float, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = prompts[static_cast<size_t>(i)];
    const auto& r = responses[static_cast<size_t>(i)];
    const auto total = static_cast<int64_t>(p.size() + r.size());
    HRM_CHECK(!p.empty() && !r.empty(),
              "make_sequence_batch: row " + std::to_string(i) + " has an empty prompt or response");
    HRM_CHECK(total <= seq_len, "make_sequence_batch: row " + std::to_string(i) + " has " + std::to_string(total) +
                                    " tokens, more than the model's seq_len " + std::to_string(seq_len));
    for (int64_t t = 0; t < total; ++t) {
      const auto idx = static_cast<size_t>(t);
      in[i][t] = idx < p.size() ? p[idx] : r[idx - p.size()];
    }
    // Position t predicts token t+1: the response tokens are predicted from positions |p|-1 .. total-2.
    for (int64_t t = 0; t + 1 < total; ++t) tg[i][t] = in[i][t + 1];
    for (int64_t t = static_cast<int64_t>(p.size()) - 1; t + 1 < total; ++t) mk[i][t] = 1.0f;
    prefix[i] = static_cast<int64_t>(p.size());
  }
  return {inputs, targets, mask, prefix};
}

SequenceBatch select_rows(const SequenceBatch& batch, const torch::Tensor& rows) {
  return {batch.inputs.index_select(0, rows), batch.targets.index_select(0, rows), batch.mask.index_select(0, rows),
          batch.prefix_lens.index_select(0, rows)};
}

PolicyOutput policy_forward(HRMInnerImpl& model, const SequenceBatch& batch, int64_t segments) {
  HRM_CHECK(segments >= 1, "policy_forward needs at least one ACT segment");
  const auto device = model.embed.device();
  Batch b{batch.inputs.to(device), torch::full_like(batch.inputs, kIgnoreLabel).to(device),
          torch::zeros({batch.inputs.size(0)}, torch::kLong).to(device), batch.prefix_lens.to(device)};
  const auto all = torch::ones({b.size()}, torch::TensorOptions().dtype(torch::kBool).device(device));
  InnerCarry carry = model.reset_carry(all, model.empty_carry(b.size()), b);
  for (int64_t s = 0; s + 1 < segments; ++s) {
    torch::NoGradGuard no_grad;
    carry = model.forward(carry, b, LogitPositions::kNone).carry;
  }
  auto out = model.forward(carry, b);
  PolicyOutput p;
  p.logp = token_log_probs(out.logits, batch.targets.to(device));
  p.q_halt = out.q_halt;
  p.q_continue = out.q_continue;
  return p;
}

}  // namespace hrm::rl
