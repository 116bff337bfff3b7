// Linear warmup then cosine decay to lr_min_ratio * base_lr (the reference's
// cosine_schedule_with_warmup_lr_lambda with num_cycles = 0.5).
//
// `step` is the 1-based number of the update being made: the reference increments its step counter before
// it computes the learning rate, so its first update uses base_lr / warmup_steps (not 0) and update
// number total_steps uses lr_min_ratio * base_lr.
#pragma once
#include <cstdint>

namespace hrm {

double cosine_warmup_lr(int64_t step, double base_lr, int64_t warmup_steps, int64_t total_steps, double min_ratio);

}  // namespace hrm
