// Sandbox overhead: a trivial program (/bin/true) started bare (posix_spawn + waitpid) and through
// hrm::sandbox::run, N times each, interleaved. Prints per-run times and the difference.
//   sandbox_overhead [--runs N] [--program /bin/true] [--ballast-mb M]
// --ballast-mb makes this process as large as an evaluator holding a model (M MiB touched), since the
// sandbox's init is a clone() of the caller.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "hrm/sandbox/sandbox.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

double bare(const char* program) {
  auto t = Clock::now();
  char* argv[] = {const_cast<char*>(program), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, program, nullptr, nullptr, argv, environ) != 0) return -1;
  int status;
  waitpid(pid, &status, 0);
  return ms_since(t);
}

struct Stats {
  double mean, median, p90;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (double x : v) sum += x;
  return {sum / v.size(), v[v.size() / 2], v[v.size() * 9 / 10]};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 200;
  std::string program = "/bin/true";
  size_t ballast_mb = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--runs")) runs = std::atoi(argv[i + 1]);
    if (!strcmp(argv[i], "--program")) program = argv[i + 1];
    if (!strcmp(argv[i], "--ballast-mb")) ballast_mb = std::strtoul(argv[i + 1], nullptr, 10);
  }
  std::vector<char> ballast(ballast_mb << 20, 1);
  char tmpl[] = "/tmp/hrm-sandbox-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  hrm::sandbox::RunRequest request;
  request.argv = {program};
  request.work_dir = tmpl;
  request.env = {{"PATH", "/usr/bin:/bin"}};
  for (const auto& p : hrm::sandbox::protections()) {
    std::printf("  %-18s %s\n", p.name.c_str(), p.active ? "active" : "INACTIVE");
  }
  // Warm up (probe, page cache), then interleave so load changes hit both sides alike.
  hrm::sandbox::run(request);
  bare(program.c_str());
  std::vector<double> b, s;
  for (int i = 0; i < runs; ++i) {
    b.push_back(bare(program.c_str()));
    auto t = Clock::now();
    auto r = hrm::sandbox::run(request);
    s.push_back(ms_since(t));
    if (!r.ok()) {
      std::fprintf(stderr, "sandboxed run failed: %s %s\n", hrm::sandbox::verdict_name(r.verdict), r.error.c_str());
      return 1;
    }
  }
  std::filesystem::remove_all(tmpl);
  Stats sb = stats(b), ss = stats(s);
  std::printf("%s, %d runs each, caller %zu MiB larger (ms)  mean   median    p90\n", program.c_str(), runs,
              ballast.size() >> 20);
  std::printf("  bare (posix_spawn)      %6.2f  %6.2f  %6.2f\n", sb.mean, sb.median, sb.p90);
  std::printf("  sandboxed               %6.2f  %6.2f  %6.2f\n", ss.mean, ss.median, ss.p90);
  std::printf("  added by the sandbox    %6.2f  %6.2f\n", ss.mean - sb.mean, ss.median - sb.median);
  return 0;
}
