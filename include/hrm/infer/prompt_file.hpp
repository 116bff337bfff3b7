// The JSONL formats of `hrm-generate --file`: one prompt per line in, one result per line out.
//
// In (each line an object; blank lines skipped):
//   {"prompt": "Write fizzbuzz in Go", "system": "optional system message", "id": "optional, echoed"}
//   {"messages": [{"role": "user", "content": "..."}, ...], "id": ...}
// Out:
//   {"index": 0, "id": ..., "completions": ["..."], "finish": ["stop_token"], "tokens": [57], "segments": 2}
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "hrm/infer/generate.hpp"
#include "hrm/tokenizer/chat_template.hpp"

namespace hrm::infer {

struct PromptRow {
  std::vector<ChatMessage> messages;
  nlohmann::json id;  // null when absent
  int line = 0;
};

// Throws hrm::Error naming file:line and the field for malformed rows.
std::vector<PromptRow> read_prompt_file(const std::string& path);
// The output row of prompt `index`, from its `samples` completions.
nlohmann::json result_row(size_t index, const PromptRow& prompt, const std::vector<Completion>& completions);

}  // namespace hrm::infer
