// A downstream program of the installed libhrm: LibTorch and the SentencePiece tokenizer in one
// process (their protobuf copies must not collide; see src/tokenizer/sentencepiece_api.hpp).
#include <hrm/model/config.hpp>
#include <hrm/model/hrm.hpp>
#include <hrm/tokenizer/tokenizer.hpp>
#include <hrm/util/error.hpp>

#include <filesystem>
#include <iostream>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer <tokenizer training dir> <scratch dir>\n";
    return 2;
  }
  try {
    hrm::TokenizerTrainOptions options;
    options.vocab_size = 400;
    options.character_coverage = 1.0;
    const std::filesystem::path model = std::filesystem::path(argv[2]) / "tok.model";
    hrm::train_tokenizer({argv[1]}, options, model);
    const auto tok = hrm::Tokenizer::load(model);
    const std::string text = "def f(x):\n\treturn x + 1  \r\n";
    if (tok.decode(tok.encode(text)) != text) {
      std::cerr << "tokenizer round trip failed\n";
      return 1;
    }
    hrm::ModelConfig config;
    config.vocab_size = tok.vocab_size();
    config.seq_len = 8;
    config.hidden_size = 32;
    config.num_heads = 2;
    config.H_layers = config.L_layers = 1;
    config.forward_dtype = "float32";
    hrm::HRMInner inner(config);
    std::cout << "ok: vocab " << tok.vocab_size() << ", " << hrm::count_parameters(*inner) << " parameters\n";
  } catch (const hrm::Error& e) {
    std::cerr << e.describe() << "\n";
    return 1;
  }
  return 0;
}
