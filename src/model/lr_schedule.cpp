#include "hrm/model/lr_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace hrm {

double cosine_warmup_lr(int64_t step, double base_lr, int64_t warmup_steps, int64_t total_steps, double min_ratio) {
  if (step < warmup_steps)
    return base_lr * static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmup_steps));
  const double progress =
      static_cast<double>(step - warmup_steps) / static_cast<double>(std::max<int64_t>(1, total_steps - warmup_steps));
  return base_lr * (min_ratio + std::max(0.0, (1.0 - min_ratio) * 0.5 * (1.0 + std::cos(M_PI * progress))));
}

}  // namespace hrm
