#include "hrm/train/stage_data.hpp"

#include <filesystem>

#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/error.hpp"

namespace fs = std::filesystem;

namespace hrm {

Batch make_puzzle_batch(const std::vector<puzzle::PuzzleExample>& examples, const std::vector<size_t>& rows,
                        torch::Device device) {
  const auto b = static_cast<int64_t>(rows.size());
  const auto s = static_cast<int64_t>(examples.at(rows.at(0)).inputs.size());
  auto inputs = torch::empty({b, s}, torch::kLong), labels = torch::empty({b, s}, torch::kLong);
  auto ids = torch::empty({b}, torch::kLong);
  auto in_a = inputs.accessor<int64_t, 2>(), lab_a = labels.accessor<int64_t, 2>();
  auto id_a = ids.accessor<int64_t, 1>();
  for (int64_t i = 0; i < b; ++i) {
    const auto& ex = examples[rows[static_cast<size_t>(i)]];
    for (int64_t j = 0; j < s; ++j) {
      in_a[i][j] = ex.inputs[static_cast<size_t>(j)];
      lab_a[i][j] = ex.labels[static_cast<size_t>(j)];
    }
    id_a[i] = ex.puzzle_id;
  }
  return {inputs.to(device), labels.to(device), ids.to(device), {}};
}

struct StageData::Shards {
  std::vector<ShardReader> train, validation;
  std::vector<int64_t> validation_offsets;  // first global document index of each validation set
  int pad_id = 0;
};

namespace {

// Every document must fit one example: n tokens give n - 1 (input, label) positions.
void check_documents(const ShardReader& r, const std::string& path, int64_t seq_len, const std::string& where) {
  for (int64_t d = 0; d < r.num_documents(); ++d) {
    const auto doc = r.document(d);
    const auto n = static_cast<int64_t>(doc.end - doc.begin);
    if (n > seq_len + 1) {
      throw Error(where + ": document " + std::to_string(d) + " of shard set '" + path + "' has " + std::to_string(n) +
                      " tokens; model.seq_len " + std::to_string(seq_len) + " fits at most " +
                      std::to_string(seq_len + 1),
                  "raise model.seq_len or rebuild the shards with max_document_tokens <= model.seq_len + 1");
    }
  }
}

ShardReader open_shards(const std::string& path, const ModelConfig& model, const std::string& where) {
  auto r = with_context(where + ": opening shard set '" + path + "'", [&] { return ShardReader::open(path); });
  if (r.vocab_size() > model.vocab_size) {
    throw Error(where + ": shard set '" + path + "' has vocab_size " + std::to_string(r.vocab_size()) +
                    " but model.vocab_size is " + std::to_string(model.vocab_size),
                "set model.vocab_size to the tokenizer's vocabulary size");
  }
  if (r.num_documents() == 0) throw Error(where + ": shard set '" + path + "' has no documents");
  if (r.packing()) {
    if (r.num_sequences(model.seq_len + 1) == 0) {
      throw Error(where + ": packed shard set '" + path +
                  "' has fewer than model.seq_len + 1 = " + std::to_string(model.seq_len + 1) + " tokens");
    }
  } else {
    check_documents(r, path, model.seq_len, where);
  }
  return r;
}

// The tokenizer of a shard set: `hrm-data build` copies it to <out>/tokenizer.model, next to <out>/train.
std::string find_tokenizer(const StageConfig& stage, const std::string& where) {
  std::string path = stage.tokenizer;
  if (path.empty()) {
    for (const auto& src : stage.train) {
      const auto candidate = fs::path(src.path).parent_path() / "tokenizer.model";
      if (!fs::exists(candidate)) {
        throw Error(
            where + ": no tokenizer.model next to shard set '" + src.path + "' (looked for " + candidate.string() + ")",
            "set `tokenizer:` in the stage to the .model the shards were built with");
      }
      if (path.empty()) {
        path = candidate.string();
      } else if (read_file(candidate) != read_file(path)) {
        throw Error(where + ": shard sets '" + stage.train.front().path + "' and '" + src.path +
                        "' were built with different tokenizers",
                    "one stage trains one vocabulary; rebuild the shards with the same tokenizer");
      }
    }
  }
  if (!fs::exists(path)) throw Error(where + ": tokenizer '" + path + "' does not exist");
  return path;
}

}  // namespace

StageData::StageData(const StageConfig& stage, const ModelConfig& model, const std::string& config_source)
    : kind_(stage.kind), seq_len_(model.seq_len) {
  const auto where = config_source + " (stage '" + stage.name + "')";
  for (const auto& s : stage.train) weights_.push_back(s.weight);
  if (kind_ == StageKind::kPuzzle) {
    const auto& dir = stage.train.at(0).path;
    puzzles_ = with_context("loading dataset '" + dir + "'", [&] { return puzzle::PuzzleDataset::load(dir); });
    if (model.vocab_size != puzzles_.meta.vocab_size || model.seq_len != puzzles_.meta.seq_len) {
      throw Error(config_source + ": model vocab_size/seq_len (" + std::to_string(model.vocab_size) + "/" +
                      std::to_string(model.seq_len) + ") do not match dataset '" + dir + "' (" +
                      std::to_string(puzzles_.meta.vocab_size) + "/" + std::to_string(puzzles_.meta.seq_len) + ")",
                  "set model.vocab_size and model.seq_len to the values in dataset.json");
    }
    if (model.puzzle_emb_ndim > 0 && model.num_puzzle_identifiers < puzzles_.meta.num_puzzle_identifiers) {
      throw Error(config_source + ": model.num_puzzle_identifiers is smaller than the dataset's");
    }
    if (puzzles_.train.empty()) throw Error(where + ": dataset '" + dir + "' has no training examples");
    return;
  }
  shards_ = std::make_unique<Shards>();
  for (const auto& s : stage.train) shards_->train.push_back(open_shards(s.path, model, where));
  int64_t offset = 0;
  for (const auto& v : stage.validation) {
    shards_->validation.push_back(open_shards(v, model, where));
    shards_->validation_offsets.push_back(offset);
    const auto& r = shards_->validation.back();
    offset += r.packing() ? r.num_sequences(model.seq_len + 1) : r.num_documents();
  }
  shards_->pad_id = shards_->train.front().pad_id();
  tokenizer_path_ = find_tokenizer(stage, where);
  const auto tok = with_context(where, [&] { return Tokenizer::load(tokenizer_path_); });
  if (tok.vocab_size() != shards_->train.front().vocab_size()) {
    throw Error(where + ": tokenizer '" + tokenizer_path_ + "' has " + std::to_string(tok.vocab_size()) +
                    " pieces but the shards were built with " + std::to_string(shards_->train.front().vocab_size()),
                "point `tokenizer:` at the .model the shards were built with");
  }
}

StageData::StageData(StageData&&) noexcept = default;
StageData::~StageData() = default;

std::vector<int64_t> StageData::train_sizes() const {
  if (kind_ == StageKind::kPuzzle) return {static_cast<int64_t>(puzzles_.train.size())};
  std::vector<int64_t> out;
  for (const auto& r : shards_->train) out.push_back(r.packing() ? r.num_sequences(seq_len_ + 1) : r.num_documents());
  return out;
}

std::vector<double> StageData::train_weights() const { return weights_; }

namespace {

Batch documents_batch(const std::vector<std::pair<const ShardReader*, int64_t>>& docs, int64_t seq_len, int pad_id,
                      torch::Device device) {
  const auto b = static_cast<int64_t>(docs.size());
  auto inputs = torch::full({b, seq_len}, static_cast<int64_t>(pad_id), torch::kLong);
  auto labels = torch::full({b, seq_len}, kIgnoreLabel, torch::kLong);
  auto prefix = torch::zeros({b}, torch::kLong);
  auto in_a = inputs.accessor<int64_t, 2>(), lab_a = labels.accessor<int64_t, 2>();
  auto pre_a = prefix.accessor<int64_t, 1>();
  std::vector<int32_t> tokens;
  std::vector<uint8_t> mask;
  for (int64_t i = 0; i < b; ++i) {
    const auto& [reader, d] = docs[static_cast<size_t>(i)];
    if (reader->packing()) {  // window d of seq_len + 1 tokens; no prompt
      tokens.resize(static_cast<size_t>(seq_len + 1));
      mask.resize(tokens.size());
      reader->read(d, seq_len + 1, tokens.data(), mask.data());
    } else {
      reader->read_document(d, tokens, mask);
    }
    const auto n = static_cast<int64_t>(tokens.size());
    for (int64_t j = 0; j + 1 < n; ++j) {
      in_a[i][j] = tokens[static_cast<size_t>(j)];
      if (mask[static_cast<size_t>(j + 1)]) lab_a[i][j] = tokens[static_cast<size_t>(j + 1)];
    }
    pre_a[i] =
        reader->packing() ? 0 : std::min<int64_t>(reader->document(d).prompt_length, std::max<int64_t>(0, n - 1));
  }
  return {inputs.to(device), labels.to(device), torch::zeros({b}, torch::kLong).to(device), prefix.to(device)};
}

}  // namespace

Batch StageData::train_batch(const std::vector<SampleRef>& rows, torch::Device device) const {
  if (kind_ == StageKind::kPuzzle) {
    std::vector<size_t> idx;
    for (const auto& r : rows) idx.push_back(static_cast<size_t>(r.index));
    return make_puzzle_batch(puzzles_.train, idx, device);
  }
  std::vector<std::pair<const ShardReader*, int64_t>> docs;
  for (const auto& r : rows) docs.emplace_back(&shards_->train.at(static_cast<size_t>(r.source)), r.index);
  return documents_batch(docs, seq_len_, shards_->pad_id, device);
}

int64_t StageData::held_out_size() const {
  if (kind_ == StageKind::kPuzzle) return static_cast<int64_t>(puzzles_.test.size());
  int64_t n = 0;
  for (const auto& r : shards_->validation) n += r.packing() ? r.num_sequences(seq_len_ + 1) : r.num_documents();
  return n;
}

Batch StageData::held_out_batch(int64_t begin, int64_t end, torch::Device device) const {
  if (kind_ == StageKind::kPuzzle) {
    std::vector<size_t> idx;
    for (int64_t i = begin; i < end; ++i) idx.push_back(static_cast<size_t>(i));
    return make_puzzle_batch(puzzles_.test, idx, device);
  }
  std::vector<std::pair<const ShardReader*, int64_t>> docs;
  for (int64_t g = begin; g < end; ++g) {
    size_t s = shards_->validation_offsets.size() - 1;
    while (shards_->validation_offsets[s] > g) --s;
    docs.emplace_back(&shards_->validation[s], g - shards_->validation_offsets[s]);
  }
  return documents_batch(docs, seq_len_, shards_->pad_id, device);
}

}  // namespace hrm
