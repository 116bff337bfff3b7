// TextModel — a text checkpoint ready to generate: the HRM weights in a Decoder plus the checkpoint's
// SentencePiece tokenizer, prompts rendered with the one chat template (encode_prompt) and generation
// stopped at <|end|> and </s>.
//
// A text checkpoint is a directory written by save_checkpoint (model.safetensors, config.yaml,
// train_state.json) that also holds tokenizer.model.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hrm/infer/decoder.hpp"
#include "hrm/infer/generate.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/tokenizer/tokenizer.hpp"

namespace hrm::infer {

struct TextModelOptions {
  std::optional<torch::ScalarType> dtype;  // compute dtype; default the checkpoint config's forward_dtype
};

class TextModel {
 public:
  // Throws hrm::Error naming the directory and file when something is missing or inconsistent.
  static TextModel load(const std::string& checkpoint_dir, const TextModelOptions& options = {});

  // One conversation per prompt; options.stop_tokens gets <|end|> and </s> added, vocab_limit the
  // tokenizer's size. Completions are prompt-major (generate.hpp).
  GenerationResult generate_chat(const std::vector<std::vector<ChatMessage>>& conversations, GenerateOptions options,
                                 const StreamFn& stream = nullptr);
  std::vector<int32_t> encode(const std::vector<ChatMessage>& conversation) const;

  const Tokenizer& tokenizer() const { return *tokenizer_; }
  Decoder& decoder() { return *decoder_; }
  const ModelConfig& config() const { return decoder_->config(); }
  const std::string& checkpoint_dir() const { return dir_; }
  // train_state.json's "data_cutoff" (YYYY-MM-DD), "" when the checkpoint does not record one.
  const std::string& data_cutoff() const { return data_cutoff_; }

 private:
  std::string dir_, data_cutoff_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<Decoder> decoder_;
};

}  // namespace hrm::infer
