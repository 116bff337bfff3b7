// hrm::launch with small real ranks (/bin/sh): the rank environment, one failing rank stopping the
// others, SIGKILL after the grace period, signal forwarding, and the job's exit status.
#include "hrm/train/launch.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "hrm/util/error.hpp"
#include "../cli_error.hpp"
#include "train_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

hrm::LaunchOptions sh_job(int nproc, const std::string& script) {
  hrm::LaunchOptions o;
  o.nproc_per_node = nproc;
  o.command = {"/bin/sh", "-c", script};
  return o;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool wait_for_files(const std::vector<fs::path>& files, double timeout_s) {
  const auto start = Clock::now();
  while (seconds_since(start) < timeout_s) {
    bool all = true;
    for (const auto& f : files) all = all && fs::exists(f);
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(Launch, EveryRankGetsItsEnvironment) {
  const auto dir = hrm::train_test::scratch_dir("launch_env");
  auto o = sh_job(2, "echo $RANK $WORLD_SIZE $LOCAL_RANK $LOCAL_WORLD_SIZE $MASTER_ADDR $MASTER_PORT > " +
                         dir.string() + "/env.$RANK");
  o.nnodes = 2;
  o.node_rank = 1;
  o.master_addr = "10.0.0.7";
  o.master_port = 4242;
  ASSERT_EQ(hrm::launch(o), 0);
  EXPECT_EQ(slurp(dir / "env.2"), "2 4 0 2 10.0.0.7 4242\n");
  EXPECT_EQ(slurp(dir / "env.3"), "3 4 1 2 10.0.0.7 4242\n");
  EXPECT_FALSE(fs::exists(dir / "env.0"));  // node 0's ranks run elsewhere
}

TEST(Launch, OneNodeWithoutAPortPicksAFreeOneForAllRanks) {
  const auto dir = hrm::train_test::scratch_dir("launch_port");
  ASSERT_EQ(hrm::launch(sh_job(2, "echo $MASTER_PORT > " + dir.string() + "/port.$RANK")), 0);
  const auto port = slurp(dir / "port.0");
  EXPECT_EQ(port, slurp(dir / "port.1"));
  EXPECT_GT(std::stoi(port), 0);
}

TEST(Launch, AFailingRankStopsTheOthersAndItsStatusIsTheJobs) {
  // Rank 1 fails at once; rank 0 would sleep for a minute but is sent SIGTERM (exit 143, not the result).
  const auto start = Clock::now();
  const int status = hrm::launch(sh_job(2, "if [ \"$RANK\" = 1 ]; then exit 3; fi; exec sleep 60"));
  EXPECT_EQ(status, 3);
  EXPECT_LT(seconds_since(start), 20.0);
}

TEST(Launch, ARankThatIgnoresSigtermIsKilledAfterTheGracePeriod) {
  auto o = sh_job(2, "trap '' TERM; if [ \"$RANK\" = 0 ]; then exit 5; fi; while :; do sleep 0.05; done");
  o.grace_seconds = 0.3;
  const auto start = Clock::now();
  EXPECT_EQ(hrm::launch(o), 5);
  EXPECT_LT(seconds_since(start), 20.0);
}

TEST(Launch, ExitStatusIs128PlusTheSignalOfARankKilledBySignal) {
  EXPECT_EQ(hrm::launch(sh_job(1, "kill -KILL $$")), 128 + SIGKILL);
  EXPECT_EQ(hrm::launch(sh_job(1, "exit 0")), 0);
  EXPECT_EQ(hrm::launch(sh_job(1, "exit 42")), 42);
  auto missing = sh_job(1, "");
  missing.command = {"/nonexistent/hrm-no-such-program"};
  EXPECT_EQ(hrm::launch(missing), 127);
}

// The launcher runs in a child of the test (so the signal cannot reach the test itself); SIGTERM sent
// to it must reach both ranks, whose traps record it and exit 7.
TEST(Launch, SigtermToTheLauncherReachesEveryRank) {
  const auto dir = hrm::train_test::scratch_dir("launch_signal");
  const auto d = dir.string();
  const auto o = sh_job(2, "trap 'echo term > " + d + "/term.$RANK; exit 7' TERM; touch " + d +
                               "/ready.$RANK; while :; do sleep 0.05; done");
  const pid_t launcher = fork();
  ASSERT_GE(launcher, 0);
  if (launcher == 0) _exit(hrm::launch(o));
  // The ranks start after the launcher installed its handlers, so "ready" means SIGTERM is forwarded.
  const bool ready = wait_for_files({dir / "ready.0", dir / "ready.1"}, 30);
  kill(launcher, SIGTERM);
  int status = 0;
  ASSERT_EQ(waitpid(launcher, &status, 0), launcher);
  ASSERT_TRUE(ready);
  ASSERT_TRUE(WIFEXITED(status)) << "the launcher itself must not die of the signal";
  EXPECT_EQ(WEXITSTATUS(status), 7);
  EXPECT_EQ(slurp(dir / "term.0"), "term\n");
  EXPECT_EQ(slurp(dir / "term.1"), "term\n");
}

TEST(Launch, InvalidOptionsNameTheFlag) {
  const auto error_of = [](hrm::LaunchOptions o) {
    try {
      hrm::launch(o);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  auto o = sh_job(1, "exit 0");
  o.nnodes = 2;
  o.node_rank = 2;
  EXPECT_NE(error_of(o).find("--node-rank 2"), std::string::npos) << error_of(o);
  o = sh_job(0, "exit 0");
  EXPECT_NE(error_of(o).find("--nproc-per-node"), std::string::npos);
  o = sh_job(1, "exit 0");
  o.command.clear();
  EXPECT_NE(error_of(o).find("no command"), std::string::npos);
}

// The binary: flags to LaunchOptions, the job's status as its own, bad flags reported by run_main.
TEST(HrmLaunchBinary, ExitsWithTheFailingRanksStatusAndReportsBadFlags) {
  int status = 0;
  auto log = hrm::train_test::run_command(
      hrm::train_test::bin("hrm-launch") + " --nproc-per-node 2 -- /bin/sh -c 'exit $((RANK + 3))'", status);
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_TRUE(WEXITSTATUS(status) == 3 || WEXITSTATUS(status) == 4) << log;  // whichever rank ended first
  log = hrm::train_test::run_command(hrm::train_test::bin("hrm-launch") + " --nnodes 2 --node-rank 2 -- true", status);
  ASSERT_TRUE(WIFEXITED(status)) << log;
  EXPECT_EQ(WEXITSTATUS(status), 1) << log;
  EXPECT_EQ(log, "error: --node-rank 2 must be in 0 .. --nnodes - 1 (1)\n");
}

TEST(Launch, ExitStatusOfWaitStatuses) {
  for (const auto& [script, expected] : std::vector<std::pair<std::string, int>>{
           {"exit 0", 0}, {"exit 9", 9}, {"kill -TERM $$", 128 + SIGTERM}, {"kill -KILL $$", 128 + SIGKILL}}) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(hrm::exit_status(status), expected) << script;
  }
}

}  // namespace
