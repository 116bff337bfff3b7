// resolve_program: find the real binary behind a name, once. Version-manager shims (pyenv, rbenv,
// nodenv: a shell script ending in `exec "<manager>" exec "$program"`) and rustup proxies (a link to
// the rustup binary) are asked which binary they would run, so a run pays their startup cost never.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/error.hpp"

extern char** environ;

namespace hrm::sandbox {
namespace {

namespace fs = std::filesystem;

bool executable_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && access(p.c_str(), X_OK) == 0;
}

// First line of stdout of `argv` (inheriting our environment), or "" if it fails.
std::string capture_line(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  if (rc == 0) {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
      if (n > 0) out.append(buf, n);
    }
  }
  close(fds[0]);
  int status = 0;
  if (rc != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return "";
  return out.substr(0, out.find('\n'));
}

// The version manager a shim script hands over to, or "" if `path` is no such shim.
std::string shim_manager(const fs::path& path) {
  std::ifstream in(path);
  char head[2] = {};
  if (!in.read(head, 2) || head[0] != '#' || head[1] != '!') return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  size_t at = text.find("exec \"");
  while (at != std::string::npos) {
    size_t end = text.find('"', at + 6);
    if (end != std::string::npos && text.compare(end, 7, "\" exec ") == 0) return text.substr(at + 6, end - at - 6);
    at = text.find("exec \"", at + 1);
  }
  return "";
}

std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return executable_file(name) ? name : "";
  const char* path_env = getenv("PATH");
  std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  std::istringstream ss(path);
  for (std::string dir; std::getline(ss, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / name;
    if (executable_file(candidate)) return candidate.string();
  }
  return "";
}

std::string resolve_uncached(const std::string& name) {
  std::string found = find_in_path(name);
  HRM_CHECK(!found.empty(), "resolve_program: '" + name + "' not found in PATH",
            "install it (tools/setup.sh) or pass an absolute path");
  std::string program = fs::path(found).filename().string();
  std::error_code ec;
  fs::path real = fs::canonical(found, ec);
  if (ec) real = found;
  // rustup proxy: cargo, rustc, ... are links to the rustup binary.
  if (real.filename() == "rustup" && program != "rustup") {
    std::string target = capture_line({real.string(), "which", program});
    HRM_CHECK(!target.empty() && executable_file(target),
              "resolve_program: rustup does not know which '" + program + "' to run (" + found + ")",
              "run `rustup default stable` or pass the toolchain's binary path");
    return fs::canonical(target).string();
  }
  std::string manager = shim_manager(real);
  if (!manager.empty()) {
    std::string target = capture_line({manager, "which", program});
    HRM_CHECK(
        !target.empty() && executable_file(target),
        "resolve_program: the shim " + found + " does not name a binary (`" + manager + " which " + program + "`)",
        "select a version for the shim's manager or pass an absolute path such as /usr/bin/" + program);
    return fs::canonical(target).string();
  }
  return real.string();
}

}  // namespace

std::string resolve_program(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
  }
  std::string resolved = resolve_uncached(name);  // may spawn a process: not under the lock
  std::lock_guard<std::mutex> lock(mutex);
  return cache.emplace(name, resolved).first->second;
}

}  // namespace hrm::sandbox
