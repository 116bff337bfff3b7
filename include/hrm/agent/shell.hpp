// Shell commands of the agent runtime in the sandbox: the environment every command gets (the six
// toolchains, git with a fixed identity and clock, offline package managers) and the run itself.
// The bash tool, task setup scripts and verifiers all run through run_shell().
//
// Exports: shell_env(), ShellRun, run_shell().
#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "hrm/agent/tools.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/sandbox/sandbox.hpp"

namespace hrm::agent {

// PATH with the toolchains' bin dirs, HOME and TMPDIR in the private /tmp, Go/Cargo/npm offline, git's
// author and committer fixed (name, e-mail, date) so that histories are the same on every run.
std::map<std::string, std::string> shell_env(const eval::Toolchains& tools, const std::filesystem::path& go_cache);

// `script` run by /bin/sh in `workspace` (stderr merged into stdout), with `options`' env and limits.
sandbox::RunResult run_shell(const std::filesystem::path& workspace, const std::string& script,
                             const ToolOptions& options, double timeout_seconds);

}  // namespace hrm::agent
