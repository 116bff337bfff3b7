// Tool-call overhead: the same command run N times through the agent's bash tool (argument checking,
// the sandbox run, result formatting and truncation) and as the sandbox run alone (run_shell), interleaved;
// and read_file / edit_file calls, which do not start a sandbox. Prints medians and the difference.
//   tool_overhead [--runs N] [--command 'true']
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "hrm/agent/shell.hpp"
#include "hrm/agent/tools.hpp"
#include "hrm/util/fs.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 100;
  std::string command = "true";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--command")) command = argv[i + 1];
  }
  char tmpl[] = "/tmp/hrm-tool-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  const std::filesystem::path ws = tmpl;
  hrm::write_file_atomic(ws / "a.txt", std::string(200, 'x') + "\nline two\n");
  hrm::agent::ToolOptions options;
  options.env = hrm::agent::shell_env(hrm::eval::Toolchains{}, "");
  const hrm::ToolCall bash{"c", "bash", nlohmann::json({{"command", command}}).dump()};
  std::vector<double> tool, direct, read, edit;
  for (int i = 0; i < runs; ++i) {
    auto t = Clock::now();
    hrm::agent::execute_tool(bash, hrm::agent::kToolNames, ws, options);
    tool.push_back(ms_since(t));
    t = Clock::now();
    hrm::agent::run_shell(ws, command, options, options.bash_timeout_seconds);
    direct.push_back(ms_since(t));
    t = Clock::now();
    hrm::agent::execute_tool({"c", "read_file", R"({"path": "a.txt"})"}, hrm::agent::kToolNames, ws, options);
    read.push_back(ms_since(t));
    const bool even = i % 2 == 0;
    const nlohmann::json args = {
        {"path", "a.txt"}, {"search", even ? "line two\n" : "line 2\n"}, {"replace", even ? "line 2\n" : "line two\n"}};
    t = Clock::now();
    hrm::agent::execute_tool({"c", "edit_file", args.dump()}, hrm::agent::kToolNames, ws, options);
    edit.push_back(ms_since(t));
  }
  std::filesystem::remove_all(ws);
  std::printf("runs: %d, command: %s\n", runs, command.c_str());
  std::printf("bash tool      median %.2f ms\n", median(tool));
  std::printf("sandbox alone  median %.2f ms\n", median(direct));
  std::printf("overhead       %.2f ms per bash call (difference of medians)\n", median(tool) - median(direct));
  std::printf("read_file      median %.3f ms\n", median(read));
  std::printf("edit_file      median %.3f ms\n", median(edit));
  return 0;
}
