// Chat rows for Polyglot-style exercises, shared by the builders from real sources — the
// SEARCH/REPLACE reply between two versions of the solution files, and the self-repair chats (try 2 of
// the Polyglot runner: the broken reply, its real test output, then the fix).
//
// Exports: FileMap, chat_json(), diff_reply(), diff_applies(), RepairChat, repair_chats().
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/eval/edit_format.hpp"
#include "hrm/eval/model_backend.hpp"
#include "hrm/eval/polyglot_exercise.hpp"

namespace hrm::synth {

using FileMap = std::map<std::string, std::string>;  // relative path -> contents

// The messages followed by the assistant's answer, as JSON {role, content} objects.
nlohmann::json chat_json(const std::vector<eval::ChatMessage>& messages, const std::string& answer);

// A SEARCH/REPLACE reply that turns `before` into `after`: one minimal block per changed file (the
// changed lines with unique context; a new file is one block with an empty SEARCH). Checked to apply
// with Aider's matcher; when it would not, the block replaces the whole old text instead.
std::string diff_reply(const FileMap& before, const FileMap& after);

// True when applying the SEARCH/REPLACE `reply` to `before` gives exactly `after` (Aider's matcher).
bool diff_applies(const std::string& reply, const FileMap& before, const FileMap& after);

struct RepairChat {
  eval::EditFormat format;
  std::vector<eval::ChatMessage> messages;
  std::string answer;
};
// Self-repair chats in the whole and diff formats: the exercise's first try answered with `broken`
// (from the stub files), `test_output` (cleaned runner output of that try), then the fix to `fixed`.
std::vector<RepairChat> repair_chats(const eval::Exercise& exercise, const FileMap& stub, const FileMap& broken,
                                     const std::string& test_output, const FileMap& fixed);

}  // namespace hrm::synth
