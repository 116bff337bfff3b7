// One Polyglot exercise on disk (Exercism layout) and the chat Aider's harness builds for it.
// Layout: <data>/<language>/exercises/practice/<slug>/ with .docs/{introduction,instructions,
// instructions.append}.md and .meta/config.json listing files.{solution,test,example}.
//
// Exports: Exercise, exercise_dirs(), find_exercises(), load_exercise(), reference_solution(), read_files(),
// instructions_request(), build_messages(), kLanguages.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "hrm/eval/edit_format.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::eval {

// The six Polyglot languages, in report order.
extern const std::vector<std::string> kLanguages;

struct Exercise {
  std::string language;  // "cpp", "go", "java", "javascript", "python", "rust"
  std::string slug;      // "all-your-base"
  std::filesystem::path dir;
  std::vector<std::string> solution_files;  // relative to dir; what the model sees and edits
  std::vector<std::string> test_files;      // relative to dir; restored before every test run
  std::vector<std::string> example_files;   // relative to dir; the reference solution (.meta/...)
  std::string id() const { return language + "/" + slug; }
};

// Reads <dir>/.meta/config.json; throws hrm::Error naming the file and field when it is malformed.
Exercise load_exercise(const std::filesystem::path& dir, const std::string& language);

// The exercise folders (those with a .meta/config.json) in a track's exercises/practice folder, sorted.
std::vector<std::filesystem::path> exercise_dirs(const std::filesystem::path& practice);

// Exercises of `languages` (empty: all six) under `data_dir` whose slug or "<lang>/<slug>" matches one of
// the comma-separated shell globs in `pattern` (empty: all), sorted by language then slug. Throws when
// `data_dir` has none of the languages (not a polyglot-benchmark checkout).
std::vector<Exercise> find_exercises(const std::filesystem::path& data_dir, const std::vector<std::string>& languages,
                                     const std::string& pattern);

// File -> reference contents: each .meta example file goes to the solution file with the same base name,
// else to the only one with the same extension that no other example claims by name, else (a helper
// class such as Java's Frame.java) to a new file beside the solution file with that extension. Rust's
// .meta/Cargo-example.toml replaces Cargo.toml.
std::map<std::string, std::string> reference_solution(const Exercise& exercise);

// path -> contents for `files` under `root` (a missing file reads as empty).
std::map<std::string, std::string> read_files(const std::filesystem::path& root, const std::vector<std::string>& files);

// introduction + instructions + instructions.append (those present), separated by blank lines.
std::string instructions_text(const Exercise& exercise);

// The instructions with Aider's addendum ("Use the above instructions to modify the supplied files: ...").
std::string instructions_request(const Exercise& exercise);

// The chat for try `attempt` (1-based): system prompt for the edit format, the current solution files,
// the instructions with Aider's addendum, then for each earlier try the model's reply and the cleaned test
// output with Aider's "See the testing errors above" request. `replies` and `test_outputs` hold the
// earlier tries (attempt - 1 entries each).
std::vector<ChatMessage> build_messages(const Exercise& exercise, EditFormat format,
                                        const std::map<std::string, std::string>& current_files,
                                        const std::vector<std::string>& replies,
                                        const std::vector<std::string>& test_outputs);

// True when `text` matches the shell glob `pattern` (*, ?, [...]).
bool glob_match(const std::string& pattern, const std::string& text);

}  // namespace hrm::eval
