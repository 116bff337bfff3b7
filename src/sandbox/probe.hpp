// Which isolation this machine allows, found once by trying a real run in each mode from the strongest
// down, and the protections report (`hrm doctor`) that says what is missing and why. Internal.
#pragma once
#include <vector>

#include "hrm/sandbox/sandbox.hpp"
#include "mode.hpp"

namespace hrm::sandbox::detail {

struct Probe {
  Mode mode;
  std::vector<Protection> protections;  // a single inactive "sandbox" entry when no mode works
};

// Probed on first use (missing protections logged once as warnings), then cached.
const Probe& probed();

}  // namespace hrm::sandbox::detail
