#include "hrm/train/launch.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <thread>

#include "hrm/util/error.hpp"

namespace hrm {

namespace {

using Clock = std::chrono::steady_clock;

volatile std::sig_atomic_t g_forward_signal = 0;
extern "C" void remember_signal(int s) { g_forward_signal = s; }

// SIGINT/SIGTERM only set g_forward_signal while this object lives; the old handlers come back after.
class ForwardSignals {
 public:
  ForwardSignals() {
    g_forward_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = remember_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~ForwardSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  ForwardSignals(const ForwardSignals&) = delete;
  ForwardSignals& operator=(const ForwardSignals&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

void check_options(const LaunchOptions& o) {
  HRM_CHECK(o.nproc_per_node >= 1, "--nproc-per-node must be >= 1 (got " + std::to_string(o.nproc_per_node) + ")");
  HRM_CHECK(o.nnodes >= 1, "--nnodes must be >= 1 (got " + std::to_string(o.nnodes) + ")");
  HRM_CHECK(o.node_rank >= 0 && o.node_rank < o.nnodes, "--node-rank " + std::to_string(o.node_rank) +
                                                            " must be in 0 .. --nnodes - 1 (" +
                                                            std::to_string(o.nnodes - 1) + ")");
  HRM_CHECK(o.master_port >= 0 && o.master_port <= 65535,
            "--master-port " + std::to_string(o.master_port) + " is not a TCP port");
  HRM_CHECK(o.grace_seconds >= 0, "--grace must be >= 0 seconds");
  HRM_CHECK(!o.command.empty(), "no command to launch", "hrm-launch --nproc-per-node 2 -- hrm-train --config x.yaml");
}

int resolve_port(const LaunchOptions& o) {
  if (o.master_port != 0) return o.master_port;
  if (o.nnodes == 1) {
    if (const int port = free_port(); port > 0) return port;
  }
  return 29500;
}

// In the child: the rank's environment, then exec (exit 127 when the command cannot be run).
[[noreturn]] void exec_rank(const LaunchOptions& o, int local, int port) {
  // Until exec the launcher's handlers would swallow a forwarded signal; the default action ends the rank.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  const int rank = o.node_rank * o.nproc_per_node + local;
  setenv("RANK", std::to_string(rank).c_str(), 1);
  setenv("WORLD_SIZE", std::to_string(o.nnodes * o.nproc_per_node).c_str(), 1);
  setenv("LOCAL_RANK", std::to_string(local).c_str(), 1);
  setenv("LOCAL_WORLD_SIZE", std::to_string(o.nproc_per_node).c_str(), 1);
  setenv("MASTER_ADDR", o.master_addr.c_str(), 1);
  setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<std::string> args = o.command;
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execvp(argv[0], argv.data());
  std::cerr << "hrm-launch: cannot run '" << o.command[0] << "': " << std::strerror(errno) << "\n";
  _exit(127);
}

// The live ranks of a job and what happens when one ends.
class Job {
 public:
  explicit Job(double grace_seconds) : grace_(grace_seconds) {}

  void add(pid_t pid, int rank) { ranks_[pid] = rank; }
  bool running() const { return !ranks_.empty(); }
  void signal_all(int sig) const {
    for (const auto& [pid, rank] : ranks_) kill(pid, sig);
  }
  int result() const { return result_; }

  // A signal the launcher received goes to every rank; their exits are then expected, not failures.
  void forward(int sig) {
    signal_all(sig);
    stopping_ = true;
  }

  // Collects an ended rank, if any (only this job's children); the first failure stops the others.
  bool reap() {
    for (auto it = ranks_.begin(); it != ranks_.end(); ++it) {
      int status = 0;
      if (waitpid(it->first, &status, WNOHANG) != it->first) continue;
      const int rank = it->second, code = exit_status(status);
      ranks_.erase(it);
      if (code != 0 && result_ == 0) result_ = code;
      if (code != 0 && !stopping_ && running()) stop_others(rank, code);
      return true;
    }
    return false;
  }

  // SIGKILL for ranks still alive a grace period after they were asked to stop.
  void enforce_grace() {
    if (!stopping_ || Clock::now() < kill_at_) return;
    for (const auto& [pid, rank] : ranks_) {
      std::cerr << "hrm-launch: rank " << rank << " did not stop within " << grace_ << " s; killing it\n";
      kill(pid, SIGKILL);
    }
    kill_at_ = Clock::time_point::max();
  }

 private:
  // The first failure: SIGTERM to the others now, SIGKILL after the grace period (enforce_grace).
  void stop_others(int failed_rank, int code) {
    std::cerr << "hrm-launch: rank " << failed_rank << " exited with status " << code << "; stopping the other "
              << ranks_.size() << " rank(s)\n";
    signal_all(SIGTERM);
    stopping_ = true;
    kill_at_ = Clock::now() + std::chrono::microseconds(static_cast<int64_t>(grace_ * 1e6));
  }

  double grace_;
  std::map<pid_t, int> ranks_;
  int result_ = 0;
  bool stopping_ = false;
  Clock::time_point kill_at_ = Clock::time_point::max();
};

}  // namespace

int exit_status(int wait_status) {
  return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
}

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

int launch(const LaunchOptions& options) {
  check_options(options);
  const int port = resolve_port(options);
  const ForwardSignals forward;
  Job job(options.grace_seconds);
  for (int local = 0; local < options.nproc_per_node; ++local) {
    const pid_t pid = fork();
    if (pid < 0) {
      const std::string why = std::strerror(errno);
      job.signal_all(SIGKILL);
      while (job.running()) {
        if (!job.reap()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      throw Error("hrm-launch: fork of local rank " + std::to_string(local) + " failed: " + why);
    }
    if (pid == 0) exec_rank(options, local, port);
    job.add(pid, options.node_rank * options.nproc_per_node + local);
  }
  while (job.running()) {
    if (const int sig = g_forward_signal; sig != 0) {
      g_forward_signal = 0;
      job.forward(sig);
    }
    if (job.reap()) continue;
    job.enforce_grace();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return job.result();
}

}  // namespace hrm
