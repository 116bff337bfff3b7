#include "hrm/tokenizer/chat_template.hpp"

#include "hrm/tokenizer/tool_call.hpp"
#include "hrm/util/error.hpp"

namespace hrm {

namespace {

// One piece of a rendered conversation; pieces are encoded separately (see the header).
struct Segment {
  std::string text;
  bool loss = false;
  bool last_response = false;  // first segment of the last assistant content
};

std::string header_of(const std::string& role, size_t index) {
  if (role == "system") return "<|system|>\n";
  if (role == "user") return "<|user|>\n";
  if (role == "assistant") return "<|assistant|>\n";
  if (role == "tool") return "<|tool_result|>\n";
  throw Error("chat message " + std::to_string(index) + " has role '" + role + "'",
              "roles are system, user, assistant and tool");
}

std::vector<Segment> segments_of(const std::vector<ChatMessage>& messages, const ChatOptions& options) {
  size_t last_assistant = messages.size();
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == "assistant") last_assistant = i;
  }
  std::vector<Segment> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    const bool assistant = m.role == "assistant";
    const bool loss = assistant && (!options.last_turn_only || i == last_assistant);
    out.push_back({header_of(m.role, i), false, false});
    std::string content = m.content;
    for (const auto& call : m.tool_calls) content += render_tool_call(call);
    out.push_back({content, loss, i == last_assistant});
    out.push_back({"<|end|>", loss, false});
    out.push_back({"\n", false, false});
  }
  return out;
}

}  // namespace

RenderedChat render_chat(const std::vector<ChatMessage>& messages, const ChatOptions& options) {
  RenderedChat r;
  r.prompt_end = std::string::npos;
  for (const auto& s : segments_of(messages, options)) {
    if (s.last_response) r.prompt_end = r.text.size();
    const size_t begin = r.text.size();
    r.text += s.text;
    if (s.loss) {
      if (!r.response_spans.empty() && r.response_spans.back().second == begin) {
        r.response_spans.back().second = r.text.size();
      } else {
        r.response_spans.emplace_back(begin, r.text.size());
      }
    }
  }
  if (r.prompt_end == std::string::npos) r.prompt_end = r.text.size();
  return r;
}

EncodedChat encode_chat(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages,
                        const ChatOptions& options) {
  EncodedChat e;
  e.prompt_length = std::string::npos;
  for (const auto& s : segments_of(messages, options)) {
    if (s.last_response) e.prompt_length = e.ids.size();
    const size_t before = e.ids.size();
    tokenizer.encode_append(s.text, e.ids);
    e.loss_mask.resize(e.ids.size(), 0);
    if (s.loss) std::fill(e.loss_mask.begin() + static_cast<long>(before), e.loss_mask.end(), 1);
  }
  if (e.prompt_length == std::string::npos) e.prompt_length = e.ids.size();
  return e;
}

std::string render_prompt(const std::vector<ChatMessage>& messages) {
  return render_chat(messages).text + "<|assistant|>\n";
}

std::vector<int32_t> encode_prompt(const Tokenizer& tokenizer, const std::vector<ChatMessage>& messages) {
  auto ids = encode_chat(tokenizer, messages).ids;
  tokenizer.encode_append("<|assistant|>\n", ids);
  return ids;
}

std::vector<ChatMessage> prompt_response_messages(const std::string& prompt, const std::string& response,
                                                  const std::string& system) {
  std::vector<ChatMessage> m;
  if (!system.empty()) m.push_back({"system", system});
  m.push_back({"user", prompt});
  m.push_back({"assistant", response});
  return m;
}

std::string render_edit(const EditBlock& edit) {
  if (edit.kind == EditBlock::Kind::SearchReplace) {
    return "<|file|>" + edit.path + "\n<|search|>\n" + edit.search + "<|divider|>\n" + edit.replace + "<|replace|>\n";
  }
  return "<|file|>" + edit.path + "\n<|whole_file|>\n" + edit.replace + "<|whole_file|>\n";
}

std::vector<EditBlock> parse_edits(const std::string& text) {
  std::vector<EditBlock> edits;
  const auto expect = [&](size_t pos, const std::string& marker, size_t block) {
    if (text.compare(pos, marker.size(), marker) != 0) {
      throw Error("malformed edit block at byte offset " + std::to_string(block) + ": expected '" + marker +
                      "' at byte offset " + std::to_string(pos),
                  "blocks are <|file|>path\\n<|search|>\\n...<|divider|>\\n...<|replace|>\\n or "
                  "<|file|>path\\n<|whole_file|>\\n...<|whole_file|>\\n");
    }
    return pos + marker.size();
  };
  const auto find_or_throw = [&](const std::string& marker, size_t from, size_t block) {
    const size_t p = text.find(marker, from);
    if (p == std::string::npos) {
      throw Error("unterminated edit block at byte offset " + std::to_string(block) + ": no '" + marker + "'");
    }
    return p;
  };
  size_t pos = 0;
  while ((pos = text.find("<|file|>", pos)) != std::string::npos) {
    const size_t block = pos;
    EditBlock e;
    size_t p = pos + 8;
    const size_t nl = find_or_throw("\n", p, block);
    e.path = text.substr(p, nl - p);
    p = nl + 1;
    if (text.compare(p, 10, "<|search|>") == 0) {
      p = expect(p, "<|search|>\n", block);
      const size_t div = find_or_throw("<|divider|>", p, block);
      e.search = text.substr(p, div - p);
      p = expect(div, "<|divider|>\n", block);
      const size_t end = find_or_throw("<|replace|>", p, block);
      e.replace = text.substr(p, end - p);
      pos = end + 11;
    } else {
      e.kind = EditBlock::Kind::WholeFile;
      p = expect(p, "<|whole_file|>\n", block);
      const size_t end = find_or_throw("<|whole_file|>", p, block);
      e.replace = text.substr(p, end - p);
      pos = end + 14;
    }
    if (pos < text.size() && text[pos] == '\n') ++pos;
    edits.push_back(std::move(e));
  }
  return edits;
}

}  // namespace hrm
