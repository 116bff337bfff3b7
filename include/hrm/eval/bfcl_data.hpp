// The Berkeley Function Calling Leaderboard's offline test files, read from a gorilla checkout:
//   <data>/BFCL_v<N>_<category>.json                  one test entry per line: {"id", "question": [[messages]],
//                                                      "function": [function docs]}
//   <data>/possible_answer/BFCL_v<N>_<category>.json  {"id", "ground_truth": [{"<function>": {"<param>": [allowed
//                                                      values]}}]} (none for irrelevance)
// <data> is berkeley-function-call-leaderboard/bfcl_eval/data (v4 names: simple_python, simple_java,
// simple_javascript) or the older data/ folder (v3 names: simple, java, javascript); the newest version present
// is read. See docs/bfcl.md.
//
// Exports: Item, offline_categories(), category_language(), resolve_data_dir(), load_category().
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/bfcl_checker.hpp"
#include "hrm/util/chat_message.hpp"

namespace hrm::eval::bfcl {

struct Item {
  std::string id, category;  // category: one of offline_categories()
  Language language = Language::kPython;
  std::vector<ChatMessage> messages;  // the question's single turn
  nlohmann::json functions;           // the function docs as in the file
  nlohmann::json expected;            // ground_truth; null for irrelevance
  std::string source;                 // "<file>:<line>"
};

// simple_python, multiple, parallel, parallel_multiple, irrelevance, simple_java, simple_javascript.
const std::vector<std::string>& offline_categories();
Language category_language(const std::string& category);

// The folder holding the BFCL_v*_*.json files, given it or a folder above it (the gorilla checkout, its
// berkeley-function-call-leaderboard). Throws hrm::Error with a hint when none is found.
std::filesystem::path resolve_data_dir(const std::filesystem::path& data);

// The entries of one category with their ground truth, in file order. A malformed line throws hrm::Error
// naming file:line and the field.
std::vector<Item> load_category(const std::filesystem::path& data_dir, const std::string& category);

}  // namespace hrm::eval::bfcl
