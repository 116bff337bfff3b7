// The SentencePiece library behind a narrow interface, loaded at run time from libhrm_sentencepiece.so.
//
// Why: Debian's libsentencepiece carries its own copy of protobuf-lite and exports its symbols, while
// LibTorch loads the system libprotobuf. Linked into one process, whichever comes first in the symbol
// lookup order serves both, and the other crashes (libprotobuf's static initializers segfault, or
// SentencePiece fails to load models). The shim library is opened with RTLD_LOCAL | RTLD_DEEPBIND, so
// SentencePiece binds to its own protobuf and nothing else sees it. Only virtual calls and this one
// entry point cross the boundary.
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hrm::spm {

class Processor {
 public:
  virtual ~Processor() = default;
  // Empty on success, else SentencePiece's error text.
  virtual std::string load(const std::string& model_bytes) = 0;
  virtual int piece_size() const = 0;
  virtual int pad_id() const = 0;
  virtual int unk_id() const = 0;
  virtual int bos_id() const = 0;
  virtual int eos_id() const = 0;
  virtual const std::string& id_to_piece(int id) const = 0;
  virtual bool is_byte(int id) const = 0;
  virtual int piece_to_id(std::string_view piece) const = 0;
  // Appends the ids of `text`; empty on success, else the error text.
  virtual std::string encode(std::string_view text, std::vector<int>& ids) const = 0;
};

struct Api {
  int version;  // kApiVersion of the shim that was built with this header
  Processor* (*new_processor)();
  // Trains a model on `sentences` with SentencePiece's flags `args` (name -> value), quietly (errors only);
  // writes the serialized model to *model. Empty on success, else the error text.
  std::string (*train)(const std::unordered_map<std::string, std::string>& args,
                       const std::vector<std::string>& sentences, unsigned seed, std::string* model);
};
inline constexpr int kApiVersion = 1;

// The shim's entry point, loaded once; throws hrm::Error naming the paths tried when it cannot be loaded.
const Api& api();

}  // namespace hrm::spm

extern "C" const hrm::spm::Api* hrm_sentencepiece_api();
