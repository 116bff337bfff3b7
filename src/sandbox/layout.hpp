// The file system a sandboxed program sees, as a list of MountOps for the child. Internal.
//
// A whitelist, not a blacklist: the new root is an empty tmpfs into which we bind the system
// directories read-only (/usr, /etc, /opt, the /bin and /lib links, /sys), the toolchains that live in
// root's home (/root/.cargo, /root/.rustup), a fresh /proc, a minimal /dev, a private /tmp and the
// work directory (writable). Everything else — the project checkout, /root, /home, the host's /tmp,
// /run, /var — is simply absent.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child.hpp"

namespace hrm::sandbox::detail {

struct LayoutRequest {
  std::filesystem::path work_dir;                         // absolute
  std::vector<std::filesystem::path> writable, readable;  // extra (absolute)
  std::filesystem::path exe;  // the program: its installation is exposed if it lies elsewhere
  bool new_proc = true;       // a PID namespace: mount a fresh /proc, else bind the host's read-only
  int64_t tmp_bytes = 0;      // size of the private /tmp and /dev/shm
};

// Owns the strings the ops point into.
struct Layout {
  std::vector<MountOp> ops;
  std::string root_options;
  std::vector<std::string> exposed;  // readable paths beyond the system set, for logs
  // Keeps op strings alive (deque-like: never reallocated after ops are built).
  std::vector<std::unique_ptr<std::string>> strings;
};

Layout build_layout(const LayoutRequest& request);

// The system directories every run sees read-only (those that exist here).
std::vector<std::string> system_readable_paths();

}  // namespace hrm::sandbox::detail
