// The tool-use task generator behind `hrm-data tools`: task variants in six families (git, build,
// packages, debugging, shell, multifile), each a function of a seeded generator that varies names,
// values and the position of the fault, and writes the verifier and the reference trajectory along
// with the task. docs/tools.md, "Adding a family".
//
// Exports: TaskVariant, task_variants(), generate_tasks().
#pragma once
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "hrm/agent/task.hpp"

namespace hrm::agent {

struct TaskVariant {
  std::string family;    // git, build, packages, debugging, shell, multifile
  std::string name;      // unique within the family, e.g. "revert-bad-commit"
  std::string language;  // the language its files are written in (or "shell")
  // Fills everything but id, family and language.
  std::function<Task(std::mt19937_64& rng)> make;
};

const std::vector<TaskVariant>& task_variants();

// `per_variant` tasks of every variant (optionally only `families`), ids "<family>/<name>-<n>"; the same
// seed gives the same tasks.
std::vector<Task> generate_tasks(uint64_t seed, int per_variant, const std::vector<std::string>& families = {});

}  // namespace hrm::agent
