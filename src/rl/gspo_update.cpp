#include "hrm/rl/gspo_update.hpp"

#include <algorithm>

#include "hrm/model/module_optimizer.hpp"
#include "hrm/rl/gspo.hpp"
#include "hrm/rl/rft.hpp"

namespace hrm::rl {

PolicyUpdater::PolicyUpdater(const GspoStageConfig& c, HRMInnerImpl& model, int64_t segments, int64_t vocab)
    : c_(c), model_(model), segments_(segments), distribution_{c.temperature, vocab} {
  optimizer_ = make_module_optimizer(model, {c.optimizer, c.lr, c.weight_decay, 0.9, 0.95, c.lr_mult_H, c.lr_mult_L,
                                             c.lr_mult_heads, c.lr_mult_embed})
                   .optimizer;
  if (c.module_clip.any()) module_params_ = module_params(*optimizer_, model);
}

PolicyUpdater::Plan PolicyUpdater::plan(const JudgedBatch& j) const {
  Plan p;
  torch::Tensor group_signal;
  if (c_.objective == "rft") {
    const auto sel = rft_select(j.rewards, j.passed, c_.group_size);
    p.row_weight = sel.selected.to(torch::kFloat32);
    p.zero_signal_groups = sel.zero_signal_groups;
    group_signal = sel.has_signal;
    // Only the selected rows have an NLL; the other rows of their groups have weight 0 in it.
    p.objective = sel.selected;
  } else {
    const auto adv = group_advantages(j.rewards, c_.group_size, c_.gspo);
    p.row_weight = adv.advantages;
    p.zero_signal_groups = adv.zero_signal_groups;
    group_signal = adv.has_signal;
    p.objective = group_signal.repeat_interleave(c_.group_size);
  }
  p.groups = group_signal.size(0);
  // The ACT term learns from every row, passing or not, in groups with and without signal: a head trained
  // on mixed groups only would see a pass rate pulled towards 1/2.
  const auto kept = c_.act_weight > 0 ? torch::ones_like(p.objective) : p.objective;
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

// log pi_prox: the current weights' log-probs of `rows`, in one no-grad forward, where a row was sampled
// at an older version; rows sampled at this version keep their log pi_behav (the same numbers).
torch::Tensor PolicyUpdater::proximal_log_probs(const JudgedBatch& j, const std::vector<int64_t>& rows) {
  if (!j.sampled_at.defined() || !c_.gspo.decoupled) return j.logp_old;
  const auto idx = torch::tensor(rows, torch::kLong);
  if ((j.sampled_at.index_select(0, idx) == version_).all().item<bool>()) return j.logp_old;
  torch::NoGradGuard no_grad;
  model_.train();
  const auto logp = policy_forward(model_, select_rows(j.batch, idx), segments_, distribution_).logp;
  return j.logp_old.index_copy(0, idx, logp.to(j.logp_old.device()));
}

torch::Tensor PolicyUpdater::act_loss(const PolicyOutput& out, const SequenceBatch& sub, const torch::Tensor& passed,
                                      MinibatchLoss& stats) const {
  const auto device = out.q_halt.device();
  const auto k = sub.segments.defined() ? sub.segments.to(device).to(torch::kFloat32)
                                        : torch::full_like(out.q_halt, static_cast<double>(segments_));
  const auto halt_target = (passed.to(device) - c_.reward.segment_cost * k).clamp(0, 1);
  const auto q_halt_loss = torch::binary_cross_entropy_with_logits(out.q_halt, halt_target);
  // Continuing from k is worth what the best choice after k+1 segments is worth (halting is forced there
  // when k+1 is the maximum); rows already at the maximum cannot continue.
  const auto last = static_cast<double>(segments_);
  const auto next_value =
      torch::where(k + 1 >= last, out.next_q_halt, torch::max(out.next_q_halt, out.next_q_continue));
  const auto can_continue = (k < last).to(torch::kFloat32);
  const auto per_row =
      torch::binary_cross_entropy_with_logits(out.q_continue, torch::sigmoid(next_value), {}, {}, at::Reduction::None);
  const auto q_continue_loss = (per_row * can_continue).sum() / can_continue.sum().clamp_min(1);
  stats.q_halt_loss = q_halt_loss.item<double>();
  stats.q_continue_loss = q_continue_loss.item<double>();
  return c_.act_weight * (q_halt_loss + q_continue_loss);
}

PolicyUpdater::MinibatchLoss PolicyUpdater::minibatch_loss(const JudgedBatch& j, const Plan& p,
                                                           const torch::Tensor& logp_prox,
                                                           const torch::Tensor& weight_behav,
                                                           const torch::Tensor& idx) {
  MinibatchLoss m;
  const bool act = c_.act_weight > 0;
  const auto sub = select_rows(j.batch, idx);
  model_.train();
  const auto out = policy_forward(model_, sub, segments_, distribution_, /*next_q=*/act);
  const auto device = out.logp.device();
  m.loss = torch::zeros({}, out.logp.options());
  // The objective's rows of this minibatch (all of them without the ACT term).
  const auto on = p.objective.index_select(0, idx).nonzero().view({-1});
  if (on.numel() > 0) {
    const auto rows = idx.index_select(0, on);
    const auto logp = out.logp.index_select(0, on.to(device));
    const auto mask = sub.mask.index_select(0, on).to(device);
    const auto prox = logp_prox.index_select(0, rows).to(device);
    const auto weight = p.row_weight.index_select(0, rows).to(device);
    const auto ref = j.logp_ref.defined() ? j.logp_ref.index_select(0, rows).to(device) : torch::Tensor();
    if (c_.objective == "rft") {
      const auto l = rft_loss(logp, prox, mask, weight, c_.gspo.kl_coef, ref);
      m.loss = l.loss, m.mean_abs_log_ratio = l.mean_abs_log_ratio, m.kl = l.kl;
    } else {
      const auto l = gspo_loss(logp, prox, mask, weight, c_.gspo, ref, weight_behav.index_select(0, rows).to(device));
      m.loss = l.loss, m.clip_fraction = l.clip_fraction, m.mean_abs_log_ratio = l.mean_abs_log_ratio, m.kl = l.kl;
    }
  }
  if (act) m.loss = m.loss + act_loss(out, sub, j.passed.index_select(0, idx), m);
  return m;
}

void PolicyUpdater::optimizer_step(const torch::Tensor& loss) {
  optimizer_->zero_grad();
  loss.backward();
  // Per-module limits first: a module spiking alone is brought back before the global norm is taken.
  if (c_.module_clip.any()) clip_module_grad_norms(module_params_, c_.module_clip);
  if (c_.grad_clip > 0) torch::nn::utils::clip_grad_norm_(model_.parameters(), c_.grad_clip);
  optimizer_->step();
  ++version_;
}

UpdateStats PolicyUpdater::update(const JudgedBatch& j, std::mt19937_64& rng) {
  auto p = plan(j);
  UpdateStats st;
  st.zero_signal_groups = p.zero_signal_groups;
  st.groups = p.groups;
  if (p.rows.empty()) return st;
  const auto all_rows = torch::tensor(p.rows, torch::kLong);
  if (j.sampled_at.defined()) {
    st.staleness = (version_ - j.sampled_at.index_select(0, all_rows)).to(torch::kDouble).mean().item<double>();
  }
  const auto logp_prox = proximal_log_probs(j, p.rows);
  const auto weight_behav = behaviour_weights(logp_prox, j.logp_old, j.batch.mask, c_.gspo.behaviour_weight_cap);
  st.behaviour_weight = weight_behav.index_select(0, all_rows).mean().item<double>();
  std::shuffle(p.rows.begin(), p.rows.end(), rng);
  const int64_t chunks = std::min<int64_t>(c_.minibatches, static_cast<int64_t>(p.rows.size()));
  for (int64_t k = 0; k < chunks; ++k) {
    std::vector<int64_t> rows;
    for (size_t i = static_cast<size_t>(k); i < p.rows.size(); i += static_cast<size_t>(chunks))
      rows.push_back(p.rows[i]);
    const auto m = minibatch_loss(j, p, logp_prox, weight_behav, torch::tensor(rows, torch::kLong));
    optimizer_step(m.loss);
    st.loss += m.loss.item<double>();
    st.clip_fraction += m.clip_fraction, st.mean_abs_log_ratio += m.mean_abs_log_ratio, st.kl += m.kl;
    st.q_halt_loss += m.q_halt_loss, st.q_continue_loss += m.q_continue_loss;
  }
  const auto n = static_cast<double>(chunks);
  st.clip_fraction /= n, st.mean_abs_log_ratio /= n, st.kl /= n, st.loss /= n;
  st.q_halt_loss /= n, st.q_continue_loss /= n;
  return st;
}

}  // namespace hrm::rl
