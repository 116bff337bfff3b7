// Token shards: what `hrm-data build` writes and what the trainer reads.
//
// A shard set is one directory (e.g. out/train/) holding
//   dataset.json           manifest: {"format": "hrm-shards", "version": 1, "vocab_size", "token_bytes",
//                          "seq_len", "packing", "pad_id", "num_tokens", "num_documents",
//                          "shards": [{"name": "shard-00000", "tokens": N, "documents": D}, ...]}
//   shard-00000.bin        the tokens, little-endian uint16 (vocab_size <= 65536) or uint32, nothing else
//                          (np.memmap(path, dtype=np.uint16) reads it)
//   shard-00000.idx        the index, little-endian:
//                            char[8] "HRMSHRD1" | u32 version (1) | u32 token_bytes | u64 num_tokens |
//                            u64 num_documents | u64 num_spans |
//                            num_documents x {u64 begin, u64 end, u32 language, u32 prompt_length} |
//                            num_spans x {u64 begin, u64 end}
//                          document d occupies tokens [begin, end) of its shard (padding, if any, lies
//                          between documents); spans are the sorted token ranges where loss_mask == 1.
//                          language is the index in kAllLanguages, or 255 when unknown;
//                          prompt_length is the number of prompt tokens before the last response of an
//                          SFT document (chat_template.hpp), for prefix-LM attention; 0 for pretraining.
//
// The stream of a shard set is its shards' tokens concatenated in manifest order. ShardReader maps the
// files (mmap, nothing is loaded up front) and cuts the stream into windows:
//
//   auto reader = hrm::ShardReader::open("data/run/train");
//   const int64_t L = reader.seq_len() + 1;             // +1: inputs are [0, L-1), targets [1, L)
//   std::vector<int32_t> tokens(L); std::vector<uint8_t> mask(L);
//   for (int64_t i = 0; i < reader.num_sequences(L); ++i) reader.read(i, L, tokens.data(), mask.data());
//
// Sequence i of length L is the window [i*L, (i+1)*L) of the stream. With packing (pretraining, packed
// SFT) windows cut across documents; without packing every document was padded with pad_id (mask 0) to
// a multiple of seq_len, so the windows of length seq_len line up with documents. Reads are const and
// thread-safe.
#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace hrm {

inline constexpr uint32_t kShardLanguageUnknown = 255;

// Writes a shard set. Documents are appended in the order given; a new shard starts when the current
// one would exceed max_shard_tokens (a document is never split across shards).
class ShardWriter {
 public:
  struct Options {
    int vocab_size = 0;
    int seq_len = 0;      // recorded in the manifest for readers
    bool packing = true;  // without packing each document is padded to a multiple of seq_len
    int pad_id = 0;
    uint64_t max_shard_tokens = 1ull << 28;
  };
  ShardWriter(const std::filesystem::path& dir, Options options);
  ~ShardWriter();
  // Appends one document; `loss_mask` has one 0/1 entry per token. Throws on an id outside the vocabulary.
  void add(const std::vector<int32_t>& tokens, const std::vector<uint8_t>& loss_mask,
           uint32_t language = kShardLanguageUnknown, uint32_t prompt_length = 0);
  // Flushes the last shard and writes dataset.json; the set is readable only after this.
  void finish();
  uint64_t num_tokens() const { return total_tokens_; }
  uint64_t num_documents() const { return total_documents_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t total_tokens_ = 0, total_documents_ = 0;
};

class ShardReader {
 public:
  struct Document {
    size_t shard = 0;
    uint64_t begin = 0, end = 0;  // token range in the shard
    uint32_t language = kShardLanguageUnknown;
    uint32_t prompt_length = 0;  // SFT: tokens before the last response (prefix-LM prefix)
  };

  // Opens the shard set in `dir` (its dataset.json); checks every shard's sizes against its header.
  static ShardReader open(const std::filesystem::path& dir);
  ShardReader(ShardReader&&) noexcept;
  ShardReader& operator=(ShardReader&&) noexcept;
  ~ShardReader();

  int vocab_size() const;
  int seq_len() const;  // the build's sequence length (a suggestion; any length can be read)
  bool packing() const;
  int pad_id() const;
  int token_bytes() const;  // 2 or 4
  int64_t num_tokens() const;
  int64_t num_documents() const;
  // floor(num_tokens / length): the number of whole windows of `length` tokens.
  int64_t num_sequences(int64_t length) const;

  // Window i of `length` tokens into caller buffers (`loss_mask` may be null). Throws if out of range.
  void read(int64_t index, int64_t length, int32_t* tokens, uint8_t* loss_mask) const;
  // Any window [start, start + length) of the stream (e.g. random offsets).
  void read_window(int64_t start, int64_t length, int32_t* tokens, uint8_t* loss_mask) const;

  Document document(int64_t d) const;
  // The tokens and loss mask of document d.
  void read_document(int64_t d, std::vector<int32_t>& tokens, std::vector<uint8_t>& loss_mask) const;

 private:
  ShardReader();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hrm
