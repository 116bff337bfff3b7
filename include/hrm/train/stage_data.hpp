// StageData — the examples a stage trains and evaluates on, as model Batches.
//
//   puzzle: a puzzle dataset directory (hrm-puzzles): the train split is trained, the test split held out.
//   sft:    token shard sets of `hrm-data build` (mode sft). One example is one whole document: inputs
//           are its tokens [0, n-1), labels its tokens [1, n) where the build's loss mask is 1 (the
//           response and its <|end|>) and kIgnoreLabel elsewhere, padded to model.seq_len; prefix_lens
//           is the document's prompt_length (prefix-LM attention: bidirectional over the prompt).
//           A packed shard set (pretraining text, `packing: true`) gives windows of model.seq_len + 1
//           tokens instead of documents, with prefix length 0 (plain causal LM on its loss mask).
// A document longer than model.seq_len + 1 tokens is refused when the stage opens, naming the set.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "hrm/data/shard.hpp"
#include "hrm/model/hrm.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "hrm/train/sampler.hpp"
#include "hrm/train/train_config.hpp"

namespace hrm {

Batch make_puzzle_batch(const std::vector<puzzle::PuzzleExample>& examples, const std::vector<size_t>& rows,
                        torch::Device device);

class StageData {
 public:
  // Opens the stage's data and checks it against the model (vocabulary, lengths, attention).
  StageData(const StageConfig& stage, const ModelConfig& model, const std::string& config_source);
  StageData(StageData&&) noexcept;
  ~StageData();

  // Examples per training source (the sampler's sizes) and their weights.
  std::vector<int64_t> train_sizes() const;
  std::vector<double> train_weights() const;
  Batch train_batch(const std::vector<SampleRef>& rows, torch::Device device) const;

  // Held-out examples (puzzle test split; sft validation shard sets, concatenated).
  int64_t held_out_size() const;
  Batch held_out_batch(int64_t begin, int64_t end, torch::Device device) const;

  // sft: the SentencePiece model that goes into every checkpoint as tokenizer.model; empty for puzzles.
  const std::string& tokenizer_path() const { return tokenizer_path_; }

 private:
  struct Shards;
  StageKind kind_;
  int64_t seq_len_;
  std::vector<double> weights_;
  puzzle::PuzzleDataset puzzles_;
  std::unique_ptr<Shards> shards_;
  std::string tokenizer_path_;
};

}  // namespace hrm
