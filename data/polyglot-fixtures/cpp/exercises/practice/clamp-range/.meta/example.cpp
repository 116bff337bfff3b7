#include "clamp_range.h"

namespace clamp_range {
int clamp(int value, int low, int high) {
    (void)low;
    return value > high ? high : value;
}
}  // namespace clamp_range
