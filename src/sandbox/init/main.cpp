// hrm-sandbox-init: the init (pid 1) of one sandboxed run, started by hrm::sandbox::run with
// clone(CLONE_VM|CLONE_VFORK|namespaces) + execve, so that the caller's memory — possibly gigabytes of
// model — is never copied. It reads its ChildPlan from descriptor 5 (a memfd) and runs child_main
// (src/sandbox/child.cpp). Not meant to be started by hand.
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "../child.hpp"
#include "../plan_codec.hpp"

namespace {

int refuse(const char* why) {
  hrm::sandbox::detail::StatusMessage m{};
  m.kind = hrm::sandbox::detail::StatusMessage::kSetupError;
  strncpy(m.stage, why, sizeof(m.stage) - 1);
  ssize_t ignored = write(hrm::sandbox::detail::kInitStatus, &m, sizeof(m));
  (void)ignored;
  return 126;
}

}  // namespace

int main() {
  using namespace hrm::sandbox::detail;
  struct stat st {};
  if (fstat(kInitPlan, &st) != 0 || st.st_size <= 0) return refuse("hrm-sandbox-init: no plan on descriptor 5");
  std::string bytes(static_cast<size_t>(st.st_size), '\0');
  if (pread(kInitPlan, bytes.data(), bytes.size(), 0) != st.st_size)
    return refuse("hrm-sandbox-init: reading the plan");
  close(kInitPlan);
  static DecodedPlan decoded;  // lives until the process ends (child_main never returns)
  if (!decode_plan(bytes, &decoded)) {
    return refuse("hrm-sandbox-init: the plan is from another version of libhrm (rebuild or reinstall hrm)");
  }
  init_main(decoded.plan);
}
