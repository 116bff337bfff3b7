// `hrm doctor`: what this machine gives hrm (LibTorch, CUDA, threads, BLAS speed, sandbox protections).
#include <CLI/CLI.hpp>
#include <iostream>

#include "hrm/model/runtime.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/run_main.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"hrm: Hierarchical Reasoning Model tools"};
  app.require_subcommand(1);
  int threads = 0;
  auto* doctor = app.add_subcommand("doctor", "Print the runtime environment and warn about slow setups");
  doctor->add_option("--threads", threads, "LibTorch intra-op threads (default: all cores)");
  CLI11_PARSE(app, argc, argv);
  hrm::configure_threads(threads);
  std::cout << hrm::format_runtime_report(hrm::probe_runtime()) << std::endl;
  // Sandbox protections: what isolates evaluated code on this machine (docs/sandbox.md).
  std::cout << "\nsandbox protections:\n" << hrm::sandbox::format_protections(hrm::sandbox::protections());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
