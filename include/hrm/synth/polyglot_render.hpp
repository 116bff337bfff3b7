// One synthetic task as a Polyglot exercise (Exercism layout, the files hrm-eval --bench polyglot
// reads): .docs/instructions.md, .meta/config.json, the stub solution, the reference under .meta/ and
// unit tests in the language's native framework (pytest/unittest, Jest, JUnit 5, go test, cargo test,
// a CMake-built C++ test that runs inside `make`, as the C++ fixtures do).
//
// Exports: ExerciseFiles, polyglot_exercise(), solution_file(), write_exercise().
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hrm/synth/family.hpp"

namespace hrm::synth {

struct ExerciseFiles {
  std::string language, slug;
  std::map<std::string, std::string> files;  // relative path -> contents (tests, stub, .meta, .docs, build files)
  std::string solution_path;                 // the file the model edits (C++: the .cpp; the header stays)
};

// `function` is the complete function text (function_source()); returns the whole solution file.
std::string solution_file(const Family& family, const Instance& inst, const std::string& language,
                          const std::string& function);

// The exercise for `inst` in `language`, named `slug` (unique within the language).
ExerciseFiles polyglot_exercise(const Family& family, const Instance& inst, const std::string& language,
                                const std::string& slug);

// Writes every file under `dir` (created; existing files overwritten).
void write_exercise(const ExerciseFiles& exercise, const std::filesystem::path& dir);

}  // namespace hrm::synth
