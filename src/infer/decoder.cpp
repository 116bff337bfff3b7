#include "hrm/infer/decoder.hpp"

#include <algorithm>

#include "hrm/infer/decode_attention.hpp"
#include "hrm/infer/gemv.hpp"
#include "hrm/infer/prompt_attention.hpp"
#include "hrm/model/safetensors.hpp"
#include "hrm/model/torch_compat.hpp"
#include "hrm/util/error.hpp"

namespace hrm::infer {

namespace {

// Prompts prefilled together hold their attention scores ([rows, heads, P, P]) at once; larger
// batches are prefilled in groups under this budget.
constexpr int64_t kPrefillScoreBudgetBytes = int64_t{256} << 20;

int64_t resolve_segments(const ActOptions& act, const ModelConfig& c) {
  const int64_t n = act.segments > 0 ? act.segments : c.halt_max_steps;
  HRM_CHECK(n >= 1, "ACT segments must be >= 1 (got " + std::to_string(n) + ")");
  return n;
}

c10::optional<torch::Tensor> optional_mask(const torch::Tensor& mask) {
  if (mask.defined()) return mask;
  return c10::nullopt;
}

}  // namespace

Decoder::Decoder(HRMInnerImpl& source, std::optional<torch::ScalarType> dtype) {
  auto c = source.config();
  HRM_CHECK(c.attention != AttentionMode::kBidirectional,
            "cannot decode incrementally with a bidirectional model (every new token would change every position)",
            "generation needs a model trained with attention: causal or prefix_lm");
  HRM_CHECK(c.puzzle_emb_ndim == 0,
            "incremental decoding does not support task embeddings (puzzle_emb_ndim = " +
                std::to_string(c.puzzle_emb_ndim) + ")",
            "use a text model config with puzzle_emb_ndim: 0");
  if (dtype) {
    HRM_CHECK(*dtype == torch::kFloat32 || *dtype == torch::kBFloat16, "decoder dtype must be float32 or bfloat16");
    c.forward_dtype = *dtype == torch::kBFloat16 ? "bfloat16" : "float32";
  }
  // Decoding runs the weights as they are: a quantized checkpoint's blocks through use_quantized, a
  // float one (a QAT run's too: `hrm quantize` exports it) in float, never quantize-then-dequantize per call.
  c.quantization = {};
  model_ = HRMInner(c);
  model_->to(source.embed.device());
  torch::NoGradGuard no_grad;
  const auto weights = module_tensors(source, HRMInnerImpl::is_derived_buffer);
  // Layers the source holds only as quantized blocks (load_checkpoint_weights with QuantizedLinears::kFree)
  // are freed here too: use_quantized installs their blocks.
  for (auto& p : model_->named_parameters()) {
    const auto it = weights.find(p.key());
    if (it != weights.end() && it->second.numel() == 0) p.value().set_data(torch::empty({0}, p.value().options()));
  }
  load_into_module(*model_, weights, "decoder weights", HRMInnerImpl::is_derived_buffer);
  // Cast once what the forward casts on every call (weights, H_init/L_init); RoPE tables stay fp32.
  const auto dt = model_->dtype();
  for (auto& p : model_->parameters()) {
    p.set_requires_grad(false);
    p.set_data(p.to(dt));
  }
  model_->H_init.set_data(model_->H_init.to(dt));
  model_->L_init.set_data(model_->L_init.to(dt));
  model_->eval();
  for (const auto& module : model_->modules()) {
    if (auto* linear = dynamic_cast<CastedLinearImpl*>(module.get())) linear->set_kernel(few_row_linear);
  }
  if (c.pos_encodings == PosEncoding::kRope) {
    rope_cos_ = model_->rope_cos;
    rope_sin_ = model_->rope_sin;
  } else {  // learned positions: the identity rotation, as HRMInner::attention_context
    rope_cos_ = torch::ones_like(model_->rope_cos);
    rope_sin_ = torch::zeros_like(model_->rope_sin);
  }
}

int64_t Decoder::use_quantized(const std::map<std::string, QuantizedWeight>& weights) {
  if (!model_->embed.device().is_cpu()) return 0;
  int64_t switched = 0;
  for (const auto& item : model_->named_modules()) {
    const auto& name = item.key();
    auto* linear = dynamic_cast<CastedLinearImpl*>(item.value().get());
    const auto it = weights.find(name + ".weight");
    if (linear == nullptr || it == weights.end()) continue;
    // A freed layer's blocks were checked against its shape when they were loaded.
    HRM_CHECK(linear->weight.numel() == 0 ||
                  (it->second.rows() == linear->weight.size(0) && it->second.cols() == linear->weight.size(1)),
              "quantized weight '" + it->first + "' does not match the model's layer shape");
    auto weight = std::make_shared<QuantizedWeight>(it->second);
    linear->set_override([weight](const torch::Tensor& x) { return weight->forward(x); });
    linear->weight.set_data(torch::empty({0}, linear->weight.options()));  // the kernels read the blocks only
    ++switched;
  }
  return switched;
}

torch::Tensor Decoder::prefill(const std::vector<std::vector<int32_t>>& prompts, const std::vector<int64_t>& copies,
                               const ActOptions& act, int64_t capacity) {
  c10::InferenceMode inference;
  const auto& c = config();
  HRM_CHECK(!prompts.empty(), "prefill: no prompts");
  HRM_CHECK(copies.size() == prompts.size(), "prefill: " + std::to_string(copies.size()) + " copy counts for " +
                                                 std::to_string(prompts.size()) + " prompts");
  HRM_CHECK(capacity >= 2 && capacity <= c.seq_len, "prefill: capacity " + std::to_string(capacity) +
                                                        " is outside [2, seq_len = " + std::to_string(c.seq_len) + "]");
  for (size_t p = 0; p < prompts.size(); ++p) {
    const auto n = static_cast<int64_t>(prompts[p].size());
    HRM_CHECK(n >= 1, "prompt " + std::to_string(p) + " is empty", "a prompt needs at least one token");
    HRM_CHECK(n < capacity,
              "prompt " + std::to_string(p) + " has " + std::to_string(n) +
                  " tokens, leaving no room to generate within " + std::to_string(capacity) +
                  " positions (the model's seq_len is " + std::to_string(c.seq_len) + ")",
              "shorten the prompt or use a model trained with a longer seq_len");
    for (const auto id : prompts[p]) {
      HRM_CHECK(id >= 0 && id < c.vocab_size,
                "prompt " + std::to_string(p) + " has token id " + std::to_string(id) +
                    " outside the model's vocabulary [0, " + std::to_string(c.vocab_size) + ")",
                "encode prompts with the checkpoint's tokenizer");
    }
    HRM_CHECK(copies[p] >= 1, "prefill: prompt " + std::to_string(p) + " needs at least one copy");
  }
  const int64_t max_segments = resolve_segments(act, c);
  cache_ = KVCache(c, static_cast<int64_t>(prompts.size()), capacity, dtype(), model_->embed.device());

  std::vector<int64_t> segments(prompts.size(), 0);
  std::vector<torch::Tensor> logits(prompts.size());
  for (size_t first = 0; first < prompts.size();) {
    size_t count = 0;
    int64_t longest = 0;
    while (first + count < prompts.size()) {
      const auto len = std::max<int64_t>(longest, static_cast<int64_t>(prompts[first + count].size()));
      if (count > 0 && static_cast<int64_t>(count + 1) * c.num_heads * len * len * 4 > kPrefillScoreBudgetBytes) break;
      longest = len;
      ++count;
    }
    prefill_group(prompts, first, count, act, max_segments, segments, logits);
    first += count;
  }

  // Replicate each prompt into its copies (its samples share the one prefill).
  std::vector<int64_t> source_rows;
  positions_.clear();
  segments_.clear();
  for (size_t p = 0; p < prompts.size(); ++p) {
    for (int64_t i = 0; i < copies[p]; ++i) {
      source_rows.push_back(static_cast<int64_t>(p));
      positions_.push_back(static_cast<int64_t>(prompts[p].size()));
      segments_.push_back(segments[p]);
    }
  }
  const auto first_logits = torch::stack(logits).cpu();
  if (source_rows.size() == prompts.size()) return first_logits;
  const auto index = torch::tensor(source_rows, torch::kLong);
  cache_.select_rows(index.to(model_->embed.device()));
  return first_logits.index_select(0, index);
}

void Decoder::prefill_group(const std::vector<std::vector<int32_t>>& prompts, size_t first, size_t count,
                            const ActOptions& act, int64_t max_segments, std::vector<int64_t>& segments,
                            std::vector<torch::Tensor>& logits) {
  const auto& c = config();
  const auto device = model_->embed.device();
  const auto g = static_cast<int64_t>(count);
  int64_t longest = 0;
  for (size_t i = 0; i < count; ++i)
    longest = std::max<int64_t>(longest, static_cast<int64_t>(prompts[first + i].size()));
  // Right-padded: a row's padding comes after its prompt, so causal positions never see it, and the
  // prompt-internal (prefix-LM) mask below excludes it; decoding overwrites those cache slots.
  auto tokens = torch::zeros({g, longest}, torch::kLong);
  auto lengths = torch::empty({g}, torch::kLong);
  for (size_t i = 0; i < count; ++i) {
    const auto& p = prompts[first + i];
    auto row = tokens[static_cast<int64_t>(i)];
    for (size_t t = 0; t < p.size(); ++t) row[static_cast<int64_t>(t)] = static_cast<int64_t>(p[t]);
    lengths[static_cast<int64_t>(i)] = static_cast<int64_t>(p.size());
  }
  tokens = tokens.to(device);
  lengths = lengths.to(device);
  const auto pos = torch::arange(longest, torch::TensorOptions().dtype(torch::kLong).device(device));
  const auto x = model_->token_embeddings(tokens, pos.expand({g, longest}));
  torch::Tensor mask;
  const bool is_causal = c.attention == AttentionMode::kCausal;
  if (c.attention == AttentionMode::kPrefixLM) {  // as HRMInner::attention_context, over the prompt
    const auto causal = pos.view({1, longest}) <= pos.view({longest, 1});
    const auto in_prefix = pos.view({1, 1, longest}) < lengths.view({-1, 1, 1});
    mask = (causal.unsqueeze(0) | in_prefix).unsqueeze(1);
  }
  const auto cos = rope_cos_.narrow(0, 0, longest), sin = rope_sin_.narrow(0, 0, longest);
  const auto rows = torch::arange(g, pos.options());
  const auto last = lengths - 1;

  auto z = model_->start_state(x);
  std::vector<bool> decided(count, false);
  size_t open = count;
  for (int64_t s = 0; s < max_segments && open > 0; ++s) {
    if (s >= cache_.segments()) cache_.add_segment();
    z = model_->run_schedule(
        z, x,
        [&](int64_t call, ReasoningModuleImpl& module, const torch::Tensor& state, const torch::Tensor& injection) {
          return module.forward_with(state, injection, [&](int64_t layer, BlockImpl& block, const torch::Tensor& h) {
            const auto heads = block.project_heads(h, cos, sin);
            cache_.write_prefix(s, cache_.slot(call, layer), static_cast<int64_t>(first), heads.k, heads.v);
            return block.merge_heads(prompt_attention(heads.q, heads.k, heads.v, mask, is_causal));
          });
        });
    const auto z_last = z.z_H.index({rows, last});  // [g, hidden]: the Q head's and the next token's input
    const bool final_segment = s + 1 == max_segments;
    std::vector<bool> halt(count, final_segment);
    if (act.adaptive && !final_segment) {
      const auto [q_halt, q_continue] = model_->q_values(z_last);
      const auto halts = (q_halt > q_continue).cpu();
      for (size_t i = 0; i < count; ++i) halt[i] = halts[static_cast<int64_t>(i)].item<bool>();
    }
    torch::Tensor group_logits;
    for (size_t i = 0; i < count; ++i) {
      if (decided[i] || !halt[i]) continue;
      if (!group_logits.defined()) group_logits = model_->lm_head(z_last).to(torch::kFloat32);
      logits[first + i] = group_logits[static_cast<int64_t>(i)];
      segments[first + i] = s + 1;
      decided[i] = true;
      --open;
    }
  }
}

torch::Tensor Decoder::attend_cached(BlockImpl& block, const torch::Tensor& x, int64_t segment, int64_t slot,
                                     const torch::Tensor& cos, const torch::Tensor& sin,
                                     const torch::Tensor& write_index, int64_t length, const torch::Tensor& mask,
                                     const std::vector<int64_t>& row_lengths) {
  const auto heads = block.project_heads(x, cos, sin);  // [rows, heads, 1, head_dim]
  cache_.write_at(segment, slot, write_index, heads.k, heads.v);
  const auto [k, v] = cache_.read(segment, slot, length);
  if (!row_lengths.empty() && decode_attention_supported(heads.q, k, v)) {
    return block.merge_heads(decode_attention(heads.q, k, v, row_lengths));
  }
  return block.merge_heads(compat::attention(heads.q, k, v, optional_mask(mask), false));
}

torch::Tensor Decoder::step(const std::vector<int32_t>& tokens) {
  c10::InferenceMode inference;
  const auto n = rows();
  HRM_CHECK(n > 0, "step: no active rows", "call prefill() first");
  HRM_CHECK(static_cast<int64_t>(tokens.size()) == n,
            "step: " + std::to_string(tokens.size()) + " tokens for " + std::to_string(n) + " rows");
  check_tokens(tokens, 1, "step");
  const auto device = model_->embed.device();
  const auto tok = torch::tensor(std::vector<int64_t>(tokens.begin(), tokens.end()), torch::kLong).to(device);
  const auto pos = torch::tensor(positions_, torch::kLong).to(device).view({n, 1});
  const auto [lo, hi] = std::minmax_element(positions_.begin(), positions_.end());
  const int64_t length = *hi + 1;
  torch::Tensor mask;  // rows at different positions see only their own prefix
  if (*lo != *hi) {
    const auto keys = torch::arange(length, pos.options());
    mask = (keys.view({1, length}) <= pos).view({n, 1, 1, length});
  }
  const auto z = run_cached(model_->token_embeddings(tok.view({n, 1}), pos), pos, mask);
  for (auto& p : positions_) ++p;
  return model_->lm_head(z.squeeze(1)).to(torch::kFloat32).cpu();
}

torch::Tensor Decoder::extend(const std::vector<std::vector<int32_t>>& chunks) {
  c10::InferenceMode inference;
  const auto n = rows();
  HRM_CHECK(n > 0, "extend: no active rows", "call prefill() first");
  HRM_CHECK(static_cast<int64_t>(chunks.size()) == n,
            "extend: " + std::to_string(chunks.size()) + " chunks for " + std::to_string(n) + " rows");
  const auto k = static_cast<int64_t>(chunks.front().size());
  HRM_CHECK(k >= 1, "extend: empty chunk");
  std::vector<int32_t> flat;
  std::vector<int64_t> positions;
  for (int64_t r = 0; r < n; ++r) {
    const auto& chunk = chunks[static_cast<size_t>(r)];
    HRM_CHECK(static_cast<int64_t>(chunk.size()) == k, "extend: every row needs the same number of tokens");
    flat.insert(flat.end(), chunk.begin(), chunk.end());
    for (int64_t j = 0; j < k; ++j) positions.push_back(positions_[static_cast<size_t>(r)] + j);
  }
  check_tokens(flat, k, "extend");
  const auto device = model_->embed.device();
  const auto tok = torch::tensor(std::vector<int64_t>(flat.begin(), flat.end()), torch::kLong).to(device).view({n, k});
  const auto pos = torch::tensor(positions, torch::kLong).to(device).view({n, k});
  const int64_t length = *std::max_element(positions.begin(), positions.end()) + 1;
  const auto keys = torch::arange(length, pos.options());
  const auto mask = (keys.view({1, 1, length}) <= pos.view({n, k, 1})).view({n, 1, k, length});
  const auto z = run_cached(model_->token_embeddings(tok, pos), pos, mask);
  for (auto& p : positions_) p += k;
  return model_->lm_head(z).to(torch::kFloat32).cpu();
}

void Decoder::rewind(const std::vector<int64_t>& positions) {
  HRM_CHECK(positions.size() == positions_.size(),
            "rewind: " + std::to_string(positions.size()) + " positions for " + std::to_string(rows()) + " rows");
  for (size_t r = 0; r < positions.size(); ++r) {
    HRM_CHECK(positions[r] >= 1 && positions[r] <= positions_[r],
              "rewind: row " + std::to_string(r) + " cannot move from position " + std::to_string(positions_[r]) +
                  " to " + std::to_string(positions[r]));
  }
  positions_ = positions;
}

void Decoder::check_tokens(const std::vector<int32_t>& tokens, int64_t per_row, const char* what) const {
  const auto& c = config();
  for (size_t i = 0; i < tokens.size(); ++i) {
    const auto r = static_cast<int64_t>(i) / per_row;
    HRM_CHECK(tokens[i] >= 0 && tokens[i] < c.vocab_size, std::string(what) + ": token id " +
                                                              std::to_string(tokens[i]) + " of row " +
                                                              std::to_string(r) + " is outside the vocabulary");
    HRM_CHECK(positions_[static_cast<size_t>(r)] + per_row <= cache_.capacity(),
              std::string(what) + ": row " + std::to_string(r) + " is full (" + std::to_string(cache_.capacity()) +
                  " positions)");
  }
}

torch::Tensor Decoder::run_cached(const torch::Tensor& x, const torch::Tensor& pos, const torch::Tensor& mask) {
  const auto n = pos.size(0), k = pos.size(1);
  const auto cos = rope_cos_.index_select(0, pos.flatten()).view({n, k, -1});
  const auto sin = rope_sin_.index_select(0, pos.flatten()).view({n, k, -1});
  const int64_t length = pos.max().item<int64_t>() + 1;
  const auto write_index = cache_.position_index(pos);
  const auto [fewest, most] = std::minmax_element(segments_.begin(), segments_.end());
  const auto row_segments = torch::tensor(segments_, torch::kLong).to(pos.device()).view({n, 1, 1});
  // One new token per row on the CPU (the fused kernel's case; on a GPU this would cost a device sync per
  // step for nothing): each row attends to its positions <= its own.
  std::vector<int64_t> row_lengths;
  if (k == 1 && pos.device().is_cpu()) {
    const auto cpu_pos = pos.flatten().contiguous();
    const int64_t* p = cpu_pos.data_ptr<int64_t>();
    for (int64_t r = 0; r < n; ++r) row_lengths.push_back(p[r] + 1);
  }
  auto z = model_->start_state(x);
  torch::Tensor z_out;  // z_H after each row's own number of segments
  for (int64_t s = 0; s < *most; ++s) {
    z = model_->run_schedule(
        z, x,
        [&](int64_t call, ReasoningModuleImpl& module, const torch::Tensor& state, const torch::Tensor& injection) {
          return module.forward_with(state, injection, [&](int64_t layer, BlockImpl& block, const torch::Tensor& h) {
            return attend_cached(block, h, s, cache_.slot(call, layer), cos, sin, write_index, length, mask,
                                 row_lengths);
          });
        });
    z_out = (s == 0 || *fewest == *most) ? z.z_H : torch::where(row_segments == s + 1, z.z_H, z_out);
  }
  return z_out;
}

void Decoder::keep_rows(const std::vector<int64_t>& rows) {
  c10::InferenceMode inference;
  std::vector<int64_t> positions, segments;
  for (const auto r : rows) {
    HRM_CHECK(r >= 0 && r < this->rows(), "keep_rows: row " + std::to_string(r) + " does not exist");
    positions.push_back(positions_[static_cast<size_t>(r)]);
    segments.push_back(segments_[static_cast<size_t>(r)]);
  }
  // A kept row reads its cache up to its position: nothing past the furthest one needs to move.
  const int64_t length = positions.empty() ? 0 : *std::max_element(positions.begin(), positions.end());
  if (!rows.empty()) cache_.select_rows(torch::tensor(rows, torch::kLong).to(model_->embed.device()), length);
  positions_ = std::move(positions);
  segments_ = std::move(segments);
}

torch::Tensor Decoder::add_rows(const std::vector<std::vector<int32_t>>& prompts, const std::vector<int64_t>& copies,
                                const ActOptions& act, int64_t capacity) {
  if (rows() == 0) return prefill(prompts, copies, act, capacity);
  HRM_CHECK(capacity == cache_.capacity(), "add_rows: capacity " + std::to_string(capacity) +
                                               " differs from the running batch's " +
                                               std::to_string(cache_.capacity()));
  KVCache running = std::move(cache_);
  std::vector<int64_t> positions = std::move(positions_), segments = std::move(segments_);
  torch::Tensor logits;
  try {
    logits = prefill(prompts, copies, act, capacity);
    c10::InferenceMode inference;
    running.append_rows(cache_);
  } catch (...) {
    cache_ = std::move(running);
    positions_ = std::move(positions);
    segments_ = std::move(segments);
    throw;
  }
  cache_ = std::move(running);
  positions.insert(positions.end(), positions_.begin(), positions_.end());
  segments.insert(segments.end(), segments_.begin(), segments_.end());
  positions_ = std::move(positions);
  segments_ = std::move(segments);
  return logits;
}

PrefixState Decoder::save_prefix(int64_t row, int64_t length) const {
  c10::InferenceMode inference;
  HRM_CHECK(row >= 0 && row < rows() && length >= 1 && length <= positions_[static_cast<size_t>(row)],
            "save_prefix: row " + std::to_string(row) + " has no " + std::to_string(length) + " positions");
  return {cache_.copy_row(row, length, length), length, segments_[static_cast<size_t>(row)]};
}

torch::Tensor Decoder::add_rows_from_prefix(const PrefixState& prefix, int64_t used, const std::vector<int32_t>& rest,
                                            int64_t copies, int64_t capacity) {
  c10::InferenceMode inference;
  const auto total = used + static_cast<int64_t>(rest.size());
  HRM_CHECK(used >= 1 && used <= prefix.length && copies >= 1,
            "add_rows_from_prefix: " + std::to_string(used) + " positions of a prefix of " +
                std::to_string(prefix.length) + ", " + std::to_string(copies) + " copies");
  HRM_CHECK(total < capacity && capacity <= config().seq_len, "add_rows_from_prefix: a prompt of " +
                                                                  std::to_string(total) + " tokens leaves no room in " +
                                                                  std::to_string(capacity) + " positions");
  HRM_CHECK(rows() == 0 || capacity == cache_.capacity(), "add_rows_from_prefix: capacity " + std::to_string(capacity) +
                                                              " differs from the running batch's " +
                                                              std::to_string(cache_.capacity()));
  KVCache running = std::move(cache_);
  std::vector<int64_t> positions = std::move(positions_), segments = std::move(segments_);
  const auto restore = [&] {
    cache_ = std::move(running);
    positions_ = std::move(positions);
    segments_ = std::move(segments);
  };
  torch::Tensor logits;
  try {
    cache_ = prefix.cache.copy_row(0, used, capacity);
    positions_ = {used};
    segments_ = {prefix.segments};
    if (!rest.empty()) logits = extend({rest}).select(1, static_cast<int64_t>(rest.size()) - 1);
    if (copies > 1) {
      cache_.select_rows(torch::zeros({copies}, torch::kLong).to(model_->embed.device()));
      if (logits.defined()) logits = logits.expand({copies, -1}).contiguous();
    }
    if (!positions.empty()) running.append_rows(cache_);
  } catch (...) {
    restore();
    throw;
  }
  const int64_t position = positions_.front(), row_segments = segments_.front();
  if (positions.empty()) {  // no running batch: the new rows are the batch
    positions_.assign(static_cast<size_t>(copies), position);
    segments_.assign(static_cast<size_t>(copies), row_segments);
    return logits;
  }
  restore();  // the running batch, its cache now holding the new rows after its own
  positions_.insert(positions_.end(), static_cast<size_t>(copies), position);
  segments_.insert(segments_.end(), static_cast<size_t>(copies), row_segments);
  return logits;
}

}  // namespace hrm::infer
