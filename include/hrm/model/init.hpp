// Truncated normal initialisation whose *actual* standard deviation is `std` after truncation
// to [lower*std', upper*std'] (JAX's convention, as the HRM reference's trunc_normal_init_).
#pragma once
#include <torch/torch.h>

namespace hrm {

void trunc_normal_(torch::Tensor& t, double std, double lower = -2.0, double upper = 2.0);

}  // namespace hrm
