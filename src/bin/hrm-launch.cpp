// hrm-launch: start one process per rank of a data-parallel job on this node, torchrun-style.
//   hrm-launch --nproc-per-node N [--nnodes M --node-rank R --master-addr A --master-port P] -- hrm-train ...
// The launcher is hrm::launch (include/hrm/train/launch.hpp): rank environment, signal forwarding, one
// failed rank stopping the job; the exit status is the first failing rank's.
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "hrm/train/launch.hpp"
#include "hrm/util/run_main.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"hrm-launch: run a command once per rank (data-parallel training)"};
  hrm::LaunchOptions o;
  app.add_option("--nproc-per-node", o.nproc_per_node, "processes on this node")->check(CLI::PositiveNumber);
  app.add_option("--nnodes", o.nnodes, "nodes in the job")->check(CLI::PositiveNumber);
  app.add_option("--node-rank", o.node_rank, "this node's index (0 .. nnodes-1)")->check(CLI::NonNegativeNumber);
  app.add_option("--master-addr", o.master_addr, "address of rank 0's node");
  app.add_option("--master-port", o.master_port,
                 "TCP port of the rendezvous store on rank 0 (default: a free port on one node, else 29500)")
      ->check(CLI::Range(1, 65535));
  app.add_option("--grace", o.grace_seconds, "seconds between SIGTERM and SIGKILL when a rank fails");
  app.add_option("command", o.command, "the command to run (after --)")->required();
  CLI11_PARSE(app, argc, argv);
  return hrm::launch(o);
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
