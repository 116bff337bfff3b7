// Mode selection and the protections report (see probe.hpp): the strongest mode that passes a real run
// is used, and each weaker choice is explained once rather than silently degraded.
#include "probe.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cgroup.hpp"
#include "seccomp_filter.hpp"
#include "spawn.hpp"

namespace hrm::sandbox::detail {
namespace {

namespace fs = std::filesystem;

RunResult probe_run(const Mode& mode, const fs::path& dir) {
  RunRequest r;
  r.argv = {"/bin/sh", "-c", "echo ok > probe && cat probe"};
  r.work_dir = dir;
  r.env = {{"PATH", "/usr/bin:/bin"}};
  r.limits.wall_seconds = 10;
  return run_in_mode(mode, r);
}

Probe probe() {
  Probe p;
  char tmpl[] = "/tmp/hrm-sandbox-probe-XXXXXX";
  std::string dir = mkdtemp(tmpl) ? tmpl : "";
  const auto& seccomp = seccomp_program();
  const auto& cg = cgroup_support();
  // HRM_SANDBOX_DISABLE=userns,namespaces,seccomp,cgroups switches mechanisms off, to test how the
  // sandbox degrades on machines that lack them (tests/sandbox uses it). It can only weaken.
  const char* disable_env = getenv("HRM_SANDBOX_DISABLE");
  std::string disable = disable_env ? "," + std::string(disable_env) + "," : "";
  auto disabled = [&](const char* what) { return disable.find("," + std::string(what) + ",") != std::string::npos; };
  std::vector<Mode> candidates;
  for (bool sec : {true, false}) {
    if (sec && (!seccomp.error.empty() || disabled("seccomp"))) continue;
    for (bool cgroups : {true, false}) {
      if (cgroups && (cg.version == 0 || disabled("cgroups"))) continue;
      if (!disabled("userns") && !disabled("namespaces")) {
        candidates.push_back({"user+mount+pid+net+ipc+uts namespaces", true, true, sec, cgroups});
      }
      if (!disabled("namespaces")) {
        candidates.push_back({"mount+pid+net+ipc+uts namespaces (no user namespace)", false, true, sec, cgroups});
      }
      // Without namespaces only root can give the program a uid of its own; as the caller's uid the
      // program could signal the caller and leave processes nothing can find again (a fork bomb that
      // outlives its run). That is no sandbox: refuse instead.
      if (geteuid() == 0) candidates.push_back({"no namespaces", false, false, sec, cgroups});
    }
  }
  if (!disable.empty()) spdlog::warn("sandbox: HRM_SANDBOX_DISABLE={} weakens the sandbox on purpose", disable_env);
  // The first failure of each kind of mode says why a stronger mode is not in use.
  std::string userns_failure, namespaces_failure, any_failure;
  bool found = false;
  for (const auto& m : candidates) {
    RunResult r = dir.empty() ? error_result("mkdtemp failed") : probe_run(m, dir);
    if (r.ok() && r.stdout_data == "ok\n") {
      p.mode = m;
      found = true;
      break;
    }
    std::string why =
        m.name + ": " + (r.error.empty() ? std::string(verdict_name(r.verdict)) + " " + r.stderr_data : r.error);
    if (m.user_ns && userns_failure.empty()) userns_failure = why;
    if (m.namespaces && !m.user_ns && namespaces_failure.empty()) namespaces_failure = why;
    if (any_failure.empty()) any_failure = why;
  }
  if (!dir.empty()) fs::remove_all(dir);
  const bool root = geteuid() == 0;
  auto why_not = [&](const char* knob, const std::string& failure) {
    if (disabled(knob)) return std::string("disabled by HRM_SANDBOX_DISABLE");
    return failure.empty() ? std::string("not offered by this machine") : "failed here (" + failure + ")";
  };
  const Mode& m = p.mode;
  auto add = [&](std::string name, bool active, std::string detail) {
    p.protections.push_back({name, active, detail});
  };
  if (!found) {
    add("sandbox", false,
        "no isolation mode works on this machine, so every run fails: " +
            (any_failure.empty() ? std::string("not root, and user namespaces are unavailable or disabled")
                                 : any_failure));
    return p;
  }
  const std::string ns_why = why_not("namespaces", namespaces_failure);
  add("user namespace", m.user_ns,
      m.user_ns ? "setup runs as root of a new user namespace; the run's uid is mapped 1:1"
                : why_not(disabled("namespaces") ? "namespaces" : "userns", userns_failure) +
                      (root ? "; privileges are dropped with setuid instead" : ""));
  add("mount namespace", m.namespaces,
      m.namespaces ? "new root: system dirs read-only, private /tmp and /dev/shm, work dir writable; the project, "
                     "/root (but its toolchains), /home, /run, /var are absent"
                   : ns_why + ": the host file system is visible, writable where the run's uid may write");
  add("pid namespace", m.namespaces,
      m.namespaces ? "the run sees only its own processes; all die when the program ends or is killed"
                   : ns_why + ": leftovers are killed by uid (kill -1 as the run's uid)");
  add("network namespace", m.namespaces,
      m.namespaces ? std::string("no network: loopback only, down") +
                         (root ? " (one namespace per concurrent slot, reused; a run holds no capability over it)" : "")
                   : ns_why + ": only seccomp keeps the host network away");
  add("ipc+uts namespaces", m.namespaces, m.namespaces ? "private System V IPC, hostname 'sandbox'" : ns_why);
  add("unprivileged uid", root || m.user_ns,
      root ? "a uid of its own per concurrent run (100000+), no capabilities, no_new_privs, not dumpable"
           : std::string("runs as the caller's uid") +
                 (m.user_ns ? ", without capabilities" : " (not root: cannot switch)"));
  add("seccomp", m.seccomp, m.seccomp ? seccomp_summary() : why_not("seccomp", seccomp.error));
  const std::string cg_why = why_not("cgroups", cg.version == 0 ? cg.detail : "");
  add("cgroup pids", m.cgroups && cg.pids,
      m.cgroups && cg.pids ? cg.detail : cg_why + "; RLIMIT_NPROC of the run's uid instead");
  add("cgroup memory", m.cgroups && cg.memory,
      m.cgroups && cg.memory
          ? "memory (and swap) limit and OOM detection for the whole tree"
          : cg_why + "; RLIMIT_AS per process instead (JVM, Go and node reserve a lot of address space)");
  add("cgroup cpu", m.cgroups && cg.cpu,
      m.cgroups && cg.cpu ? "CPU time of the whole tree, polled every 50 ms"
                          : cg_why + "; RLIMIT_CPU per process only");
  add("sandbox init", !init_binary().empty(),
      init_binary().empty() ? "hrm-sandbox-init not found (next to the executable, in the build or install tree, or "
                              "$HRM_SANDBOX_INIT): each run's init is a copy of the caller, which costs ~50 ms per GiB "
                              "the caller holds"
                            : init_binary() + ": a fresh process per run; the caller's memory is never copied");
  add("rlimits", true,
      std::string("CPU, file size, open files, no core dumps") + (root || m.user_ns ? ", processes" : ""));
  return p;
}

}  // namespace

const Probe& probed() {
  static const Probe p = [] {
    Probe result = probe();
    for (const auto& prot : result.protections) {
      if (!prot.active) spdlog::warn("sandbox: {} is NOT active: {}", prot.name, prot.detail);
    }
    if (!result.mode.namespaces) {
      spdlog::warn("sandbox: runs are NOT isolated from the host file system and network on this machine");
    }
    return result;
  }();
  return p;
}

}  // namespace hrm::sandbox::detail
