#include "hrm/infer/text_model.hpp"

#include <filesystem>

#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"

namespace fs = std::filesystem;

namespace hrm::infer {

TextModel TextModel::load(const std::string& checkpoint_dir, const TextModelOptions& options) {
  return with_context("loading text model '" + checkpoint_dir + "'", [&] {
    TextModel m;
    m.dir_ = checkpoint_dir;
    const auto tokenizer_path = fs::path(checkpoint_dir) / "tokenizer.model";
    HRM_CHECK(fs::exists(tokenizer_path), "no tokenizer: " + tokenizer_path.string() + " does not exist",
              "a text checkpoint holds the SentencePiece model it was trained with as tokenizer.model");
    m.tokenizer_ = std::make_unique<Tokenizer>(Tokenizer::load(tokenizer_path));
    const auto meta = read_checkpoint_meta(checkpoint_dir);
    HRM_CHECK(m.tokenizer_->vocab_size() <= meta.config.vocab_size,
              tokenizer_path.string() + " has " + std::to_string(m.tokenizer_->vocab_size()) +
                  " pieces but config.yaml's vocab_size is " + std::to_string(meta.config.vocab_size),
              "the tokenizer must be the one the model was trained with");
    m.data_cutoff_ = meta.train_state.value("data_cutoff", std::string());
    HRMInner model(meta.config);
    // A quantized checkpoint's linear layers run the quantized CPU kernels: their float tensors are freed
    // as they load, so no float copy of them is ever held next to the model (or the decoder's copy).
    const auto quantized = load_checkpoint_weights(checkpoint_dir, *model, QuantizedLinears::kFree);
    m.decoder_ = std::make_unique<Decoder>(*model, options.dtype);
    m.decoder_->use_quantized(quantized);
    return m;
  });
}

std::vector<int32_t> TextModel::encode(const std::vector<ChatMessage>& conversation) const {
  return encode_prompt(*tokenizer_, conversation);
}

GenerationResult TextModel::generate_chat(const std::vector<std::vector<ChatMessage>>& conversations,
                                          GenerateOptions options, const StreamFn& stream) {
  std::vector<std::vector<int32_t>> prompts;
  prompts.reserve(conversations.size());
  for (const auto& c : conversations) prompts.push_back(encode(c));
  for (const int id : {tok::kEndId, tok::kEosId}) options.stop_tokens.push_back(id);
  options.vocab_limit = tokenizer_->vocab_size();
  const Tokenizer& tok = *tokenizer_;
  return generate(
      *decoder_, prompts, options, [&tok](int32_t id) { return tok.decode(&id, 1); }, stream);
}

}  // namespace hrm::infer
