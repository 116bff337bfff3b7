// hrm::Tokenizer — a code-safe SentencePiece tokenizer: decode(encode(x)) == x, byte for byte.
//
// Training settings (train()): identity normalization (no NFKC), no whitespace collapsing, no dummy
// prefix, whitespace-only pieces allowed (indentation runs become pieces), digits split, byte fallback,
// and the fixed special ids of special_tokens.hpp. Training text is fed in multi-line chunks so that
// newlines and indentation are learned too.
//
// Exactness: encode() maps every byte string to ids and decode() maps them back to the same bytes:
//   - spaces, tabs, CR/LF, leading and trailing whitespace are kept as is;
//   - characters outside the vocabulary become byte pieces (<0xNN>);
//   - a literal U+2581 '▁' (SentencePiece's internal space symbol) is encoded as its three byte pieces;
//   - INVALID UTF-8 IS ESCAPED REVERSIBLY: each byte that is not part of valid UTF-8 becomes its byte
//     piece, so decode() gives the same invalid bytes back. The data builders reject such files before
//     tokenizing (utf8.hpp names the offset); the tokenizer itself never fails on input.
//   - text equal to a special piece (e.g. "<|user|>") is encoded as that special id: special tokens are
//     never split, and decode() writes their text back.
// decode() writes nothing for <pad>, <s>, </s> (and <unk>, which encode never produces).
// encode() and decode() are const and safe to call from several threads at once.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hrm/tokenizer/special_tokens.hpp"

namespace hrm::spm {
class Processor;  // src/tokenizer/sentencepiece_api.hpp
}

namespace hrm {

struct TokenizerTrainOptions {
  int vocab_size = 8192;               // total, including the specials and 256 byte pieces
  std::string model_type = "unigram";  // "unigram" or "bpe"
  double character_coverage = 0.9995;  // rarer characters fall back to bytes
  size_t max_sentence_bytes = 4096;    // training text is cut into chunks of whole lines up to this size
  size_t max_sentences = 2'000'000;    // sampled uniformly (SentencePiece input_sentence_size) above this
  int threads = 2;
  uint64_t seed = 1;
};

class Tokenizer {
 public:
  // Loads a SentencePiece model file and checks that its special ids match special_tokens.hpp.
  static Tokenizer load(const std::filesystem::path& model_path);
  // Same, from the bytes of a model file.
  static Tokenizer from_serialized(const std::string& model_bytes, const std::string& source_name);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  // Ids of `text`; never fails (see the exactness rules above).
  std::vector<int32_t> encode(std::string_view text) const;
  // Appends the ids of `text` to `out` (no reallocation of a caller's buffer when it has room).
  void encode_append(std::string_view text, std::vector<int32_t>& out) const;
  // The bytes of `ids`; throws hrm::Error on an id outside [0, vocab_size).
  std::string decode(const std::vector<int32_t>& ids) const;
  std::string decode(const int32_t* ids, size_t count) const;

  int vocab_size() const { return static_cast<int>(bytes_of_.size()); }
  // The piece text as stored in the model (e.g. "▁▁▁▁return", "<0x0A>", "<|user|>").
  const std::string& piece(int id) const;
  // Id of a piece's text, or -1.
  int piece_to_id(std::string_view piece) const;
  bool is_special(int id) const { return id >= 0 && id < tok::kFirstByteId; }
  bool is_byte(int id) const { return id >= tok::kFirstByteId && id < tok::kFirstByteId + 256; }
  // The raw model bytes (to copy next to a dataset or a checkpoint).
  const std::string& serialized() const { return serialized_; }

 private:
  Tokenizer();
  void init(const std::string& source_name);
  void encode_plain(std::string_view text, std::vector<int32_t>& out) const;

  std::unique_ptr<spm::Processor> sp_;
  std::string serialized_;
  std::vector<std::string> bytes_of_;  // decoded bytes of each id
};

// Trains a tokenizer on `inputs` and writes the model to `out_model` (a .model file; a .vocab text
// listing is written next to it). Inputs are files or directories (walked recursively, hidden entries
// skipped): *.jsonl files contribute the "content" (or "text") field of each corpus row, or every text
// of an SFT row ("system", "prompt", "response", each "messages"[].content); other files their text. Files that are not
// valid UTF-8 are skipped and counted in the returned summary.
struct TokenizerTrainSummary {
  size_t files = 0, skipped_files = 0, sentences = 0, bytes = 0;
  std::vector<std::string> skipped;  // "path: reason", for the first few
};
TokenizerTrainSummary train_tokenizer(const std::vector<std::filesystem::path>& inputs,
                                      const TokenizerTrainOptions& options, const std::filesystem::path& out_model);

}  // namespace hrm
