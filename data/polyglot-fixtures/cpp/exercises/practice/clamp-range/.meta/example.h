#pragma once

namespace clamp_range {
int clamp(int value, int low, int high);
}
