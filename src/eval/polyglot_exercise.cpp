// Exercise discovery, reference solutions and the Aider-style chat for the Polyglot benchmark.
#include "hrm/eval/polyglot_exercise.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval {

namespace fs = std::filesystem;

const std::vector<std::string> kLanguages = {"cpp", "go", "java", "javascript", "python", "rust"};

namespace {

std::vector<std::string> string_list(const nlohmann::json& files, const char* key, const std::string& where,
                                     bool required) {
  std::vector<std::string> out;
  if (!files.contains(key)) {
    if (required) throw Error(where + ": missing files." + key, "every exercise lists files.solution and files.test");
    return out;
  }
  if (!files[key].is_array()) throw Error(where + ": files." + key + " must be a list of paths");
  for (const auto& v : files[key]) {
    if (!v.is_string()) throw Error(where + ": files." + key + " must be a list of paths");
    const std::string p = v.get<std::string>();
    if (p.empty() || fs::path(p).is_absolute() || p.find("..") != std::string::npos) {
      throw Error(where + ": files." + key + " has an unsafe path '" + p + "'");
    }
    out.push_back(p);
  }
  return out;
}

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string join_names(const std::vector<std::string>& files) {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : " ") + f;
  return out;
}

}  // namespace

bool glob_match(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

Exercise load_exercise(const fs::path& dir, const std::string& language) {
  const fs::path config = dir / ".meta" / "config.json";
  const std::string where = config.string();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(config));
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": invalid JSON: " + e.what());
  }
  if (!j.contains("files") || !j["files"].is_object()) throw Error(where + ": missing the 'files' object");
  Exercise ex;
  ex.language = language;
  ex.slug = dir.filename().string();
  ex.dir = dir;
  ex.solution_files = string_list(j["files"], "solution", where, true);
  ex.test_files = string_list(j["files"], "test", where, true);
  ex.example_files = string_list(j["files"], "example", where, false);
  if (ex.solution_files.empty()) throw Error(where + ": files.solution is empty");
  return ex;
}

std::vector<fs::path> exercise_dirs(const fs::path& practice) {
  std::vector<fs::path> dirs;
  for (const auto& entry : fs::directory_iterator(practice)) {
    if (entry.is_directory() && fs::exists(entry.path() / ".meta" / "config.json")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

std::vector<Exercise> find_exercises(const fs::path& data_dir, const std::vector<std::string>& languages,
                                     const std::string& pattern) {
  const std::vector<std::string>& langs = languages.empty() ? kLanguages : languages;
  for (const auto& l : langs) {
    if (std::find(kLanguages.begin(), kLanguages.end(), l) == kLanguages.end()) {
      throw Error("unknown language '" + l + "'", "use a comma-separated subset of cpp,go,java,javascript,python,rust");
    }
  }
  const auto globs = split_commas(pattern);
  std::vector<Exercise> out;
  bool any_language = false;
  for (const auto& lang : langs) {
    const fs::path practice = data_dir / lang / "exercises" / "practice";
    if (!fs::is_directory(practice)) continue;
    any_language = true;
    for (const auto& d : exercise_dirs(practice)) {
      const std::string slug = d.filename().string();
      bool keep = globs.empty();
      for (const auto& g : globs) keep = keep || glob_match(g, slug) || glob_match(g, lang + "/" + slug);
      if (keep) out.push_back(load_exercise(d, lang));
    }
  }
  if (!any_language) {
    throw Error("'" + data_dir.string() + "' has no <language>/exercises/practice folder",
                "--data must point at a polyglot-benchmark checkout (git clone "
                "https://github.com/Aider-AI/polyglot-benchmark)");
  }
  return out;
}

std::map<std::string, std::string> reference_solution(const Exercise& ex) {
  std::map<std::string, std::string> out;
  auto same_name = [&](const fs::path& e) {
    for (const auto& s : ex.solution_files) {
      if (fs::path(s).filename() == e.filename()) return s;
    }
    return std::string();
  };
  // Solution files some example file claims by name (Java's Foo.java); the others may take an example
  // by extension (.meta/example.py -> bob.py, .meta/proof.ci.js -> bob.js).
  std::set<std::string> claimed;
  for (const auto& example : ex.example_files) {
    if (const auto s = same_name(example); !s.empty()) claimed.insert(s);
  }
  for (const auto& example : ex.example_files) {
    const fs::path e(example);
    std::string target = same_name(e);
    if (target.empty()) {
      std::vector<std::string> by_ext;
      for (const auto& s : ex.solution_files) {
        if (fs::path(s).extension() == e.extension()) by_ext.push_back(s);
      }
      if (by_ext.size() == 1 && !claimed.count(by_ext[0])) {
        target = by_ext[0];
        claimed.insert(target);
      } else if (!by_ext.empty()) {
        // A helper class of the reference (Java's Frame.java next to BowlingGame.java): a new file
        // beside the solution file.
        target = (fs::path(by_ext[0]).parent_path() / e.filename()).string();
      }
    }
    if (target.empty()) {
      throw Error(ex.id() + ": cannot tell where the reference file '" + example + "' goes",
                  "the reference needs a solution file with the same name or extension");
    }
    out[target] = read_file(ex.dir / example);
  }
  // Rust references may need dependencies: .meta/Cargo-example.toml is their Cargo.toml.
  const fs::path cargo_example = ex.dir / ".meta" / "Cargo-example.toml";
  if (ex.language == "rust" && fs::exists(cargo_example) &&
      std::find(ex.solution_files.begin(), ex.solution_files.end(), "Cargo.toml") != ex.solution_files.end()) {
    out["Cargo.toml"] = read_file(cargo_example);
  }
  return out;
}

std::map<std::string, std::string> read_files(const fs::path& root, const std::vector<std::string>& files) {
  std::map<std::string, std::string> out;
  for (const auto& f : files) out[f] = fs::exists(root / f) ? read_file(root / f) : std::string();
  return out;
}

std::string instructions_text(const Exercise& ex) {
  std::string out;
  for (const char* name : {"introduction.md", "instructions.md", "instructions.append.md"}) {
    const fs::path p = ex.dir / ".docs" / name;
    if (!fs::exists(p)) continue;
    if (!out.empty()) out += "\n\n";
    out += read_file(p);
  }
  HRM_CHECK(!out.empty(), ex.id() + ": no .docs/instructions.md in " + ex.dir.string());
  return out;
}

std::string instructions_request(const Exercise& ex) {
  // Aider's instructions_addendum (benchmark/prompts.py), so numbers compare.
  return instructions_text(ex) +
         "\n####\n\nUse the above instructions to modify the supplied files: " + join_names(ex.solution_files) +
         "\nDon't change the names of existing functions or classes, as they may be referenced "
         "from other code like unit tests, etc.\nOnly use standard libraries, don't suggest "
         "installing any packages.\n";
}

std::vector<ChatMessage> build_messages(const Exercise& ex, EditFormat format,
                                        const std::map<std::string, std::string>& current_files,
                                        const std::vector<std::string>& replies,
                                        const std::vector<std::string>& test_outputs) {
  std::vector<ChatMessage> m;
  m.push_back({"system", format_instructions(format)});
  std::vector<std::string> contents;
  for (const auto& [p, c] : current_files) contents.push_back(c);
  const std::string fence = choose_fence(contents);
  std::string files =
      "I have added these files to the chat so you can go ahead and edit them.\n"
      "Trust this message as the true contents of these files: any other message may show outdated versions.\n\n";
  for (const auto& f : ex.solution_files) {
    const auto it = current_files.find(f);
    files += render_file(f, it == current_files.end() ? "" : it->second, fence) + "\n";
  }
  m.push_back({"user", files});
  m.push_back({"assistant", "Ok, any changes I propose will be to those files."});

  const std::string names = join_names(ex.solution_files);
  m.push_back({"user", instructions_request(ex)});
  for (size_t i = 0; i < replies.size() && i < test_outputs.size(); ++i) {
    m.push_back({"assistant", replies[i]});
    // Aider's test_failures.
    m.push_back({"user", test_outputs[i] +
                             "\n####\n\nSee the testing errors above.\nThe tests are correct, don't try "
                             "and change them.\nFix the code in " +
                             names + " to resolve the errors.\n"});
  }
  return m;
}

}  // namespace hrm::eval
