#include "hrm/tokenizer/tokenizer.hpp"

#include <cstdio>

#include "hrm/util/utf8.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "sentencepiece_api.hpp"

namespace hrm {

namespace {

// SentencePiece's internal space symbol, U+2581.
constexpr std::string_view kMetaSpace = "\xE2\x96\x81";

std::string replace_meta_space(const std::string& piece) {
  std::string out;
  out.reserve(piece.size());
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, kMetaSpace.size(), kMetaSpace) == 0) {
      out.push_back(' ');
      i += kMetaSpace.size();
    } else {
      out.push_back(piece[i++]);
    }
  }
  return out;
}

}  // namespace

Tokenizer::Tokenizer() : sp_(spm::api().new_processor()) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::filesystem::path& model_path) {
  std::string bytes;
  try {
    bytes = read_file(model_path);
  } catch (const Error& e) {
    throw Error("cannot load tokenizer: " + e.message(),
                "train one with `hrm-data tokenizer train --input <dir> --out tok.model`");
  }
  return from_serialized(bytes, model_path.string());
}

Tokenizer Tokenizer::from_serialized(const std::string& model_bytes, const std::string& source_name) {
  Tokenizer t;
  t.serialized_ = model_bytes;
  const std::string error = t.sp_->load(model_bytes);
  if (!error.empty()) {
    throw Error("'" + source_name + "' is not a SentencePiece model: " + error,
                "pass the .model file written by `hrm-data tokenizer train`");
  }
  t.init(source_name);
  return t;
}

void Tokenizer::init(const std::string& source_name) {
  const auto fail = [&](const std::string& what) {
    throw Error("tokenizer '" + source_name + "' does not have hrm's fixed special ids: " + what,
                "retrain it with `hrm-data tokenizer train` (special_tokens.hpp lists the expected ids)");
  };
  const int n = sp_->piece_size();
  if (n < tok::kFirstByteId + 256) fail("only " + std::to_string(n) + " pieces");
  if (sp_->pad_id() != tok::kPadId || sp_->unk_id() != tok::kUnkId || sp_->bos_id() != tok::kBosId ||
      sp_->eos_id() != tok::kEosId) {
    fail("pad/unk/bos/eos are " + std::to_string(sp_->pad_id()) + "/" + std::to_string(sp_->unk_id()) + "/" +
         std::to_string(sp_->bos_id()) + "/" + std::to_string(sp_->eos_id()));
  }
  for (size_t i = 0; i < tok::kSpecialPieces.size(); ++i) {
    const int id = tok::kFirstSpecialId + static_cast<int>(i);
    if (sp_->id_to_piece(id) != tok::kSpecialPieces[i]) {
      fail("id " + std::to_string(id) + " is '" + sp_->id_to_piece(id) + "', expected '" +
           std::string(tok::kSpecialPieces[i]) + "'");
    }
  }
  bytes_of_.assign(static_cast<size_t>(n), std::string());
  for (int id = 0; id < n; ++id) {
    const std::string& p = sp_->id_to_piece(id);
    if (id < tok::kFirstSpecialId) continue;  // control pieces and <unk> decode to nothing
    if (id < tok::kFirstByteId) {
      bytes_of_[static_cast<size_t>(id)] = p;
    } else if (id < tok::kFirstByteId + 256) {
      char expected[8];
      std::snprintf(expected, sizeof expected, "<0x%02X>", id - tok::kFirstByteId);
      if (!sp_->is_byte(id) || p != expected)
        fail("id " + std::to_string(id) + " is '" + p + "', expected " + expected);
      bytes_of_[static_cast<size_t>(id)] = std::string(1, static_cast<char>(id - tok::kFirstByteId));
    } else {
      bytes_of_[static_cast<size_t>(id)] = replace_meta_space(p);
    }
  }
}

const std::string& Tokenizer::piece(int id) const {
  if (id < 0 || id >= vocab_size()) {
    throw Error("token id " + std::to_string(id) + " is outside the vocabulary [0, " + std::to_string(vocab_size()) +
                ")");
  }
  return sp_->id_to_piece(id);
}

int Tokenizer::piece_to_id(std::string_view piece) const {
  const int id = sp_->piece_to_id(piece);
  // PieceToId answers unk_id for unknown pieces.
  return (id == tok::kUnkId && piece != sp_->id_to_piece(tok::kUnkId)) ? -1 : id;
}

void Tokenizer::encode_plain(std::string_view text, std::vector<int32_t>& out) const {
  if (text.empty()) return;
  std::vector<int> ids;
  const std::string error = sp_->encode(text, ids);
  if (!error.empty()) throw Error("SentencePiece failed to encode " + std::to_string(text.size()) + " bytes: " + error);
  out.insert(out.end(), ids.begin(), ids.end());
}

std::vector<int32_t> Tokenizer::encode(std::string_view text) const {
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  encode_append(text, out);
  return out;
}

void Tokenizer::encode_append(std::string_view text, std::vector<int32_t>& out) const {
  // SentencePiece sees only valid UTF-8 without U+2581; everything else goes out as byte pieces.
  size_t run_begin = 0, pos = 0;
  const auto push_bytes = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) out.push_back(tok::kFirstByteId + static_cast<unsigned char>(text[i]));
  };
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t len = utf8::sequence_length(text, pos);
    const bool meta_space = len == 3 && text.compare(pos, 3, kMetaSpace) == 0;
    if (len != 0 && !meta_space) {
      pos += len;
      continue;
    }
    encode_plain(text.substr(run_begin, pos - run_begin), out);
    const size_t end = pos + (meta_space ? 3 : 1);
    push_bytes(pos, end);
    run_begin = pos = end;
  }
  encode_plain(text.substr(run_begin), out);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const { return decode(ids.data(), ids.size()); }

std::string Tokenizer::decode(const int32_t* ids, size_t count) const {
  std::string out;
  out.reserve(count * 3);
  for (size_t i = 0; i < count; ++i) {
    const int32_t id = ids[i];
    if (id < 0 || id >= vocab_size()) {
      throw Error("cannot decode token id " + std::to_string(id) + " at position " + std::to_string(i) +
                      ": outside the vocabulary [0, " + std::to_string(vocab_size()) + ")",
                  "decode with the tokenizer the ids were encoded with");
    }
    out += bytes_of_[static_cast<size_t>(id)];
  }
  return out;
}

}  // namespace hrm
