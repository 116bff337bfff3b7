// decode_attention — attention of one new query per row over that row's cached keys and values (a decode
// step), in one pass per row and head: the scores over the row's own `lengths[b]` positions, a softmax and
// the weighted sum of the values, reading K and V where they lie in the cache: eight positions' scores at
// a time, a vector exp, two positions per step of the values' sum. The reference is
// compat::attention(q, k, v, mask) with mask = (position < lengths[b]), the ATen formula the prefill uses:
// on the CPU it runs one packed [1 x D] x [D x L] GEMM per row and head, and that per-call cost made a
// 16-row decode step cost 6x a 1-row step. Reference and timer: tests/infer/decode_attention_test.cpp,
// tools/bench/decode_bench.cpp (--attention: this kernel alone; without it, the decoder's tokens/s).
#pragma once
#include <torch/torch.h>

#include <vector>

namespace hrm::infer {

// True when decode_attention takes these tensors: fp32 or bf16 (all three alike; bf16 computed in fp32) on
// the CPU, q [B, H, 1, D] contiguous, k and v [B, H, L, D] with each position's D values contiguous (a view
// of the cache), D a multiple of 8 and at most 256, and a CPU with AVX2/FMA. Callers keep the reference
// for everything else.
bool decode_attention_supported(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// Returns [B, H, 1, D]; row b attends to positions [0, lengths[b]) (1 <= lengths[b] <= L).
torch::Tensor decode_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                               const std::vector<int64_t>& lengths);

}  // namespace hrm::infer
