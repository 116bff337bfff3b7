#include "hrm/model/hrm.hpp"

#include "hrm/model/fake_quant.hpp"
#include "hrm/model/init.hpp"

#include <optional>

namespace hrm {
namespace {

// For the length of one HRMInner::forward: the H/L linear weights cast to the forward dtype once, for the
// no-grad module calls (the schedule's first module_calls - bp_steps calls and the whole target-Q forward),
// which otherwise cast every weight again on every call. Same values as the per-call cast; cleared on exit.
class CastWeightScope {
 public:
  CastWeightScope(std::initializer_list<torch::nn::Module*> modules, torch::ScalarType dtype) {
    torch::NoGradGuard no_grad;
    for (auto* module : modules) {
      for (const auto& m : module->modules()) {
        auto* linear = dynamic_cast<CastedLinearImpl*>(m.get());
        if (linear == nullptr || linear->weight.scalar_type() == dtype) continue;
        linear->set_cast_weight(linear->effective_weight().to(dtype));
        linears_.push_back(linear);
      }
    }
  }
  ~CastWeightScope() {
    for (auto* linear : linears_) linear->set_cast_weight({});
  }
  CastWeightScope(const CastWeightScope&) = delete;
  CastWeightScope& operator=(const CastWeightScope&) = delete;

 private:
  std::vector<CastedLinearImpl*> linears_;
};

}  // namespace

HRMInnerImpl::HRMInnerImpl(const ModelConfig& c)
    : config_(c),
      dtype_(c.forward_dtype == "bfloat16" ? torch::kBFloat16 : torch::kFloat32),
      embed_scale_(std::sqrt(static_cast<double>(c.hidden_size))) {
  const double embed_std = 1.0 / embed_scale_;
  embed = register_parameter("embed", torch::empty({c.vocab_size, c.hidden_size}));
  trunc_normal_(embed, embed_std);
  lm_head = register_module("lm_head", CastedLinear(c.hidden_size, c.vocab_size, false));
  q_head = register_module("q_head", CastedLinear(c.hidden_size, c.has_q_continue() ? 2 : 1, true));
  {
    // Q starts near "never halt" (sigmoid(-5)) so bootstrapping is stable, as in the reference.
    torch::NoGradGuard no_grad;
    q_head->weight.zero_();
    q_head->bias.fill_(-5.0);
  }
  if (c.puzzle_emb_ndim > 0) {
    puzzle_emb = register_parameter("puzzle_emb", torch::zeros({c.num_puzzle_identifiers, c.puzzle_emb_ndim}));
  }
  if (c.pos_encodings == PosEncoding::kLearned) {
    embed_pos = register_parameter("embed_pos", torch::empty({c.total_seq_len(), c.hidden_size}));
    trunc_normal_(embed_pos, embed_std);
  }
  if (c.architecture == Architecture::kHRM) H = register_module("H", ReasoningModule(c, c.H_layers));
  L = register_module("L", ReasoningModule(c, c.L_layers));
  H_init = register_buffer("H_init", torch::empty({c.hidden_size}));
  L_init = register_buffer("L_init", torch::empty({c.hidden_size}));
  trunc_normal_(H_init, 1.0);
  trunc_normal_(L_init, 1.0);
  auto tables = rope_tables(c.total_seq_len(), c.head_dim(), c.rope_theta);
  rope_cos = register_buffer("rope_cos", tables.first);
  rope_sin = register_buffer("rope_sin", tables.second);
}

torch::Tensor HRMInnerImpl::embedding_table() {
  const auto& q = config_.quantization;
  const auto type = q.enabled ? q.weights.type_of("embed") : std::nullopt;
  if (!type) return embed.to(dtype_);
  embed_fake_quant_ = QuantizedBlocks::quantize(embed, *type, q.weights.group_size);
  return straight_through(embed, embed_fake_quant_.dequantize().to(embed.device())).to(dtype_);
}

void HRMInnerImpl::refresh_fake_quant() {
  const auto& q = config_.quantization;
  if (!q.enabled) return;
  for (const auto& item : named_modules()) {
    auto* linear = dynamic_cast<CastedLinearImpl*>(item.value().get());
    const auto type = q.weights.type_of(item.key() + ".weight");
    if (linear == nullptr || !type) continue;
    linear->set_fake_quant(QuantizedBlocks::quantize(linear->weight, *type, q.weights.group_size), q.int8_activations);
  }
}

torch::Tensor HRMInnerImpl::input_embeddings(const Batch& batch) {
  auto emb = torch::nn::functional::embedding(batch.inputs, embedding_table());
  if (config_.puzzle_emb_ndim > 0) {
    // A sparse gradient: backward touches only the batch's rows of the (possibly huge) table (sign_sgd.hpp).
    namespace F = torch::nn::functional;
    auto pe = F::embedding(batch.puzzle_ids, puzzle_emb, F::EmbeddingFuncOptions().sparse(true)).to(dtype_);
    const auto pad = config_.puzzle_emb_len() * config_.hidden_size - config_.puzzle_emb_ndim;
    if (pad > 0) pe = torch::constant_pad_nd(pe, {0, pad});
    emb = torch::cat({pe.view({-1, config_.puzzle_emb_len(), config_.hidden_size}), emb}, 1);
  }
  return scale_embeddings(emb, config_.pos_encodings == PosEncoding::kLearned ? embed_pos.to(dtype_) : torch::Tensor());
}

torch::Tensor HRMInnerImpl::token_embeddings(const torch::Tensor& tokens, const torch::Tensor& positions) {
  TORCH_CHECK(config_.puzzle_emb_ndim == 0, "token_embeddings: models with a task embedding need input_embeddings");
  const auto emb = torch::nn::functional::embedding(tokens, embedding_table());
  if (config_.pos_encodings != PosEncoding::kLearned) return scale_embeddings(emb, {});
  return scale_embeddings(emb, torch::nn::functional::embedding(positions, embed_pos.to(dtype_)));
}

torch::Tensor HRMInnerImpl::scale_embeddings(torch::Tensor emb, const torch::Tensor& position_emb) {
  if (position_emb.defined()) emb = 0.707106781 * (emb + position_emb);  // 1/sqrt(2) keeps the forward variance
  return embed_scale_ * emb;
}

AttentionContext HRMInnerImpl::attention_context(const Batch& batch) {
  AttentionContext ctx;
  if (config_.pos_encodings == PosEncoding::kRope) {
    ctx.cos = rope_cos;
    ctx.sin = rope_sin;
  } else {
    // Learned positions: identity rotation.
    ctx.cos = torch::ones_like(rope_cos);
    ctx.sin = torch::zeros_like(rope_sin);
  }
  const auto s = config_.total_seq_len();
  if (config_.attention == AttentionMode::kCausal) {
    ctx.is_causal = true;
  } else if (config_.attention == AttentionMode::kPrefixLM) {
    TORCH_CHECK(batch.prefix_lens.defined(), "prefix_lm attention needs Batch::prefix_lens");
    const auto pos = torch::arange(s, torch::TensorOptions().dtype(torch::kLong).device(batch.inputs.device()));
    const auto causal = pos.view({1, s}) <= pos.view({s, 1});  // [S, S] key <= query
    const auto prefix = (batch.prefix_lens + config_.puzzle_emb_len()).view({-1, 1, 1});
    const auto in_prefix = pos.view({1, 1, s}) < prefix;        // [B, 1, S] key in prompt
    ctx.mask = (causal.unsqueeze(0) | in_prefix).unsqueeze(1);  // [B, 1, S, S]
  }
  return ctx;
}

InnerCarry HRMInnerImpl::empty_carry(int64_t batch_size) {
  const auto opts = torch::TensorOptions().dtype(dtype_).device(embed.device());
  return {torch::zeros({batch_size, config_.total_seq_len(), config_.hidden_size}, opts),
          torch::zeros({batch_size, config_.total_seq_len(), config_.hidden_size}, opts)};
}

InnerCarry HRMInnerImpl::start_state(const torch::Tensor& x) {
  const auto shape = x.sizes();
  return {config_.z_H_init == ZHInit::kEmbedding ? x : H_init.to(dtype_).expand(shape),
          L_init.to(dtype_).expand(shape)};
}

InnerCarry HRMInnerImpl::reset_carry(const torch::Tensor& reset, const InnerCarry& carry, const Batch& batch) {
  torch::NoGradGuard no_grad;
  const auto flag = reset.view({-1, 1, 1});
  const auto fresh = start_state(config_.z_H_init == ZHInit::kEmbedding ? input_embeddings(batch) : carry.z_H);
  return {torch::where(flag, fresh.z_H, carry.z_H), torch::where(flag, fresh.z_L, carry.z_L)};
}

torch::Tensor HRMInnerImpl::q_positions(const Batch& batch) const {
  const auto b = batch.size();
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(batch.inputs.device());
  switch (config_.attention) {
    case AttentionMode::kBidirectional:
      return torch::zeros({b}, opts);
    case AttentionMode::kCausal: {
      // The last prompt token when the batch has prompts (SFT: the halting decision is made before the
      // response, as the decoder makes it), else the last position (packed pretraining).
      const auto last = torch::full({b}, config_.total_seq_len() - 1, opts);
      if (!batch.prefix_lens.defined()) return last;
      return torch::where(batch.prefix_lens > 0, batch.prefix_lens + config_.puzzle_emb_len() - 1, last);
    }
    case AttentionMode::kPrefixLM:
      return (batch.prefix_lens + config_.puzzle_emb_len() - 1).clamp_min(0);
  }
  return torch::zeros({b}, opts);
}

InnerOutput HRMInnerImpl::forward(const InnerCarry& carry, const Batch& batch, LogitPositions logits) {
  refresh_fake_quant();
  const auto ctx = attention_context(batch);
  const auto x = input_embeddings(batch);
  // Only the last bp_steps module calls keep autograd (with activation checkpointing, only their blocks'
  // inputs: every other call already keeps nothing).
  const int64_t calls = config_.module_calls();
  const bool grad_enabled = torch::GradMode::is_enabled();
  std::optional<CastWeightScope> cast_weights;
  if (!grad_enabled || calls > config_.bp_steps) {
    cast_weights.emplace(H ? std::initializer_list<torch::nn::Module*>{H.get(), L.get()}
                           : std::initializer_list<torch::nn::Module*>{L.get()},
                         dtype_);
  }
  const auto z = run_schedule(
      carry, x,
      [&](int64_t call, ReasoningModuleImpl& module, const torch::Tensor& state, const torch::Tensor& injection) {
        torch::AutoGradMode grad_mode(call >= calls - config_.bp_steps && grad_enabled);
        return module.forward(state, injection, ctx, config_.activation_checkpointing);
      });
  const auto& z_H = z.z_H;
  InnerOutput out;
  out.carry = {z_H.detach(), z.z_L.detach()};
  const auto z_tokens = z_H.narrow(1, config_.puzzle_emb_len(), config_.seq_len);
  if (logits == LogitPositions::kAll) {
    out.logits = lm_head(z_tokens);
  } else if (logits == LogitPositions::kLabelled) {
    out.logit_index = (batch.labels.reshape({-1}) != kIgnoreLabel).nonzero().squeeze(-1);
    out.logits = lm_head(z_tokens.reshape({-1, config_.hidden_size}).index_select(0, out.logit_index));
  }
  const auto rows = torch::arange(batch.size(), torch::TensorOptions().dtype(torch::kLong).device(z_H.device()));
  std::tie(out.q_halt, out.q_continue) = q_values(z_H.index({rows, q_positions(batch)}));
  return out;
}

std::pair<torch::Tensor, torch::Tensor> HRMInnerImpl::q_values(const torch::Tensor& z) {
  const auto q = q_head(z).to(torch::kFloat32);
  const auto q_halt = q.select(-1, 0);
  // TRM's single halting logit: a constant 0 continue logit turns "q_halt > q_continue" into q_halt > 0.
  return {q_halt, config_.has_q_continue() ? q.select(-1, 1) : torch::zeros_like(q_halt)};
}

InnerCarry HRMInnerImpl::run_schedule(const InnerCarry& carry, const torch::Tensor& x, const ModuleCallFn& call) {
  if (config_.architecture == Architecture::kLOnly || config_.architecture == Architecture::kTransformer) {
    // One state, refined by the L module with the input injected on every call (a transformer: one call);
    // it is both the output (z_H) and the recurrent state (z_L).
    auto z = carry.z_L;
    for (int64_t index = 0; index < config_.module_calls(); ++index) z = call(index, *L, z, x);
    return {z, z};
  }
  // HRM: z_L <- L(z_L, z_H + x) L_cycles times, then z_H <- H(z_H, z_L). TRM is the same schedule with one
  // network: z <- net(x + y + z) n times, then y <- net(y + z).
  auto& high = H ? *H : *L;
  auto z_H = carry.z_H, z_L = carry.z_L;
  int64_t index = 0;
  for (int64_t h = 0; h < config_.H_cycles; ++h) {
    for (int64_t l = 0; l <= config_.L_cycles; ++l, ++index) {
      if (l < config_.L_cycles) {
        z_L = call(index, *L, z_L, z_H + x);
      } else {
        z_H = call(index, high, z_H, z_L);
      }
    }
  }
  return {z_H, z_L};
}

void HRMInnerImpl::set_bp_steps(int64_t bp_steps) {
  TORCH_CHECK(bp_steps >= 1 && bp_steps <= config_.module_calls(), "bp_steps out of range");
  config_.bp_steps = bp_steps;
}

int64_t count_parameters(torch::nn::Module& module) {
  int64_t n = 0;
  for (const auto& p : module.parameters()) n += p.numel();
  return n;
}

}  // namespace hrm
