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
#include "../run_command.hpp"
#include "../scratch_dir.hpp"

namespace hrm::synth::testing {

using hrm::testing::CommandResult;

// `binary` of this build (hrm-data, hrm-eval) with `args`.
inline CommandResult run(const std::string& binary, const std::string& args) {
  return hrm::testing::run_command(hrm::testing::binary_path(binary) + " " + args);
}

inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& p) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(p);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

}  // namespace hrm::synth::testing
