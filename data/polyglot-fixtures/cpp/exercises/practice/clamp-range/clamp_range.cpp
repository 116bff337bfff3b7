#include "clamp_range.h"

namespace clamp_range {
int clamp(int value, int low, int high) {
    (void)value;
    (void)low;
    (void)high;
    return -1;
}
}  // namespace clamp_range
