// hrm-launch: start one process per rank of a data-parallel job on this node, torchrun-style.
//   hrm-launch --nproc-per-node N [--nnodes M --node-rank R --master-addr A --master-port P] -- hrm-train ...
// Each process gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT (single-node
// jobs without --master-port get a free port, so two jobs on one machine do not collide). SIGINT and
// SIGTERM are forwarded (hrm-train checkpoints and stops). When a rank fails, the others are sent
// SIGTERM and, after a grace period, SIGKILL, so one dead rank takes the whole job down; the exit
// status is the first failing rank's.
#include <CLI/CLI.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

namespace {

volatile std::sig_atomic_t g_forward_signal = 0;
extern "C" void on_signal(int s) { g_forward_signal = s; }

int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

// A TCP port no socket on this machine is bound to now (the kernel's pick for port 0); 0 on failure.
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hrm-launch: run a command once per rank (data-parallel training)"};
  int nproc = 1, nnodes = 1, node_rank = 0, master_port = 29500;
  double grace_s = 30;
  std::string master_addr = "127.0.0.1";
  std::vector<std::string> command;
  app.add_option("--nproc-per-node", nproc, "processes on this node")->check(CLI::PositiveNumber);
  app.add_option("--nnodes", nnodes, "nodes in the job")->check(CLI::PositiveNumber);
  app.add_option("--node-rank", node_rank, "this node's index (0 .. nnodes-1)")->check(CLI::NonNegativeNumber);
  app.add_option("--master-addr", master_addr, "address of rank 0's node");
  auto* port_option =
      app.add_option("--master-port", master_port,
                     "TCP port of the rendezvous store on rank 0 (default: 29500; a free port on one node)")
          ->check(CLI::Range(1, 65535));
  app.add_option("--grace", grace_s, "seconds between SIGTERM and SIGKILL when a rank fails");
  app.add_option("command", command, "the command to run (after --)")->required();
  CLI11_PARSE(app, argc, argv);
  if (node_rank >= nnodes) {
    std::cerr << "error: --node-rank " << node_rank << " must be below --nnodes " << nnodes << "\n";
    return 2;
  }
  if (nnodes == 1 && port_option->count() == 0) {
    if (const int port = free_port(); port > 0) master_port = port;
  }
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const int world = nnodes * nproc;
  std::map<pid_t, int> ranks;  // live children
  for (int local = 0; local < nproc; ++local) {
    const int rank = node_rank * nproc + local;
    const pid_t pid = fork();
    if (pid < 0) {
      std::cerr << "error: fork: " << std::strerror(errno) << "\n";
      for (const auto& [p, r] : ranks) kill(p, SIGKILL);
      return 1;
    }
    if (pid == 0) {
      setenv("RANK", std::to_string(rank).c_str(), 1);
      setenv("WORLD_SIZE", std::to_string(world).c_str(), 1);
      setenv("LOCAL_RANK", std::to_string(local).c_str(), 1);
      setenv("LOCAL_WORLD_SIZE", std::to_string(nproc).c_str(), 1);
      setenv("MASTER_ADDR", master_addr.c_str(), 1);
      setenv("MASTER_PORT", std::to_string(master_port).c_str(), 1);
      std::vector<char*> args;
      for (auto& a : command) args.push_back(a.data());
      args.push_back(nullptr);
      execvp(args[0], args.data());
      std::cerr << "hrm-launch: cannot run '" << command[0] << "': " << std::strerror(errno) << "\n";
      _exit(127);
    }
    ranks[pid] = rank;
  }

  int result = 0;
  bool stopping = false;
  auto kill_deadline = std::chrono::steady_clock::time_point::max();
  while (!ranks.empty()) {
    if (g_forward_signal != 0) {
      for (const auto& [p, r] : ranks) kill(p, g_forward_signal);
      g_forward_signal = 0;
    }
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0 && ranks.count(pid)) {
      const int rank = ranks[pid];
      ranks.erase(pid);
      const int code = exit_code(status);
      if (code != 0 && result == 0) result = code;
      if (code != 0 && !stopping && !ranks.empty()) {
        std::cerr << "hrm-launch: rank " << rank << " exited with status " << code << "; stopping the other "
                  << ranks.size() << " rank(s)\n";
        for (const auto& [p, r] : ranks) kill(p, SIGTERM);
        stopping = true;
        kill_deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(grace_s * 1000));
      }
      continue;
    }
    if (stopping && std::chrono::steady_clock::now() > kill_deadline) {
      for (const auto& [p, r] : ranks) {
        std::cerr << "hrm-launch: rank " << r << " did not stop within " << grace_s << " s; killing it\n";
        kill(p, SIGKILL);
      }
      kill_deadline = std::chrono::steady_clock::time_point::max();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return result;
}
