// Hostile programs: each must be contained, reported with the right verdict, leave no process behind
// (checked in TearDown) and leave the host and this test process running.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "hrm/util/parallel.hpp"
#include "sandbox_test_util.hpp"

namespace hrm::sandbox::testing {
namespace {

TEST_F(SandboxTest, CannotConnectToAHostListenerOnLoopback) {
  if (!sandbox_has("network namespace") && !sandbox_has("seccomp") && std::getenv("HRM_SANDBOX_DISABLE")) {
    GTEST_SKIP() << "both the network namespace and seccomp are disabled by HRM_SANDBOX_DISABLE";
  }
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(listener, 4), 0);
  socklen_t len = sizeof(addr);
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);

  std::string py =
      "import socket, sys\n"
      "for fam, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):\n"
      "    try:\n"
      "        s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(2); s.connect((host, " +
      std::to_string(port) +
      "))\n"
      "        print('CONNECTED'); sys.exit(0)\n"
      "    except OSError as e:\n"
      "        print('refused', e.errno)\n";
  RunResult r = run(request({"/usr/bin/python3", "-c", py}));
  EXPECT_EQ(r.verdict, Verdict::kExited) << describe(r);
  EXPECT_EQ(r.stdout_data.find("CONNECTED"), std::string::npos) << describe(r);
  EXPECT_NE(r.stdout_data.find("refused"), std::string::npos) << describe(r);
  pollfd pfd{listener, POLLIN, 0};
  EXPECT_EQ(poll(&pfd, 1, 0), 0) << "the listener saw a connection";
  close(listener);

  // Raw C, no Python in between: socket() itself is refused for anything but AF_UNIX.
  std::string bin = compile_c("net", R"(
    #include <stdio.h>
    #include <sys/socket.h>
    #include <errno.h>
    int main(void) {
      int in = socket(AF_INET, SOCK_STREAM, 0), e1 = errno;
      int nl = socket(AF_NETLINK, SOCK_RAW, 0), e2 = errno;
      int un = socket(AF_UNIX, SOCK_STREAM, 0);
      printf("%d %d %d %d %d\n", in, e1 == EAFNOSUPPORT, nl, e2 == EAFNOSUPPORT, un >= 0);
      return 0;
    })");
  r = run(request({bin}));
  if (sandbox_has("seccomp")) {
    EXPECT_EQ(r.stdout_data, "-1 1 -1 1 1\n") << describe(r);
  }
}

TEST_F(SandboxTest, CannotWriteOutsideTheWorkDir) {
  HRM_REQUIRE_PROTECTION("mount namespace");
  std::string source_dir = HRM_SOURCE_DIR;
  // System directories, the project and root's home: every write must fail.
  std::vector<std::string> refused = {"/usr/hrm-x",          "/etc/hrm-x",  "/hrm-x",     "/opt/hrm-x",
                                      source_dir + "/hrm-x", "/root/hrm-x", "/sys/hrm-x", "/proc/hrm-x"};
  std::string script = "for f in";
  for (const auto& f : refused) script += " " + f;
  script +=
      "; do\n"
      "  if echo pwned > $f 2>/dev/null; then echo WROTE $f; fi\n"
      "done\n"
      "ln -s /etc/passwd link 2>/dev/null; echo pwned > link 2>/dev/null && echo WROTE through link\n"
      "ln /etc/passwd hard 2>/dev/null && echo HARDLINKED\n"
      // The work dir's parent exists inside only as an empty directory of the private /tmp.
      "echo pwned > " +
      dir_.string() +
      "/hrm-x 2>/dev/null\n"
      "echo done\n";
  RunResult r = sh(script);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, "done\n") << describe(r);
  refused.push_back(dir_.string() + "/hrm-x");
  for (const auto& f : refused) {
    std::error_code ec;
    EXPECT_FALSE(fs::exists(f, ec)) << f;
  }
  EXPECT_EQ(slurp("/etc/passwd").find("pwned"), std::string::npos);
}

TEST_F(SandboxTest, CannotReadSecretsPlantedOutsideTheWorkDir) {
  HRM_REQUIRE_PROTECTION("mount namespace");
  // World-readable secrets in the host's /tmp, next to the work dir, in the project checkout (build
  // dir) and in root's home: none may be visible.
  const std::string secret = "hrm-secret-" + std::to_string(getpid());
  std::vector<fs::path> planted = {dir_ / "secret.txt", fs::path("/tmp") / (secret + ".txt"),
                                   fs::path(HRM_BINARY_DIR) / (secret + ".txt")};
  for (const auto& p : planted) {
    spit(p, secret);
    chmod(p.c_str(), 0644);
  }
  std::string script = "for f in";
  for (const auto& p : planted) script += " " + p.string();
  script += " " + std::string(HRM_SOURCE_DIR) +
            "/CMakeLists.txt /root/.bashrc /root/.npmrc /etc/shadow; do cat $f; done 2>/dev/null;"
            " grep -r " +
            secret + " /tmp /var/tmp /home /dev/shm 2>/dev/null; ls -A /root; echo end";
  RunResult r = sh(script);
  for (const auto& p : planted) fs::remove(p);
  // Root's home shows only the toolchains that live there.
  std::string out = r.stdout_data;
  for (const char* allowed : {".cargo\n", ".rustup\n"}) {
    size_t at = out.find(allowed);
    if (at != std::string::npos) out.erase(at, strlen(allowed));
  }
  EXPECT_EQ(out, "end\n") << describe(r);
  EXPECT_TRUE(fs::exists(std::string(HRM_SOURCE_DIR) + "/CMakeLists.txt"));
}

TEST_F(SandboxTest, ForkBombIsBoundedAndCleanedUp) {
  // Counts how many processes it can create, then leaves them all sleeping and exits.
  std::string counter = compile_c("forkcount", R"(
    #include <stdio.h>
    #include <unistd.h>
    int main(void) {
      int n = 0;
      for (;;) {
        pid_t p = fork();
        if (p == 0) { pause(); _exit(0); }
        if (p < 0) break;
        ++n;
      }
      printf("%d\n", n);
      return 0;
    })");
  RunRequest req = request({counter});
  req.limits.max_processes = 40;
  RunResult r = run(req);
  ASSERT_TRUE(r.ok()) << describe(r);
  int forked = std::stoi(r.stdout_data);
  EXPECT_GT(forked, 0);
  EXPECT_LE(forked, 40) << "the process limit did not hold";

  // The classic: every process forks forever. Contained until the wall limit, then all killed.
  std::string bomb = compile_c("forkbomb", R"(
    #include <unistd.h>
    int main(void) { for (;;) fork(); })");
  req = request({bomb});
  req.limits.max_processes = 40;
  req.limits.wall_seconds = 1.5;
  auto start = std::chrono::steady_clock::now();
  r = run(req);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_TRUE(r.verdict == Verdict::kWallTimeout || r.verdict == Verdict::kCpuTimeout) << describe(r);
  EXPECT_LT(took, 6.0);
  // The host can still create processes.
  EXPECT_EQ(std::system("true"), 0);
}

TEST_F(SandboxTest, MemoryBombIsStopped) {
  std::string bin = compile_c("membomb", R"(
    #include <stdlib.h>
    #include <string.h>
    #include <stdio.h>
    int main(void) {
      size_t total = 0;
      for (;;) {
        char* p = malloc(16 << 20);
        if (!p) { printf("malloc failed at %zu MB\n", total >> 20); return 1; }
        memset(p, 1, 16 << 20);
        total += 16 << 20;
      }
    })");
  RunRequest req = request({bin});
  req.limits.memory_bytes = 256LL << 20;
  RunResult r = run(req);
  if (sandbox_has("cgroup memory")) {
    EXPECT_EQ(r.verdict, Verdict::kMemoryLimit) << describe(r);
    EXPECT_LE(r.peak_memory_bytes, 260LL << 20);
    EXPECT_GE(r.peak_memory_bytes, 200LL << 20);
  } else {
    EXPECT_EQ(r.verdict, Verdict::kExited) << describe(r);  // RLIMIT_AS: malloc fails
    EXPECT_EQ(r.exit_code, 1);
  }
}

TEST_F(SandboxTest, InfiniteLoopHitsTheCpuLimit) {
  Limits lim;
  lim.cpu_seconds = 1;
  lim.wall_seconds = 60;  // far away: on a loaded machine one CPU second takes many wall seconds
  RunResult r = sh("while :; do :; done", lim);
  EXPECT_EQ(r.verdict, Verdict::kCpuTimeout) << describe(r);
  // RLIMIT_CPU samples at ticks, the cgroup counts nanoseconds: under contention they differ.
  EXPECT_GE(r.cpu_seconds, 0.5);

  // CPU spread over several processes counts for the tree (cgroup), not per process.
  if (sandbox_has("cgroup cpu")) {
    r = sh("for i in 1 2 3 4; do (while :; do :; done) & done; wait", lim);
    EXPECT_EQ(r.verdict, Verdict::kCpuTimeout) << describe(r);
    EXPECT_LT(r.cpu_seconds, 2.5) << "each process alone stays under RLIMIT_CPU; the tree must not";
  }
}

TEST_F(SandboxTest, SleepPastTheWallLimitIsKilled) {
  Limits lim;
  lim.wall_seconds = 0.5;
  RunResult r = sh("echo before; sleep 30; echo after", lim);
  EXPECT_EQ(r.verdict, Verdict::kWallTimeout) << describe(r);
  EXPECT_EQ(r.stdout_data, "before\n");
  EXPECT_LT(r.wall_seconds, 2.0);
  EXPECT_GE(r.wall_seconds, 0.5);
}

TEST_F(SandboxTest, OutputFloodIsTruncatedAndMarked) {
  Limits lim;
  lim.max_output_bytes = 64 << 10;
  lim.wall_seconds = 10;
  RunResult r = run([&] {
    RunRequest q = request({"/usr/bin/yes", "flood"});
    q.limits = lim;
    return q;
  }());
  EXPECT_EQ(r.verdict, Verdict::kOutputLimit) << describe(r);
  EXPECT_TRUE(r.stdout_truncated);
  EXPECT_FALSE(r.stderr_truncated);
  EXPECT_EQ(r.stdout_data.size(), static_cast<size_t>(64 << 10));
  EXPECT_EQ(r.stdout_data.substr(0, 12), "flood\nflood\n");
  EXPECT_LT(r.wall_seconds, 3.0);

  // Just under the cap is not a flood.
  r = sh("head -c 65536 /dev/zero", lim);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_FALSE(r.stdout_truncated);
  EXPECT_EQ(r.stdout_data.size(), static_cast<size_t>(64 << 10));
}

TEST_F(SandboxTest, CannotSignalTheCallerOrOtherRuns) {
  if (!sandbox_has("pid namespace") && !sandbox_has("unprivileged uid")) {
    // Not root and no namespaces: the program runs as the caller's uid and kill(-1) reaches the caller.
    HRM_REQUIRE_PROTECTION("pid namespace");
  }
  std::string bin = compile_c("killer", R"(
    #include <signal.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <unistd.h>
    int main(void) {
      pid_t host = (pid_t)atoi(getenv("HOST_PID"));
      int a = kill(-1, SIGKILL);
      int b = kill(getppid(), SIGKILL);
      int c = kill(1, SIGKILL);
      int d = kill(host, SIGKILL);
      int e = kill(-host, SIGKILL);
      printf("still here %d %d %d %d %d\n", a, b, c, d, e);
      return 0;
    })");
  // A neighbour run that must survive the attack, side by side with the attacker.
  RunRequest neighbour = request({"/bin/sh", "-c", "sleep 1; echo alive"});
  fs::path other = dir_ / "other";
  fs::create_directories(other);
  neighbour.work_dir = other;
  RunRequest attack = request({bin});
  attack.env["HOST_PID"] = std::to_string(getpid());
  RunResult s, r;
  parallel_for(2, 2, [&](size_t i) {
    if (i == 0) {
      s = run(neighbour);
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the neighbour is running
    r = run(attack);
  });
  EXPECT_EQ(r.verdict, Verdict::kExited) << describe(r);
  EXPECT_EQ(r.stdout_data.rfind("still here", 0), 0u) << describe(r);
  EXPECT_TRUE(s.ok()) << describe(s);
  EXPECT_EQ(s.stdout_data, "alive\n");
}

TEST_F(SandboxTest, DaemonsDieWithTheRun) {
  // setsid + double fork, stdio closed: a classic daemon writing a heartbeat into the work dir.
  std::string py =
      "import os, time\n"
      "if os.fork() == 0:\n"
      "    os.setsid()\n"
      "    if os.fork() == 0:\n"
      "        for fd in (0, 1, 2): os.close(fd)\n"
      "        n = 0\n"
      "        while True:\n"
      "            n += 1\n"
      "            with open('heartbeat', 'w') as f: f.write(str(n))\n"
      "            time.sleep(0.02)\n"
      "    os._exit(0)\n"
      "time.sleep(0.3)\n"
      "print('parent done')\n";
  RunResult r = run(request({"/usr/bin/python3", "-c", py}));
  ASSERT_TRUE(r.ok()) << describe(r);
  ASSERT_TRUE(fs::exists(work_ / "heartbeat")) << "the daemon never ran";
  std::string beat = slurp(work_ / "heartbeat");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(slurp(work_ / "heartbeat"), beat) << "the daemon outlived the run";
  // Background jobs holding stdout do not hold the run open either.
  Limits lim;
  lim.wall_seconds = 5;
  r = sh("(sleep 30; echo late) & echo early", lim);
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, "early\n");
  EXPECT_LT(r.wall_seconds, 3.0);
}

TEST_F(SandboxTest, SeccompDeniesNamespacesTracingAndMounts) {
  HRM_REQUIRE_PROTECTION("seccomp");
  std::string bin = compile_c("sys", R"(
    #define _GNU_SOURCE
    #include <errno.h>
    #include <sched.h>
    #include <stdio.h>
    #include <sys/mount.h>
    #include <sys/ptrace.h>
    #include <sys/syscall.h>
    #include <unistd.h>
    int main(void) {
      int r1 = unshare(CLONE_NEWUSER);              int e1 = errno;
      int r2 = ptrace(PTRACE_TRACEME, 0, 0, 0);     int e2 = errno;
      int r3 = mount("none", "/tmp", "tmpfs", 0, 0); int e3 = errno;
      int r4 = syscall(SYS_bpf, 0, 0, 0);           int e4 = errno;
      int r5 = syscall(SYS_keyctl, 0, 0, 0);        int e5 = errno;
      int r6 = syscall(SYS_perf_event_open, 0, 0, -1, -1, 0); int e6 = errno;
      printf("%d%d%d%d%d%d\n", r1 == -1 && e1 == EPERM, r2 == -1 && e2 == EPERM, r3 == -1 && e3 == EPERM,
             r4 == -1 && e4 == EPERM, r5 == -1 && e5 == EPERM, r6 == -1 && e6 == EPERM);
      pid_t child = fork();  /* plain fork and threads stay allowed */
      if (child == 0) _exit(0);
      return child > 0 ? 0 : 1;
    })");
  RunResult r = run(request({bin}));
  EXPECT_TRUE(r.ok()) << describe(r);
  EXPECT_EQ(r.stdout_data, "111111\n") << describe(r);
}

}  // namespace
}  // namespace hrm::sandbox::testing
