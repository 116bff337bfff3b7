// prompt_attention — the attention of a prefill (every prompt position at once) in chunks of query rows,
// so the [rows, heads, chunk, keys] scores of one chunk are all that is held at a time. Unchunked, a
// 4k-token prompt of the 27M config allocated, faulted in and freed three 500 MB score tensors per module
// call (LibTorch 1.13's attention is matmul, masked_fill, softmax): about a third of its prefill time went
// to page faults (docs/benchmarks.md, "Long context and memory"). A causal chunk reads only the keys up
// to its last query. The reference is compat::attention on the whole prompt; tests/infer/prompt_attention_test.cpp.
#pragma once
#include <torch/torch.h>

namespace hrm::infer {

// Scores held per chunk: [rows, heads, chunk, keys] fp32 under this many bytes.
inline constexpr int64_t kPromptScoreChunkBytes = int64_t{32} << 20;

// q, k, v [B, H, P, D]; mask (undefined = none) bool, true = attend, broadcasting to [B, 1 or H, P, P];
// is_causal applies when there is no mask. Equals compat::attention(q, k, v, mask, is_causal) to float
// rounding. Chunks only on the CPU (a GPU's fused attention does not hold the scores).
torch::Tensor prompt_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const torch::Tensor& mask, bool is_causal, int64_t chunk_bytes = kPromptScoreChunkBytes);

}  // namespace hrm::infer
