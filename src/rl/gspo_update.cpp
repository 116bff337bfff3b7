#include "hrm/rl/gspo_update.hpp"

#include <algorithm>

#include "hrm/model/module_optimizer.hpp"
#include "hrm/rl/gspo.hpp"
#include "hrm/rl/rft.hpp"

namespace hrm::rl {

PolicyUpdater::PolicyUpdater(const GspoStageConfig& c, HRMInnerImpl& model, int64_t segments)
    : c_(c), model_(model), segments_(segments) {
  optimizer_ = make_module_optimizer(model, {c.optimizer, c.lr, c.weight_decay, 0.9, 0.95, c.lr_mult_H, c.lr_mult_L,
                                             c.lr_mult_heads, c.lr_mult_embed})
                   .optimizer;
  if (c.module_clip.any()) module_params_ = module_params(*optimizer_, model);
}

PolicyUpdater::Plan PolicyUpdater::plan(const JudgedBatch& j) const {
  Plan p;
  torch::Tensor group_signal, kept;
  if (c_.objective == "rft") {
    const auto sel = rft_select(j.rewards, j.passed, c_.group_size);
    p.row_weight = sel.selected.to(torch::kFloat32);
    p.zero_signal_groups = sel.zero_signal_groups;
    group_signal = sel.has_signal;
    // Without the ACT term only the selected rows have a loss. With it the failing rows of the same
    // groups train the halting target too (as in GSPO's kept groups), with weight 0 in the NLL.
    if (c_.act_weight == 0) kept = sel.selected;
  } else {
    const auto adv = group_advantages(j.rewards, c_.group_size, c_.gspo);
    p.row_weight = adv.advantages;
    p.zero_signal_groups = adv.zero_signal_groups;
    group_signal = adv.has_signal;
  }
  if (!kept.defined()) kept = group_signal.repeat_interleave(c_.group_size);
  p.groups = group_signal.size(0);
  const auto keep = kept.accessor<bool, 1>();
  for (int64_t i = 0; i < kept.size(0); ++i) {
    if (keep[i]) p.rows.push_back(i);
  }
  return p;
}

torch::Tensor PolicyUpdater::group_signal(const torch::Tensor& rewards, const torch::Tensor& passed) const {
  if (c_.objective == "rft") return rft_select(rewards, passed, c_.group_size).has_signal;
  return group_advantages(rewards, c_.group_size, c_.gspo).has_signal;
}

UpdateStats PolicyUpdater::update(const JudgedBatch& j, std::mt19937_64& rng) {
  auto p = plan(j);
  UpdateStats st;
  st.zero_signal_groups = p.zero_signal_groups;
  st.groups = p.groups;
  if (p.rows.empty()) return st;
  std::shuffle(p.rows.begin(), p.rows.end(), rng);
  const int64_t chunks = std::min<int64_t>(c_.minibatches, static_cast<int64_t>(p.rows.size()));
  for (int64_t k = 0; k < chunks; ++k) {
    std::vector<int64_t> rows;
    for (size_t i = static_cast<size_t>(k); i < p.rows.size(); i += static_cast<size_t>(chunks))
      rows.push_back(p.rows[i]);
    const auto idx = torch::tensor(rows, torch::kLong);
    const auto sub = select_rows(j.batch, idx);
    const auto logp_ref = j.logp_ref.defined() ? j.logp_ref.index_select(0, idx) : torch::Tensor();
    model_.train();
    const auto out = policy_forward(model_, sub, segments_);
    const auto logp_old = j.logp_old.index_select(0, idx);
    const auto weight = p.row_weight.index_select(0, idx);
    torch::Tensor loss;
    if (c_.objective == "rft") {
      const auto l = rft_loss(out.logp, logp_old, sub.mask, weight, c_.gspo.kl_coef, logp_ref);
      loss = l.loss;
      st.mean_abs_log_ratio += l.mean_abs_log_ratio;
      st.kl += l.kl;
    } else {
      const auto l = gspo_loss(out.logp, logp_old, sub.mask, weight, c_.gspo, logp_ref);
      loss = l.loss;
      st.clip_fraction += l.clip_fraction;
      st.mean_abs_log_ratio += l.mean_abs_log_ratio;
      st.kl += l.kl;
    }
    if (c_.act_weight > 0) {
      loss = loss + c_.act_weight * torch::binary_cross_entropy_with_logits(out.q_halt, j.passed.index_select(0, idx));
    }
    optimizer_->zero_grad();
    loss.backward();
    // Per-module limits first: a module spiking alone is brought back before the global norm is taken.
    if (c_.module_clip.any()) clip_module_grad_norms(module_params_, c_.module_clip);
    if (c_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(model_.parameters(), c_.grad_clip);
    optimizer_->step();
    st.loss += loss.item<double>();
  }
  const auto n = static_cast<double>(chunks);
  st.clip_fraction /= n;
  st.mean_abs_log_ratio /= n;
  st.kl /= n;
  st.loss /= n;
  return st;
}

}  // namespace hrm::rl
