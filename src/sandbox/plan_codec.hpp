// A ChildPlan as bytes, so that a separate init binary (hrm-sandbox-init) can run it: the parent
// encodes it into a memfd, the init decodes it. Internal to src/sandbox.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "child.hpp"

namespace hrm::sandbox::detail {

// Descriptor numbers in the init when started as hrm-sandbox-init.
constexpr int kInitStdin = 0, kInitStdout = 1, kInitStderr = 2, kInitStatus = 3, kInitSync = 4, kInitPlan = 5;

std::string encode_plan(const ChildPlan& plan);

// Owns everything a decoded plan points into.
struct DecodedPlan {
  ChildPlan plan;
  std::vector<std::unique_ptr<std::string>> strings;
  std::vector<MountOp> ops;
  std::vector<ChildPlan::Rlimit> rlimits;
  std::vector<sock_filter> filter;
  sock_fprog fprog{};
  std::vector<char*> argv, envp;
};

// False if the bytes are not a plan of this version.
bool decode_plan(const std::string& bytes, DecodedPlan* out);

}  // namespace hrm::sandbox::detail
