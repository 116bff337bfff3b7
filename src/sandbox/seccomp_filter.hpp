// The seccomp filter every sandboxed process runs under, compiled once to BPF. Internal to src/sandbox.
#pragma once
#include <linux/filter.h>

#include <string>
#include <vector>

namespace hrm::sandbox::detail {

struct SeccompProgram {
  std::vector<sock_filter> instructions;
  sock_fprog program{};  // points into `instructions`
  std::string error;     // why no filter could be built (libseccomp failure); empty when ok
};

// Built on first use, then shared (read-only) by every run.
const SeccompProgram& seccomp_program();

// What the filter denies, for docs and `hrm doctor`.
std::string seccomp_summary();

}  // namespace hrm::sandbox::detail
