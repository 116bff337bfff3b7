#include "hrm/rl/policy_forward.hpp"

#include <map>

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
  return {inputs, targets, mask, prefix, {}};
}

namespace {

torch::Tensor rows_of(const torch::Tensor& t, const torch::Tensor& rows) {
  return t.defined() ? t.index_select(0, rows) : t;
}

torch::Tensor cat_rows(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return torch::cat({a, b}, 0);
}

// All rows with the same number of segments.
PolicyOutput forward_uniform(HRMInnerImpl& model, const SequenceBatch& batch, int64_t segments,
                             const SamplingDistribution& distribution, bool next_q) {
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
  p.logp = token_log_probs(out.logits, batch.targets.to(device), distribution.temperature, distribution.vocab);
  p.q_halt = out.q_halt;
  p.q_continue = out.q_continue;
  if (next_q) {
    torch::NoGradGuard no_grad;
    const auto next = model.forward(out.carry, b, LogitPositions::kNone);
    p.next_q_halt = next.q_halt.detach();
    p.next_q_continue = next.q_continue.detach();
  }
  return p;
}

}  // namespace

SequenceBatch select_rows(const SequenceBatch& batch, const torch::Tensor& rows) {
  return {batch.inputs.index_select(0, rows), batch.targets.index_select(0, rows), batch.mask.index_select(0, rows),
          batch.prefix_lens.index_select(0, rows), rows_of(batch.segments, rows)};
}

SequenceBatch concat_rows(const SequenceBatch& a, const SequenceBatch& b) {
  HRM_CHECK(!a.inputs.defined() || !b.inputs.defined() || a.segments.defined() == b.segments.defined(),
            "concat_rows: one batch has per-row segments, the other not");
  return {cat_rows(a.inputs, b.inputs), cat_rows(a.targets, b.targets), cat_rows(a.mask, b.mask),
          cat_rows(a.prefix_lens, b.prefix_lens), cat_rows(a.segments, b.segments)};
}

PolicyOutput policy_forward(HRMInnerImpl& model, const SequenceBatch& batch, int64_t segments,
                            const SamplingDistribution& distribution, bool next_q) {
  if (!batch.segments.defined()) return forward_uniform(model, batch, segments, distribution, next_q);
  // Rows that halted after different numbers of segments: one forward per count, put back in row order.
  std::map<int64_t, std::vector<int64_t>> rows_by_count;
  const auto counts = batch.segments.to(torch::kLong).contiguous();
  for (int64_t i = 0; i < counts.size(0); ++i) rows_by_count[counts[i].item<int64_t>()].push_back(i);
  if (rows_by_count.size() == 1) {
    return forward_uniform(model, batch, rows_by_count.begin()->first, distribution, next_q);
  }
  std::vector<torch::Tensor> order;
  std::vector<PolicyOutput> parts;
  for (const auto& [count, rows] : rows_by_count) {
    const auto idx = torch::tensor(rows, torch::kLong);
    parts.push_back(forward_uniform(model, select_rows(batch, idx), count, distribution, next_q));
    order.push_back(idx);
  }
  // inverse[row] = its position in the concatenation of the parts.
  const auto inverse = torch::argsort(torch::cat(order)).to(model.embed.device());
  const auto gather = [&](torch::Tensor PolicyOutput::*field) {
    std::vector<torch::Tensor> pieces;
    for (const auto& p : parts) pieces.push_back(p.*field);
    return torch::cat(pieces, 0).index_select(0, inverse);
  };
  PolicyOutput out;
  out.logp = gather(&PolicyOutput::logp);
  out.q_halt = gather(&PolicyOutput::q_halt);
  out.q_continue = gather(&PolicyOutput::q_continue);
  if (next_q) {
    out.next_q_halt = gather(&PolicyOutput::next_q_halt);
    out.next_q_continue = gather(&PolicyOutput::next_q_continue);
  }
  return out;
}

}  // namespace hrm::rl
