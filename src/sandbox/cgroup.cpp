// Per-run control groups (see cgroup.hpp).
#include "cgroup.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace hrm::sandbox::detail {
namespace {

bool write_text(const std::string& path, const std::string& text, std::string* error = nullptr) {
  FILE* f = fopen(path.c_str(), "we");
  if (!f) {
    if (error) *error = path + ": " + strerror(errno);
    return false;
  }
  bool ok = fwrite(text.data(), 1, text.size(), f) == text.size();
  int err = errno;
  ok = (fclose(f) == 0) && ok;
  if (!ok && error) *error = "writing '" + text + "' to " + path + ": " + strerror(err ? err : errno);
  return ok;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

// The value after `key ` in a flat-keyed file (memory.events, cpu.stat, memory.oom_control).
int64_t keyed_value(const std::string& path, const std::string& key) {
  std::istringstream in(read_text(path));
  std::string k;
  int64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return -1;
}

struct Hierarchy {
  std::string mountpoint, root, fstype;
  std::vector<std::string> controllers;  // v1 super options
};

std::vector<Hierarchy> cgroup_mounts() {
  std::vector<Hierarchy> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, dev, root, mountpoint, opts, field;
    ls >> id >> parent >> dev >> root >> mountpoint >> opts;
    while (ls >> field && field != "-") {}
    std::string fstype, source, super;
    ls >> fstype >> source >> super;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    Hierarchy h{mountpoint, root, fstype, {}};
    std::istringstream ss(super);
    std::string opt;
    while (std::getline(ss, opt, ',')) h.controllers.push_back(opt);
    out.push_back(h);
  }
  return out;
}

// Our own group in hierarchy `key` ("" for v2, else a v1 controller name) from /proc/self/cgroup.
std::string own_path(const std::string& key) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':'), b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    std::string ctrls = line.substr(a + 1, b - a - 1), path = line.substr(b + 1);
    if (key.empty() ? ctrls.empty() : (("," + ctrls + ",").find("," + key + ",") != std::string::npos)) {
      return path;
    }
  }
  return "";
}

std::string group_dir(const Hierarchy& h, const std::string& key) {
  std::string path = own_path(key);
  if (h.root != "/" && path.rfind(h.root, 0) == 0) path = path.substr(h.root.size());
  if (path == "/") path.clear();
  return h.mountpoint + path;
}

struct Layout {
  CgroupSupport support;
  std::string v2_parent;                               // v2: runs are created here
  std::string pids_parent, memory_parent, cpu_parent;  // v1
};

bool has(const std::vector<std::string>& v, const std::string& x) {
  for (const auto& e : v) {
    if (e == x) return true;
  }
  return false;
}

Layout probe_layout() {
  Layout l;
  auto mounts = cgroup_mounts();
  // v2 first: a unified hierarchy whose controllers include pids and memory.
  for (const auto& h : mounts) {
    if (h.fstype != "cgroup2") continue;
    std::string dir = group_dir(h, "");
    std::istringstream cs(read_text(dir + "/cgroup.controllers"));
    std::vector<std::string> ctrls;
    for (std::string c; cs >> c;) ctrls.push_back(c);
    if (!has(ctrls, "pids") || !has(ctrls, "memory")) continue;
    std::string want = "+pids +memory";
    if (has(ctrls, "cpu")) want += " +cpu";
    std::string err;
    if (!write_text(dir + "/cgroup.subtree_control", want, &err) && errno == EBUSY) {
      // "No internal processes": move ourselves into a leaf so the parent may delegate controllers.
      std::string leaf = dir + "/hrm-evaluator-" + std::to_string(getpid());
      if ((mkdir(leaf.c_str(), 0755) == 0 || errno == EEXIST) && write_text(leaf + "/cgroup.procs", "0", &err)) {
        write_text(dir + "/cgroup.subtree_control", want, &err);
      }
    }
    std::string test = dir + "/hrm-probe-" + std::to_string(getpid());
    if (mkdir(test.c_str(), 0755) == 0) {
      bool ok = write_text(test + "/pids.max", "64", &err) && write_text(test + "/memory.max", "max", &err);
      rmdir(test.c_str());
      if (ok) {
        l.v2_parent = dir;
        l.support = {2, true, true, true, "cgroup v2 groups under " + dir};
        return l;
      }
    } else {
      err = test + ": " + strerror(errno);
    }
    l.support.detail = "cgroup v2 at " + h.mountpoint + " unusable (" + err + ")";
  }
  // v1: separate pids, memory and cpuacct hierarchies.
  for (const auto& h : mounts) {
    if (h.fstype != "cgroup") continue;
    for (const char* c : {"pids", "memory", "cpuacct"}) {
      if (!has(h.controllers, c)) continue;
      std::string dir = group_dir(h, c);
      std::string test = dir + "/hrm-probe-" + std::to_string(getpid());
      if (mkdir(test.c_str(), 0755) != 0) continue;
      rmdir(test.c_str());
      if (std::string(c) == "pids") l.pids_parent = dir;
      if (std::string(c) == "memory") l.memory_parent = dir;
      if (std::string(c) == "cpuacct") l.cpu_parent = dir;
    }
  }
  if (!l.pids_parent.empty() || !l.memory_parent.empty()) {
    l.support.version = 1;
    l.support.pids = !l.pids_parent.empty();
    l.support.memory = !l.memory_parent.empty();
    l.support.cpu = !l.cpu_parent.empty();
    l.support.detail = "cgroup v1 groups under " + (l.pids_parent.empty() ? std::string("(no pids)") : l.pids_parent) +
                       ", " + (l.memory_parent.empty() ? std::string("(no memory)") : l.memory_parent) + ", " +
                       (l.cpu_parent.empty() ? std::string("(no cpuacct)") : l.cpu_parent);
  } else if (l.support.detail.empty()) {
    l.support.detail =
        mounts.empty() ? "no cgroup file system mounted" : "no writable cgroup hierarchy with pids/memory";
  }
  return l;
}

// Groups "hrm-<pid>-<n>" of evaluators that died without cleaning up (killed, crashed): empty by now
// (their runs died with them), so removing them is safe; busy ones are left alone.
void remove_stale_groups(const std::string& parent) {
  if (parent.empty()) return;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(parent, ec)) {
    std::string name = e.path().filename().string();
    if (name.rfind("hrm-", 0) != 0) continue;
    size_t dash = name.find('-', 4);
    std::string pid = name.substr(4, dash == std::string::npos ? std::string::npos : dash - 4);
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (access(("/proc/" + pid).c_str(), F_OK) == 0) continue;  // that evaluator still runs
    rmdir(e.path().c_str());
  }
}

const Layout& layout() {
  static const Layout l = [] {
    Layout probed = probe_layout();
    for (const auto* parent : {&probed.v2_parent, &probed.pids_parent, &probed.memory_parent, &probed.cpu_parent}) {
      remove_stale_groups(*parent);
    }
    return probed;
  }();
  return l;
}

std::atomic<uint64_t> g_counter{0};

}  // namespace

const CgroupSupport& cgroup_support() { return layout().support; }

std::unique_ptr<RunCgroup> RunCgroup::create(int max_processes, int64_t memory_bytes, std::string* error) {
  const Layout& l = layout();
  if (l.support.version == 0) {
    *error = l.support.detail;
    return nullptr;
  }
  std::unique_ptr<RunCgroup> cg(new RunCgroup());
  std::string name = "/hrm-" + std::to_string(getpid()) + "-" + std::to_string(g_counter++);
  auto make = [&](const std::string& parent) -> std::string {
    std::string dir = parent + name;
    if (mkdir(dir.c_str(), 0755) != 0) {
      *error = dir + ": " + strerror(errno);
      return "";
    }
    cg->dirs_.push_back(dir);
    return dir;
  };
  // The init process of the run and its helper that kills leftovers count too.
  std::string pids_max = std::to_string(max_processes + 2), mem = std::to_string(memory_bytes);
  if (l.support.version == 2) {
    std::string dir = make(l.v2_parent);
    if (dir.empty()) return nullptr;
    cg->pids_dir_ = cg->memory_dir_ = cg->cpu_dir_ = dir;
    if (!write_text(dir + "/pids.max", pids_max, error) || !write_text(dir + "/memory.max", mem, error)) return nullptr;
    if (exists(dir + "/memory.swap.max")) write_text(dir + "/memory.swap.max", "0");
    return cg;
  }
  if (!l.pids_parent.empty()) {
    if ((cg->pids_dir_ = make(l.pids_parent)).empty()) return nullptr;
    if (!write_text(cg->pids_dir_ + "/pids.max", pids_max, error)) return nullptr;
  }
  if (!l.memory_parent.empty()) {
    if ((cg->memory_dir_ = make(l.memory_parent)).empty()) return nullptr;
    if (!write_text(cg->memory_dir_ + "/memory.limit_in_bytes", mem, error)) return nullptr;
    if (exists(cg->memory_dir_ + "/memory.memsw.limit_in_bytes")) {
      write_text(cg->memory_dir_ + "/memory.memsw.limit_in_bytes", mem);  // no escaping into swap
    }
  }
  if (!l.cpu_parent.empty()) {
    if ((cg->cpu_dir_ = make(l.cpu_parent)).empty()) return nullptr;
  }
  return cg;
}

bool RunCgroup::attach(pid_t pid, std::string* error) {
  for (const auto& dir : dirs_) {
    if (!write_text(dir + "/cgroup.procs", std::to_string(pid), error)) return false;
  }
  return true;
}

double RunCgroup::cpu_seconds() const {
  if (cpu_dir_.empty()) return -1;
  if (layout().support.version == 2) {
    int64_t usec = keyed_value(cpu_dir_ + "/cpu.stat", "usage_usec");
    return usec < 0 ? -1 : usec / 1e6;
  }
  std::string ns = read_text(cpu_dir_ + "/cpuacct.usage");
  return ns.empty() ? -1 : std::stoll(ns) / 1e9;
}

int64_t RunCgroup::peak_memory_bytes() const {
  if (memory_dir_.empty()) return 0;
  std::string v =
      read_text(memory_dir_ + (layout().support.version == 2 ? "/memory.peak" : "/memory.max_usage_in_bytes"));
  return v.empty() ? 0 : std::stoll(v);
}

bool RunCgroup::oom_killed() const {
  if (memory_dir_.empty()) return false;
  if (layout().support.version == 2) return keyed_value(memory_dir_ + "/memory.events", "oom_kill") > 0;
  return keyed_value(memory_dir_ + "/memory.oom_control", "oom_kill") > 0;
}

void RunCgroup::kill_all() {
  if (dirs_.empty()) return;
  if (layout().support.version == 2 && exists(dirs_[0] + "/cgroup.kill")) {
    write_text(dirs_[0] + "/cgroup.kill", "1");
    return;
  }
  // v1: signal every member until none is left (a forking member is bounded by pids.max).
  for (int round = 0; round < 50; ++round) {
    std::istringstream in(read_text(dirs_[0] + "/cgroup.procs"));
    bool any = false;
    for (pid_t pid; in >> pid;) {
      kill(pid, SIGKILL);
      any = true;
    }
    if (!any) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

RunCgroup::~RunCgroup() {
  kill_all();
  for (const auto& dir : dirs_) {
    // Members that were just killed take a moment to leave the group.
    for (int i = 0; i < 500 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
      if (i % 50 == 49) kill_all();
    }
  }
}

}  // namespace hrm::sandbox::detail
