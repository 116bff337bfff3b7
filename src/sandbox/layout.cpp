// The sandbox's file system view (see layout.hpp).
#include "layout.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace hrm::sandbox::detail {
namespace {

namespace fs = std::filesystem;

// `a` equals `b` or lies below it (component-wise: /usr2 is not under /usr).
bool is_under(const std::string& a, const std::string& b) {
  if (b == "/") return true;
  return a == b || (a.size() > b.size() && a.compare(0, b.size(), b) == 0 && a[b.size()] == '/');
}

size_t depth(const std::string& p) { return std::count(p.begin(), p.end(), '/'); }

std::string decode_mountinfo(const std::string& s) {  // "\040" -> ' '
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 3), nullptr, 8)));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::string> host_mountpoints() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string id, parent, dev, root, mountpoint;
    ls >> id >> parent >> dev >> root >> mountpoint;
    out.push_back(decode_mountinfo(mountpoint));
  }
  return out;
}

std::string home_dir() {
  const char* home = getenv("HOME");
  return home && *home ? home : "/root";
}

struct Entry {
  std::string target, source;  // source: host path (bind), link target (symlink) or tmpfs options
  MountOp::Kind kind;
  bool optional = false;
};

}  // namespace

std::vector<std::string> system_readable_paths() {
  std::vector<std::string> out;
  for (const char* p : {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt", "/sys"}) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(p, ec))) out.push_back(p);
  }
  // Toolchains installed into root's home (rustup's cargo and rustc): readable, the rest of it hidden.
  const char* cargo = getenv("CARGO_HOME");
  const char* rustup = getenv("RUSTUP_HOME");
  for (std::string p : {cargo && *cargo ? std::string(cargo) : home_dir() + "/.cargo",
                        rustup && *rustup ? std::string(rustup) : home_dir() + "/.rustup"}) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) out.push_back(fs::canonical(p, ec).string());
  }
  return out;
}

Layout build_layout(const LayoutRequest& request) {
  Layout layout;
  std::string size = std::to_string(std::max<int64_t>(request.tmp_bytes, 1 << 20));
  layout.root_options = "mode=0755,size=16m";

  std::vector<Entry> entries;
  entries.push_back({"/tmp", "mode=1777,size=" + size, MountOp::kTmpfs});
  entries.push_back({"/dev", "mode=0755,size=64k", MountOp::kTmpfs});
  if (request.new_proc) {
    entries.push_back({"/proc", "", MountOp::kProc});
  } else {
    entries.push_back({"/proc", "/proc", MountOp::kBindReadOnly});
  }
  for (const auto& p : system_readable_paths()) {
    std::error_code ec;
    if (fs::is_symlink(p, ec)) {
      entries.push_back({p, fs::read_symlink(p, ec).string(), MountOp::kSymlink});
    } else {
      entries.push_back({p, p, MountOp::kBindReadOnly});
    }
  }
  entries.push_back({"/var/tmp", "/tmp", MountOp::kSymlink});
  // No /dev/tty: it would be the caller's terminal (the run stays in the caller's session).
  for (const char* dev : {"null", "zero", "full", "random", "urandom"}) {
    entries.push_back({std::string("/dev/") + dev, std::string("/dev/") + dev, MountOp::kBindDevice});
  }
  entries.push_back({"/dev/shm", "mode=1777,size=" + size, MountOp::kTmpfs});
  entries.push_back({"/dev/fd", "/proc/self/fd", MountOp::kSymlink});
  entries.push_back({"/dev/stdin", "/proc/self/fd/0", MountOp::kSymlink});
  entries.push_back({"/dev/stdout", "/proc/self/fd/1", MountOp::kSymlink});
  entries.push_back({"/dev/stderr", "/proc/self/fd/2", MountOp::kSymlink});

  auto visible = [&](const std::string& path) {
    for (const auto& e : entries) {
      if ((e.kind == MountOp::kBindReadOnly || e.kind == MountOp::kBindWritable) && is_under(path, e.target))
        return true;
    }
    return false;
  };
  auto add_readable = [&](const fs::path& p) {
    std::error_code ec;
    fs::path real = fs::canonical(p, ec);
    if (ec || visible(p.lexically_normal().string()) || visible(real.string())) return;
    entries.push_back({p.lexically_normal().string(), real.string(), MountOp::kBindReadOnly});
    layout.exposed.push_back(real.string());
  };
  for (const auto& p : request.readable) add_readable(p);
  if (!request.exe.empty()) {
    std::error_code ec;
    fs::path real = fs::canonical(request.exe, ec);
    if (!visible(request.exe.lexically_normal().string()) || (!ec && !visible(real.string()))) {
      // The program lives outside the system directories (e.g. a pyenv version): expose its installation.
      fs::path dir = (ec ? request.exe : real).parent_path();
      add_readable(dir.filename() == "bin" ? dir.parent_path() : dir);
      if (!ec && !visible(request.exe.lexically_normal().string())) add_readable(request.exe.parent_path());
    }
  }
  std::error_code ec;
  entries.push_back({request.work_dir.lexically_normal().string(), fs::canonical(request.work_dir, ec).string(),
                     MountOp::kBindWritable});
  for (const auto& p : request.writable) {
    entries.push_back({p.lexically_normal().string(), fs::canonical(p, ec).string(), MountOp::kBindWritable});
  }
  // Parents before children; within a level, in the order above.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return depth(a.target) < depth(b.target); });

  auto keep = [&](const std::string& s) {
    layout.strings.push_back(std::make_unique<std::string>(s));
    return layout.strings.back()->c_str();
  };
  auto host_mounts = host_mountpoints();
  std::set<std::string> made;
  std::vector<std::string> bound;  // targets of binds so far: their insides exist already
  for (const auto& e : entries) {
    // Directories leading to the target, on our tmpfs (inside an earlier bind they exist already).
    std::vector<std::string> parents;
    for (fs::path dir = fs::path(e.target).parent_path(); dir != "/" && !dir.empty(); dir = dir.parent_path()) {
      bool inside_bind =
          std::any_of(bound.begin(), bound.end(), [&](const std::string& b) { return is_under(dir.string(), b); });
      if (!inside_bind) parents.push_back(dir.string());
    }
    std::reverse(parents.begin(), parents.end());
    for (const auto& dir : parents) {
      if (made.insert(dir).second) layout.ops.push_back({MountOp::kMkdir, nullptr, keep(dir)});
    }
    switch (e.kind) {
      case MountOp::kBindReadOnly:
      case MountOp::kBindWritable:
      case MountOp::kBindDevice:
        layout.ops.push_back({e.kind, keep("/oldroot" + e.source), keep(e.target), e.optional});
        bound.push_back(e.target);
        if (e.kind == MountOp::kBindReadOnly) {
          // Submounts come along with the recursive bind; each needs its own read-only remount.
          for (const auto& m : host_mounts) {
            if (m != e.source && is_under(m, e.source)) {
              layout.ops.push_back(
                  {MountOp::kBindReadOnly, nullptr, keep(e.target + m.substr(e.source == "/" ? 0 : e.source.size()))});
            }
          }
        }
        break;
      case MountOp::kTmpfs:
      case MountOp::kSymlink:
      case MountOp::kProc:
        layout.ops.push_back({e.kind, keep(e.source), keep(e.target), e.optional});
        made.insert(e.target);
        break;
      case MountOp::kMkdir:
        break;
    }
  }
  return layout;
}

}  // namespace hrm::sandbox::detail
