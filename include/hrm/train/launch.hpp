// launch — start one process per rank of a data-parallel job on this node, torchrun-style (hrm-launch).
// Each process gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT (single-node
// jobs without a fixed port get a free one, so two jobs on one machine do not collide). While the job
// runs, SIGINT and SIGTERM sent to the launcher are forwarded to every rank (hrm-train checkpoints and
// stops). When a rank fails, the others are sent SIGTERM and, after a grace period, SIGKILL, so one dead
// rank takes the whole job down. Plain POSIX (fork/exec/waitpid): no LibTorch here.
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace hrm {

struct LaunchOptions {
  int nproc_per_node = 1;
  int nnodes = 1;
  int node_rank = 0;  // this node's index, 0 .. nnodes-1
  std::string master_addr = "127.0.0.1";
  int master_port = 0;               // 0: a free port (single node), else 29500 (torchrun's default)
  double grace_seconds = 30;         // between SIGTERM and SIGKILL when a rank fails
  std::vector<std::string> command;  // argv of every rank (found on PATH)
};

// Runs the job to its end and returns its exit status: 0 when every rank exited 0, else the status of
// the first rank that failed (a rank killed by signal s counts as 128 + s; a command that cannot be
// run as 127). SIGINT/SIGTERM handlers are installed for the call and the previous ones restored.
// Throws hrm::Error for invalid options (naming the flag) or when no rank can be started.
int launch(const LaunchOptions& options);

// The shell's exit status of a waitpid() status: WEXITSTATUS, or 128 + the signal that killed it.
int exit_status(int wait_status);

// A TCP port no socket on this machine is bound to now (the kernel's pick for port 0); 0 on failure.
int free_port();

}  // namespace hrm
