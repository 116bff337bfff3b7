// `hrm-data build --config <yaml>`: tokenize JSONL inputs into train/validation shard sets (shard.hpp).
//
//   tokenizer: runs/tok/tok.model      # required: the .model of `hrm-data tokenizer train`
//   out: runs/data/pretrain            # required: writes <out>/train/, <out>/validation/, <out>/stats.json
//   mode: pretrain                     # pretrain | sft
//   inputs: [runs/corpus.jsonl]        # required: JSONL files
//   seq_len: 1024
//   packing: true                      # false: each document padded to a multiple of seq_len
//   shard_tokens: 268435456            # at most this many tokens per shard
//   validation_fraction: 0.01          # of the documents, after shuffling
//   seed: 0                            # shuffle seed: same seed and inputs, same shards
//   on_error: skip                     # skip (count) or stop at the first bad row
//   language_tag: true                 # pretrain: start each document with its <|language|> tag
//   max_document_tokens: 0             # longer documents are cut (pretrain) or dropped (sft); 0: no limit
//   last_turn_only: false              # sft: loss on the last assistant turn only
//   split_turns: false                 # sft: one document per assistant turn (its history, loss on it)
//   decontamination:                   # optional
//     benchmarks: [benchmarks/polyglot, benchmarks/lcb.jsonl]
//     lcb_cutoff: "2024-08-01"
//     ngram: 13
//     threshold: 0.1
//     force: false                     # build even when a benchmark problem is contaminated
//
// Rows: pretrain {"content" or "text": string, "language"?: name} (the corpus of `hrm-data corpus`);
// sft {"prompt", "response", "system"?} or {"messages": [{"role", "content"}, ...]}, formatted with
// the chat template (chat_template.hpp). Pretrain documents are [<|lang|>] text </s>, loss on all tokens.
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hrm/data/decontam.hpp"
#include "hrm/data/input.hpp"

namespace hrm {

struct BuildConfig {
  std::string tokenizer;
  std::string out;
  std::string mode = "pretrain";
  std::vector<std::string> inputs;
  int seq_len = 1024;
  bool packing = true;
  uint64_t shard_tokens = 1ull << 28;
  double validation_fraction = 0.01;
  uint64_t seed = 0;
  std::string on_error = "skip";
  bool language_tag = true;
  int64_t max_document_tokens = 0;
  bool last_turn_only = false;
  bool split_turns = false;  // multi-turn rows (agent episodes) for a prefix-LM: see sft_conversations
  struct Decontamination {
    std::vector<std::string> benchmarks;
    std::string lcb_cutoff;
    int ngram = 13;
    double threshold = 0.1;
    bool force = false;
  } decontamination;

  // Reads and validates a config (unknown keys rejected; relative paths are kept as written).
  // `source` names the file in error messages.
  static BuildConfig from_yaml(const std::string& yaml_text, const std::string& source);
  static BuildConfig from_file(const std::string& path);
};

struct BuildStats {
  struct Split {
    size_t documents = 0;
    uint64_t tokens = 0;  // including padding
    uint64_t loss_tokens = 0;
    std::map<std::string, uint64_t> tokens_by_language;
  };
  Split train, validation;
  size_t rows = 0;
  std::map<std::string, size_t> dropped;  // by reason (bad rows, too long, ...)
  // Files the corpus builder dropped, by reason, summed over the inputs that have a
  // <input>.stats.json next to them (written by `hrm-data corpus`).
  std::map<std::string, size_t> corpus_dropped;
  size_t truncated = 0;
  std::vector<std::string> examples;  // first problems, "file:line: detail"
  OverlapReport decontamination;
  bool decontaminated = false;
  nlohmann::json to_json() const;
  std::string format() const;
};

// Runs the build. Throws hrm::Error naming the file/line of bad input with on_error: stop, and when
// decontamination finds a contaminated problem and force is false (the message carries the report).
BuildStats run_build(const BuildConfig& config);

// The n-gram overlap report of JSONL training files (any row form: content/text, prompt/response,
// messages) against the benchmarks of `d` (`hrm-data decontam`); bad rows follow `on_error`.
OverlapReport overlap_report(const std::vector<std::string>& inputs, const BuildConfig::Decontamination& d,
                             OnError on_error);

// Deterministic Fisher–Yates shuffle of [0, n) with a 64-bit Mersenne Twister (identical on every
// platform, unlike std::shuffle).
std::vector<size_t> shuffled_indices(size_t n, uint64_t seed);

}  // namespace hrm
