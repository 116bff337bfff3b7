// A RunRequest turned into a ChildPlan's contents (see plan.hpp); the limits become rlimits here,
// the weaker stand-ins where the run has no cgroup.
#include "plan.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "seccomp_filter.hpp"

namespace hrm::sandbox::detail {

namespace fs = std::filesystem;

std::string find_program(const RunRequest& request) {
  const std::string& name = request.argv[0];
  if (!name.empty() && name[0] == '/') return name;
  if (name.find('/') != std::string::npos) return (request.work_dir / name).lexically_normal().string();
  auto it = request.env.find("PATH");
  std::istringstream ss(it != request.env.end() ? it->second : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

Layout run_layout(const RunRequest& request, const fs::path& work_dir, const std::string& exe) {
  std::error_code ec;
  LayoutRequest lr;
  lr.work_dir = work_dir;
  lr.writable = request.extra_writable;
  lr.readable = request.extra_readable;
  auto node_path = request.env.find("NODE_PATH");  // node's shared modules, wherever they live
  if (node_path != request.env.end()) {
    std::istringstream ss(node_path->second);
    for (std::string p; std::getline(ss, p, ':');) {
      if (!p.empty() && p[0] == '/' && fs::exists(p, ec)) lr.readable.push_back(p);
    }
  }
  lr.exe = exe;
  lr.tmp_bytes = request.limits.memory_bytes;
  Layout layout = build_layout(lr);
  for (const auto& p : layout.exposed) spdlog::debug("sandbox: exposing {} read-only", p);
  return layout;
}

PlanData::PlanData(const RunRequest& request, const fs::path& dir, const Mode& mode, bool drop_uid, bool cg_memory)
    : work_dir(dir.string()) {
  for (const auto& [k, v] : request.env) env_strings.push_back(k + "=" + v);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  argv_strings = request.argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  const Limits& lim = request.limits;
  auto cpu = static_cast<rlim_t>(std::max(1.0, std::ceil(lim.cpu_seconds)));
  rlimits.push_back({RLIMIT_CPU, {cpu, cpu + 1}});
  rlimits.push_back({RLIMIT_FSIZE, {static_cast<rlim_t>(lim.max_file_bytes), static_cast<rlim_t>(lim.max_file_bytes)}});
  rlimits.push_back(
      {RLIMIT_NOFILE, {static_cast<rlim_t>(lim.max_open_files), static_cast<rlim_t>(lim.max_open_files)}});
  rlimits.push_back({RLIMIT_CORE, {0, 0}});
  if (drop_uid || mode.user_ns) {
    // Counted per uid and, since Linux 5.14, per user namespace: a run's own processes only. Not root,
    // the init (and hrm-sandbox-init above it) share the program's uid in the run's user namespace.
    rlim_t nproc = static_cast<rlim_t>(lim.max_processes + (drop_uid ? 0 : 2));
    rlimits.push_back({RLIMIT_NPROC, {nproc, nproc}});
  }  // (not root and no user namespace is refused by probe(): nothing could bound or clean up the run)
  if (!cg_memory) {
    rlimits.push_back({RLIMIT_AS, {static_cast<rlim_t>(lim.memory_bytes), static_cast<rlim_t>(lim.memory_bytes)}});
  }
}

ChildPlan child_plan(const PlanData& data, const Layout& layout, const std::string& exe, const Mode& mode,
                     bool drop_uid, uid_t uid) {
  ChildPlan plan;
  plan.mount_ns = plan.uts_ns = plan.pid_ns = mode.namespaces;
  plan.drop_to_uid = drop_uid;
  plan.uid = uid;
  plan.gid = uid;
  plan.root_tmpfs_options = layout.root_options.c_str();
  plan.ops = layout.ops.data();
  plan.num_ops = static_cast<int>(layout.ops.size());
  plan.work_dir = data.work_dir.c_str();
  plan.rlimits = data.rlimits.data();
  plan.num_rlimits = static_cast<int>(data.rlimits.size());
  plan.seccomp = mode.seccomp ? &seccomp_program().program : nullptr;
  plan.exe = exe.c_str();
  plan.argv = data.argv.data();
  plan.envp = data.envp.data();
  return plan;
}

}  // namespace hrm::sandbox::detail
