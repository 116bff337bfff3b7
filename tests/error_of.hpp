// What a failing call said: the description (message, context, hint) of the hrm::Error that fn throws, or ""
// when it throws none. Tests check that a part of it names the file, field or problem.
#pragma once
#include <functional>
#include <string>

#include "hrm/util/error.hpp"

namespace hrm::testing {

inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

}  // namespace hrm::testing
