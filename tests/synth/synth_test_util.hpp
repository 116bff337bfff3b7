// What the synth integration tests share: running a real hrm binary, a scratch directory per test, and
// reading the JSONL files the builders write.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>
#include "../read_jsonl.hpp"
#include "../run_command.hpp"
#include "../scratch_dir.hpp"

namespace hrm::synth::testing {

using hrm::testing::CommandResult;

// `binary` of this build (hrm-data, hrm-eval) with `args`.
inline CommandResult run(const std::string& binary, const std::string& args) {
  return hrm::testing::run_command(hrm::testing::binary_path(binary) + " " + args);
}

using hrm::testing::read_jsonl;

}  // namespace hrm::synth::testing
