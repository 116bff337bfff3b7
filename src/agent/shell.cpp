#include "hrm/agent/shell.hpp"

namespace hrm::agent {

namespace fs = std::filesystem;

std::map<std::string, std::string> shell_env(const eval::Toolchains& tools, const fs::path& go_cache) {
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  if (!tools.node.empty()) path = fs::path(tools.node).parent_path().string() + ":" + path;
  path = tools.go_root + "/bin:" + path;
  if (!tools.rust_bin_dir.empty()) path = tools.rust_bin_dir + ":" + path;
  const char* const date = "2026-01-01T12:00:00+0000";
  auto env = eval::base_env();
  env["PATH"] = path;
  env.insert({{"PYTHONDONTWRITEBYTECODE", "1"},
              {"GOROOT", tools.go_root},
              {"GOCACHE", go_cache.empty() ? "/tmp/go-build" : go_cache.string()},
              {"GOPATH", "/tmp/gopath"},
              {"GOPROXY", "off"},
              {"GOSUMDB", "off"},
              {"GOTOOLCHAIN", "local"},
              {"GOFLAGS", "-mod=mod"},
              {"CGO_ENABLED", "0"},
              {"GODEBUG", "goindex=0"},
              {"CARGO_HOME", "/tmp/cargo-home"},
              {"CARGO_NET_OFFLINE", "true"},
              {"CARGO_INCREMENTAL", "0"},
              {"CARGO_TERM_COLOR", "never"},
              {"npm_config_cache", "/tmp/npm-cache"},
              {"npm_config_offline", "true"},
              {"npm_config_audit", "false"},
              {"npm_config_fund", "false"},
              {"npm_config_update_notifier", "false"},
              {"GIT_AUTHOR_NAME", "hrm agent"},
              {"GIT_AUTHOR_EMAIL", "agent@hrm.invalid"},
              {"GIT_COMMITTER_NAME", "hrm agent"},
              {"GIT_COMMITTER_EMAIL", "agent@hrm.invalid"},
              {"GIT_AUTHOR_DATE", date},
              {"GIT_COMMITTER_DATE", date},
              {"GIT_CONFIG_NOSYSTEM", "1"},
              {"GIT_PAGER", "cat"},
              {"PAGER", "cat"}});
  return env;
}

sandbox::RunResult run_shell(const fs::path& workspace, const std::string& script, const ToolOptions& options,
                             double timeout_seconds) {
  sandbox::RunRequest r;
  r.work_dir = workspace;
  r.env = options.env;
  r.env["PWD"] = workspace.string();
  r.limits.wall_seconds = timeout_seconds;
  r.limits.cpu_seconds = timeout_seconds * 2;
  r.limits.memory_bytes = 4LL << 30;  // the JVM and Go reserve address space generously
  r.limits.max_processes = 256;
  r.limits.max_file_bytes = 256LL << 20;
  r.limits.max_open_files = 1024;
  r.limits.max_output_bytes = 1 << 20;
  r.extra_writable = options.extra_writable;
  r.extra_readable = options.extra_readable;
  r.argv = {"/bin/sh", "-c", "exec 2>&1\n" + script};
  return sandbox::run(r);
}

}  // namespace hrm::agent
