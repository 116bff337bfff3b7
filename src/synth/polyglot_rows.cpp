// Chat rows for Polyglot-style exercises: minimal SEARCH/REPLACE replies and self-repair chats.
#include "hrm/synth/polyglot_rows.hpp"

#include "hrm/synth/mutate.hpp"

namespace hrm::synth {

using json = nlohmann::json;

json chat_json(const std::vector<eval::ChatMessage>& messages, const std::string& answer) {
  json m = json::array();
  for (const auto& msg : messages) m.push_back({{"role", msg.role}, {"content", msg.content}});
  m.push_back({{"role", "assistant"}, {"content", answer}});
  return m;
}

namespace {

std::string fence_for(const FileMap& before, const FileMap& after) {
  std::vector<std::string> texts;
  for (const auto& [p, c] : before) texts.push_back(c);
  for (const auto& [p, c] : after) texts.push_back(c);
  return eval::choose_fence(texts);
}

std::string with_newline(std::string s) {
  if (!s.empty() && s.back() != '\n') s += '\n';
  return s;
}

}  // namespace

bool diff_applies(const std::string& reply, const FileMap& before, const FileMap& after) {
  std::vector<std::string> paths;
  for (const auto& [p, c] : after) paths.push_back(p);
  const auto parsed = eval::parse_reply(eval::EditFormat::kDiff, reply, paths);
  if (parsed.malformed()) return false;
  FileMap files = before;
  for (const auto& edit : parsed.edits) {
    std::string& text = files[edit.path];
    if (edit.search.empty()) {
      text += edit.replace;
      continue;
    }
    const auto replaced = eval::replace_most_similar_chunk(text, edit.search, edit.replace);
    if (!replaced) return false;
    text = *replaced;
  }
  for (const auto& [path, text] : after) {
    const auto it = files.find(path);
    if (it == files.end() || with_newline(it->second) != with_newline(text)) return false;
  }
  return true;
}

std::string diff_reply(const FileMap& before, const FileMap& after) {
  const std::string fence = fence_for(before, after);
  std::string out;
  for (const auto& [path, text] : after) {
    const auto it = before.find(path);
    const std::string old = it == before.end() ? "" : it->second;
    if (with_newline(old) == with_newline(text)) continue;
    if (old.find_first_not_of(" \t\r\n") == std::string::npos) {
      out += eval::render_reply(eval::EditFormat::kDiff, {}, {{path, text}});
    } else {
      out += search_replace_edit(path, with_newline(old), with_newline(text), fence) + "\n";
    }
  }
  if (diff_applies(out, before, after)) return out;
  return eval::render_reply(eval::EditFormat::kDiff, before, after);
}

std::vector<RepairChat> repair_chats(const eval::Exercise& exercise, const FileMap& stub, const FileMap& broken,
                                     const std::string& test_output, const FileMap& fixed) {
  std::vector<RepairChat> out;
  for (const auto fmt : {eval::EditFormat::kWhole, eval::EditFormat::kDiff}) {
    const std::string broken_reply =
        fmt == eval::EditFormat::kWhole ? eval::render_reply(fmt, stub, broken) : diff_reply(stub, broken);
    auto messages = eval::build_messages(exercise, fmt, broken, {broken_reply}, {test_output});
    const std::string answer =
        fmt == eval::EditFormat::kWhole ? eval::render_reply(fmt, broken, fixed) : diff_reply(broken, fixed);
    out.push_back({fmt, std::move(messages), answer});
  }
  return out;
}

}  // namespace hrm::synth
