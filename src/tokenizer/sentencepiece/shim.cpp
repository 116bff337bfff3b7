// libhrm_sentencepiece.so: the only code that includes SentencePiece's headers (see
// ../sentencepiece_api.hpp for why it is a separate, privately loaded library).
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include "../sentencepiece_api.hpp"

namespace sentencepiece::logging {
void SetMinLogLevel(int);  // exported by libsentencepiece, not declared in its public headers
int GetMinLogLevel();
}  // namespace sentencepiece::logging

namespace {

class ProcessorImpl final : public hrm::spm::Processor {
 public:
  std::string load(const std::string& model_bytes) override {
    const auto status = sp_.LoadFromSerializedProto(model_bytes);
    return status.ok() ? std::string() : status.ToString();
  }
  int piece_size() const override { return sp_.GetPieceSize(); }
  int pad_id() const override { return sp_.pad_id(); }
  int unk_id() const override { return sp_.unk_id(); }
  int bos_id() const override { return sp_.bos_id(); }
  int eos_id() const override { return sp_.eos_id(); }
  const std::string& id_to_piece(int id) const override { return sp_.IdToPiece(id); }
  bool is_byte(int id) const override { return sp_.IsByte(id); }
  int piece_to_id(std::string_view piece) const override { return sp_.PieceToId(piece); }
  std::string encode(std::string_view text, std::vector<int>& ids) const override {
    std::vector<int> piece_ids;
    const auto status = sp_.Encode(text, &piece_ids);
    if (!status.ok()) return status.ToString();
    ids.insert(ids.end(), piece_ids.begin(), piece_ids.end());
    return {};
  }

 private:
  sentencepiece::SentencePieceProcessor sp_;
};

class VectorIterator : public sentencepiece::SentenceIterator {
 public:
  explicit VectorIterator(const std::vector<std::string>& s) : s_(s) {}
  bool done() const override { return i_ >= s_.size(); }
  void Next() override { ++i_; }
  const std::string& value() const override { return s_[i_]; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  const std::vector<std::string>& s_;
  size_t i_ = 0;
};

hrm::spm::Processor* new_processor() { return new ProcessorImpl(); }

std::string train(const std::unordered_map<std::string, std::string>& args, const std::vector<std::string>& sentences,
                  unsigned seed, std::string* model) {
  sentencepiece::SetRandomGeneratorSeed(seed);
  const int log_level = sentencepiece::logging::GetMinLogLevel();
  sentencepiece::logging::SetMinLogLevel(2);  // errors only; the trainer is chatty at INFO
  VectorIterator it(sentences);
  const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, model);
  sentencepiece::logging::SetMinLogLevel(log_level);
  return status.ok() ? std::string() : status.ToString();
}

const hrm::spm::Api kApi{hrm::spm::kApiVersion, &new_processor, &train};

}  // namespace

extern "C" __attribute__((visibility("default"))) const hrm::spm::Api* hrm_sentencepiece_api() { return &kApi; }
