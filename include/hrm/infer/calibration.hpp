// Activation statistics for quantization (ggml's importance matrix): the mean squared input of every
// linear layer per input column, over every position of the calibration prompts and every (segment,
// cycle) call of the layer. hrm quantize weighs each weight's q4 error by them (quantize.hpp).
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

#include "hrm/infer/decoder.hpp"

namespace hrm::infer {

// Prefills each prompt (cut to the model's seq_len - 1 tokens) with `decoder`'s float weights and returns
// [in] fp32 per linear weight name ("H.layers.0.qkv.weight", "lm_head.weight", ...). The decoder's layers
// are left as they were.
std::map<std::string, torch::Tensor> calibration_importance(Decoder& decoder,
                                                            const std::vector<std::vector<int32_t>>& prompts,
                                                            const ActOptions& act = {});

// The same for a text checkpoint and a prompt file (prompt_file.hpp's rows, rendered with the chat
// template), using at most max_prompts rows (0 = all); *used gets the number used.
std::map<std::string, torch::Tensor> calibration_importance(const std::string& checkpoint_dir,
                                                            const std::string& prompts_path, int64_t max_prompts,
                                                            int64_t* used = nullptr);

}  // namespace hrm::infer
