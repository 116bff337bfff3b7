// Checks on what a binary printed when an exception that is not hrm::Error escaped its work: the edge
// (hrm::run_main, include/hrm/util/run_main.hpp) must end the output with one line "<binary>: error: ..."
// and nothing of a crash (std::terminate's message, a c10 backtrace).
#pragma once
#include <gtest/gtest.h>

#include <string>

namespace hrm::testing {

inline ::testing::AssertionResult ends_with_one_line_error(const std::string& binary, const std::string& output) {
  if (output.empty() || output.back() != '\n') return ::testing::AssertionFailure() << "no final line:\n" << output;
  const auto start = output.find_last_of('\n', output.size() - 2);
  const std::string last = output.substr(start == std::string::npos ? 0 : start + 1);
  if (last.rfind(binary + ": error: ", 0) != 0)
    return ::testing::AssertionFailure() << "the last line does not start with '" << binary << ": error: ':\n"
                                         << output;
  for (const char* crash : {"terminate called", "Exception raised from", "Aborted", "core dumped"}) {
    if (output.find(crash) != std::string::npos)
      return ::testing::AssertionFailure() << "the output shows a crash ('" << crash << "'):\n" << output;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hrm::testing
