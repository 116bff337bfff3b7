#include "hrm/infer/prompt_file.hpp"

#include <fstream>
#include <set>

#include "hrm/util/error.hpp"

namespace hrm::infer {

namespace {

std::string string_field(const nlohmann::json& j, const std::string& key, const std::string& where) {
  HRM_CHECK(j.at(key).is_string(), where + ": field '" + key + "' must be a string");
  return j.at(key).get<std::string>();
}

}  // namespace

std::vector<PromptRow> read_prompt_file(const std::string& path) {
  std::ifstream in(path);
  HRM_CHECK(in.good(), "cannot open prompt file '" + path + "'", "give --file <prompts.jsonl>");
  const std::string format =
      R"(one JSON object per line: {"prompt": "...", "system": "..."} or {"messages": [{"role": "user", "content": "..."}]})";
  std::vector<PromptRow> rows;
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(line_no);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(where + ": not JSON: " + e.what(), format);
    }
    HRM_CHECK(j.is_object(), where + ": not a JSON object", format);
    static const std::set<std::string> known = {"prompt", "system", "messages", "id"};
    for (const auto& item : j.items()) {
      HRM_CHECK(known.count(item.key()), where + ": unknown field '" + item.key() + "'",
                "known: prompt, system, messages, id");
    }
    PromptRow row;
    row.line = line_no;
    if (j.contains("id")) row.id = j["id"];
    HRM_CHECK(j.contains("prompt") != j.contains("messages"), where + ": give exactly one of 'prompt' and 'messages'",
              format);
    if (j.contains("prompt")) {
      const std::string system = j.contains("system") ? string_field(j, "system", where) : "";
      if (!system.empty()) row.messages.push_back({"system", system});
      row.messages.push_back({"user", string_field(j, "prompt", where)});
    } else {
      HRM_CHECK(!j.contains("system"), where + ": 'system' goes with 'prompt'; put a system message into 'messages'");
      HRM_CHECK(j["messages"].is_array() && !j["messages"].empty(), where + ": 'messages' must be a non-empty array",
                format);
      for (size_t i = 0; i < j["messages"].size(); ++i) {
        const auto& m = j["messages"][i];
        const std::string at = where + ": messages[" + std::to_string(i) + "]";
        HRM_CHECK(m.is_object() && m.contains("role") && m.contains("content"), at + " needs 'role' and 'content'",
                  format);
        row.messages.push_back({string_field(m, "role", at), string_field(m, "content", at)});
      }
    }
    // Unknown roles fail here, with the line, rather than in the middle of generation.
    with_context(where, [&] { return render_prompt(row.messages); });
    rows.push_back(std::move(row));
  }
  HRM_CHECK(!rows.empty(), "prompt file '" + path + "' has no prompts", format);
  return rows;
}

nlohmann::json result_row(size_t index, const PromptRow& prompt, const std::vector<Completion>& completions) {
  nlohmann::json row = {{"index", index}};
  if (!prompt.id.is_null()) row["id"] = prompt.id;
  auto texts = nlohmann::json::array(), finish = nlohmann::json::array(), tokens = nlohmann::json::array();
  for (const auto& c : completions) {
    texts.push_back(c.text);
    finish.push_back(to_string(c.finish));
    tokens.push_back(c.tokens.size());
  }
  row["completions"] = texts;
  row["finish"] = finish;
  row["tokens"] = tokens;
  row["segments"] = completions.empty() ? 0 : completions.front().segments;
  return row;
}

}  // namespace hrm::infer
