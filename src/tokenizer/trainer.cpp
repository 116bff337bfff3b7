// train_tokenizer: collects training text, cuts it into multi-line chunks and runs the SentencePiece
// trainer with hrm's code-safe settings (see tokenizer.hpp).
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/tokenizer/tool_call.hpp"
#include "hrm/util/chat_message.hpp"
#include "hrm/util/utf8.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "sentencepiece_api.hpp"

namespace hrm {

namespace {

constexpr std::string_view kMetaSpace = "\xE2\x96\x81";

// A message's text as the chat template renders it: the content, then one JSON line per tool call (agent
// episodes teach the calls, so the tokenizer must see them).
void add_message_texts(const nlohmann::json& m, const std::string& where, std::vector<std::string>& texts) {
  if (!m.is_object()) return;
  if (m.contains("content") && m["content"].is_string()) texts.push_back(m["content"].get<std::string>());
  if (m.contains("tool_calls")) {
    for (const auto& call : chat_message_from_json(m, where).tool_calls) texts.push_back(render_tool_call(call));
  }
}

struct Collector {
  const TokenizerTrainOptions& options;
  TokenizerTrainSummary& summary;
  std::vector<std::string> sentences;

  void skip(const std::string& what, const std::string& reason) {
    ++summary.skipped_files;
    if (summary.skipped.size() < 20) summary.skipped.push_back(what + ": " + reason);
  }

  // Cuts `text` into chunks of whole lines (newlines kept) of at most max_sentence_bytes.
  void add_text(std::string text) {
    // A literal U+2581 would be read as a space by the trainer; the encoder sends it as bytes anyway.
    for (size_t p = text.find(kMetaSpace); p != std::string::npos; p = text.find(kMetaSpace, p)) text.erase(p, 3);
    summary.bytes += text.size();
    const size_t limit = std::max<size_t>(options.max_sentence_bytes, 16);
    size_t begin = 0;
    while (begin < text.size()) {
      size_t end = begin;
      while (end < text.size()) {
        size_t nl = text.find('\n', end);
        size_t line_end = nl == std::string::npos ? text.size() : nl + 1;
        if (line_end - begin > limit) break;
        end = line_end;
      }
      if (end == begin) {  // one line longer than the limit: cut at a character boundary
        end = begin + limit;
        while (end > begin && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        if (end == begin) end = begin + limit;
      }
      sentences.emplace_back(text, begin, end - begin);
      begin = end;
    }
  }

  void add_jsonl(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return skip(path.string(), "cannot open");
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (line.empty()) continue;
      const auto where = path.string() + ":" + std::to_string(line_no);
      nlohmann::json row = nlohmann::json::parse(line, nullptr, false);
      if (row.is_discarded() || !row.is_object()) {
        skip(where, "not a JSON object");
        continue;
      }
      // Corpus rows {"content"|"text"} and SFT rows {"prompt", "response", "system"} / {"messages": [...]}.
      std::vector<std::string> texts;
      for (const char* field : {"content", "text", "system", "prompt", "response"}) {
        if (row.contains(field) && row[field].is_string()) texts.push_back(row[field].get<std::string>());
      }
      if (row.contains("messages") && row["messages"].is_array()) {
        try {
          for (const auto& m : row["messages"]) add_message_texts(m, where, texts);
        } catch (const Error& e) {
          skip(where, e.message());
          continue;
        }
      }
      if (texts.empty()) {
        skip(where, "no text: expected 'content' or 'text' (corpus), or 'prompt'/'response' or 'messages' (SFT)");
        continue;
      }
      for (auto& t : texts) add_text(std::move(t));
    }
    ++summary.files;
  }

  void add_file(const std::filesystem::path& path, bool from_walk) {
    if (path.extension() == ".jsonl") return add_jsonl(path);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return skip(path.string(), ec.message());
    if (from_walk && size > (4u << 20)) return skip(path.string(), "larger than 4 MiB");
    std::string text;
    try {
      text = read_file(path);
    } catch (const Error& e) {
      return skip(path.string(), e.message());
    }
    if (text.find('\0') != std::string::npos) return skip(path.string(), "binary (contains NUL bytes)");
    if (!utf8::is_valid(text)) return skip(path.string(), utf8::describe_invalid(text));
    ++summary.files;
    add_text(std::move(text));
  }

  void add(const std::filesystem::path& input) {
    std::error_code ec;
    if (std::filesystem::is_directory(input, ec)) {
      std::vector<std::filesystem::path> files;
      std::filesystem::recursive_directory_iterator it(input,
                                                       std::filesystem::directory_options::skip_permission_denied, ec),
          end;
      if (ec) throw Error("cannot read directory '" + input.string() + "': " + ec.message());
      for (; it != end; it.increment(ec)) {
        if (ec) break;
        const auto name = it->path().filename().string();
        if (!name.empty() && name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file()) files.push_back(it->path());
      }
      std::sort(files.begin(), files.end());  // deterministic order
      for (const auto& f : files) add_file(f, true);
    } else if (std::filesystem::is_regular_file(input, ec)) {
      add_file(input, false);
    } else {
      throw Error("tokenizer input '" + input.string() + "' is neither a file nor a directory",
                  "check the --input path");
    }
  }
};

std::string special_list() {
  std::string s;
  for (const auto& p : tok::kSpecialPieces) s += (s.empty() ? "" : ",") + std::string(p);
  return s;
}

}  // namespace

TokenizerTrainSummary train_tokenizer(const std::vector<std::filesystem::path>& inputs,
                                      const TokenizerTrainOptions& options, const std::filesystem::path& out_model) {
  if (options.model_type != "unigram" && options.model_type != "bpe") {
    throw Error("tokenizer model type '" + options.model_type + "' is not supported", "use unigram or bpe");
  }
  const int min_vocab = tok::kFirstByteId + 256 + 8;
  if (options.vocab_size < min_vocab) {
    throw Error("vocab size " + std::to_string(options.vocab_size) + " is too small",
                "it must hold " + std::to_string(tok::kFirstByteId) +
                    " special ids and 256 byte pieces: use at least " + std::to_string(min_vocab));
  }
  TokenizerTrainSummary summary;
  Collector collector{options, summary, {}};
  for (const auto& input : inputs) collector.add(input);
  summary.sentences = collector.sentences.size();
  if (collector.sentences.empty()) {
    throw Error("no training text found in the tokenizer inputs",
                "pass source files, directories or corpus .jsonl files");
  }

  const std::unordered_map<std::string, std::string> args = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"hard_vocab_limit", "false"},  // a small text may not support the full vocabulary
      {"character_coverage", std::to_string(options.character_coverage)},
      {"normalization_rule_name", "identity"},
      {"remove_extra_whitespaces", "false"},
      {"add_dummy_prefix", "false"},
      {"allow_whitespace_only_pieces", "true"},
      {"split_digits", "true"},
      {"byte_fallback", "true"},
      {"max_sentence_length", std::to_string(std::max<size_t>(options.max_sentence_bytes, 16))},
      {"input_sentence_size", std::to_string(options.max_sentences)},
      {"shuffle_input_sentence", "true"},
      {"num_threads", std::to_string(std::max(1, options.threads))},
      {"pad_id", std::to_string(tok::kPadId)},
      {"unk_id", std::to_string(tok::kUnkId)},
      {"bos_id", std::to_string(tok::kBosId)},
      {"eos_id", std::to_string(tok::kEosId)},
      {"pad_piece", "<pad>"},
      {"unk_piece", "<unk>"},
      {"bos_piece", "<s>"},
      {"eos_piece", "</s>"},
      {"user_defined_symbols", special_list()},
      {"model_prefix", ""},
  };
  std::string model;
  const std::string error = spm::api().train(args, collector.sentences, static_cast<unsigned>(options.seed), &model);
  if (!error.empty()) throw Error("SentencePiece training failed: " + error);

  // Load it back (checks the fixed ids) before writing anything.
  const Tokenizer tokenizer = Tokenizer::from_serialized(model, out_model.string());
  if (out_model.has_parent_path()) std::filesystem::create_directories(out_model.parent_path());
  write_file_atomic(out_model, model);
  std::string vocab;
  for (int id = 0; id < tokenizer.vocab_size(); ++id) {
    // One line per piece: control characters inside pieces are written as \n, \r, \t, \\.
    std::string escaped;
    for (char c : tokenizer.piece(id)) {
      if (c == '\n')
        escaped += "\\n";
      else if (c == '\r')
        escaped += "\\r";
      else if (c == '\t')
        escaped += "\\t";
      else if (c == '\\')
        escaped += "\\\\";
      else
        escaped += c;
    }
    vocab += std::to_string(id) + "\t" + escaped + "\n";
  }
  auto vocab_path = out_model;
  vocab_path.replace_extension(".vocab");
  write_file_atomic(vocab_path, vocab);
  return summary;
}

}  // namespace hrm
