// The whole text path on a saved tiny checkpoint: tokenizer trained here, random-init causal model
// saved with save_checkpoint, TextModel, the hrm:<dir> eval backend and the hrm-generate binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hrm/eval/model_backend.hpp"
#include "hrm/infer/hrm_backend.hpp"
#include "hrm/infer/prompt_file.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch() {
  static const fs::path dir = [] {
    char tmpl[] = "/tmp/hrm-infer-test-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    if (made == nullptr) throw std::runtime_error("mkdtemp failed");
    return fs::path(made);
  }();
  return dir;
}

class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(scratch(), ec);
  }
};
[[maybe_unused]] const auto* const kCleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

// A tokenizer trained on the bundled fixtures and a random-init causal model over its vocabulary.
const std::string& checkpoint() {
  static const std::string dir = [] {
    hrm::TokenizerTrainOptions options;
    options.vocab_size = 600;
    options.character_coverage = 1.0;
    const auto tok_path = scratch() / "tok.model";
    hrm::train_tokenizer({fs::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures"}, options, tok_path);
    hrm::ModelConfig c;
    c.vocab_size = 600;
    c.seq_len = 96;
    c.hidden_size = 32;
    c.num_heads = 4;
    c.expansion = 2.0;
    c.H_layers = 1;
    c.L_layers = 1;
    c.H_cycles = 1;
    c.L_cycles = 2;
    c.halt_max_steps = 2;
    c.attention = hrm::AttentionMode::kCausal;
    c.norm = hrm::NormStyle::kPre;
    c.z_H_init = hrm::ZHInit::kEmbedding;
    c.forward_dtype = "float32";
    torch::manual_seed(17);
    hrm::HRMInner model(c);
    const auto ckpt = (scratch() / "ckpt").string();
    hrm::save_checkpoint(ckpt, *model, {{"step", 0}});
    fs::copy_file(tok_path, fs::path(ckpt) / "tokenizer.model");
    return ckpt;
  }();
  return dir;
}

const std::vector<hrm::ChatMessage> kHello = {{"user", "Write a function that adds two numbers."}};

TEST(TextModel, GeneratesTextThroughTheChatTemplate) {
  auto model = hrm::infer::TextModel::load(checkpoint());
  hrm::infer::GenerateOptions o;
  o.sampling.max_new_tokens = 12;
  const auto r = model.generate_chat({kHello}, o);
  ASSERT_EQ(r.completions.size(), 1u);
  const auto& c = r.completions[0];
  EXPECT_FALSE(c.tokens.empty());
  EXPECT_EQ(c.text, model.tokenizer().decode(c.tokens));
  EXPECT_EQ(c.segments, 2);  // halt_max_steps
  EXPECT_EQ(r.stats.prompt_tokens, static_cast<int64_t>(hrm::encode_prompt(model.tokenizer(), kHello).size()));
  for (const auto t : c.tokens) EXPECT_LT(t, model.tokenizer().vocab_size());
  // <|end|> and </s> stop generation: swap the head rows of the first greedy token and the stop id,
  // so the stop id becomes the first greedy choice.
  for (const int stop : {hrm::tok::kEndId, hrm::tok::kEosId}) {
    auto reloaded = hrm::infer::TextModel::load(checkpoint());
    {
      torch::NoGradGuard no_grad;
      auto& head = reloaded.decoder().model().lm_head->weight;
      const auto first = head[c.tokens[0]].clone();
      head[c.tokens[0]].copy_(head[stop]);
      head[stop].copy_(first);
    }
    const auto ended = reloaded.generate_chat({kHello}, o).completions[0];
    EXPECT_EQ(ended.finish, hrm::infer::FinishReason::kStopToken) << stop;
    EXPECT_TRUE(ended.tokens.empty()) << stop;
    EXPECT_EQ(ended.text, "");
  }
}

TEST(TextModel, MissingTokenizerIsAnError) {
  const auto dir = scratch() / "no-tokenizer";
  fs::create_directories(dir);
  for (const auto* f : {"model.safetensors", "config.yaml", "train_state.json"})
    fs::copy_file(fs::path(checkpoint()) / f, dir / f);
  try {
    hrm::infer::TextModel::load(dir.string());
    FAIL() << "expected an error";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.describe().find("tokenizer.model"), std::string::npos) << e.describe();
  }
}

TEST(HrmBackend, RepliesWithAllSamplesOfARequestInOneCall) {
  hrm::infer::register_hrm_backend();
  const auto schemes = hrm::eval::backend_schemes();
  EXPECT_NE(std::find(schemes.begin(), schemes.end(), "hrm"), schemes.end());
  auto backend = hrm::eval::make_backend("hrm:" + checkpoint());
  EXPECT_EQ(backend->name(), "hrm:" + checkpoint());
  EXPECT_FALSE(backend->thread_safe());
  hrm::eval::GenerationRequest req;
  req.id = {"livecodebench", "abc123", 1, 0};
  req.messages = {{"system", "You are a coder."}, {"user", "Add two numbers."}};
  req.params.n = 3;
  req.params.temperature = 1.0;
  req.params.max_tokens = 10;
  req.params.seed = 5;
  const auto replies = backend->generate(req);
  ASSERT_EQ(replies.size(), 3u);
  // The same as the library with seeds 5, 6, 7; sample 1 alone (id.sample = 1) gives the second reply.
  auto model = hrm::infer::TextModel::load(checkpoint());
  hrm::infer::GenerateOptions o;
  o.samples = 3;
  o.sampling.temperature = 1.0;
  o.sampling.max_new_tokens = 10;
  o.sampling.seed = 5;
  const auto direct = model.generate_chat({{{"system", "You are a coder."}, {"user", "Add two numbers."}}}, o);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(replies[i], direct.completions[i].text);
  EXPECT_FALSE(replies[0] == replies[1] && replies[1] == replies[2]);
  auto single = req;
  single.params.n = 1;
  single.id.sample = 1;
  EXPECT_EQ(backend->generate(single), std::vector<std::string>{replies[1]});
  // A prompt longer than the context gets empty replies instead of stopping the benchmark.
  auto huge = req;
  huge.messages = {{"user", std::string(2000, 'x')}};
  EXPECT_EQ(backend->generate(huge), std::vector<std::string>(3));
}

TEST(HrmBackend, SpecOptionsAndErrors) {
  hrm::infer::register_hrm_backend();
  auto adaptive = hrm::eval::make_backend("hrm:" + checkpoint() + "?act=adaptive&segments=2&dtype=bfloat16");
  hrm::eval::GenerationRequest req;
  req.messages = {{"user", "hi"}};
  req.params.max_tokens = 3;
  EXPECT_EQ(adaptive->generate(req).size(), 1u);
  const auto error_of = [](const std::string& spec) {
    try {
      hrm::eval::make_backend(spec);
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  EXPECT_NE(error_of("hrm").find("checkpoint directory"), std::string::npos);
  EXPECT_NE(error_of("hrm:" + checkpoint() + "?colour=red").find("unknown option 'colour'"), std::string::npos);
  EXPECT_NE(error_of("hrm:" + checkpoint() + "?segments=0").find("positive integer"), std::string::npos);
  EXPECT_NE(error_of("hrm:/nonexistent/ckpt").find("/nonexistent/ckpt"), std::string::npos);
}

TEST(HrmBackend, TheCheckpointsDataCutoffDrivesTheContaminationGuard) {
  hrm::infer::register_hrm_backend();
  EXPECT_EQ(hrm::eval::make_backend("hrm:" + checkpoint())->training_cutoff(), "");
  const auto dated = (scratch() / "dated").string();
  {
    const auto meta = hrm::read_checkpoint_meta(checkpoint());
    hrm::HRMInner model(meta.config);
    hrm::load_checkpoint(checkpoint(), *model);
    hrm::save_checkpoint(dated, *model, {{"step", 0}, {"data_cutoff", "2024-01-01"}});
    fs::copy_file(fs::path(checkpoint()) / "tokenizer.model", fs::path(dated) / "tokenizer.model");
  }
  EXPECT_EQ(hrm::eval::make_backend("hrm:" + dated)->training_cutoff(), "2024-01-01");

  // hrm-eval takes the cutoff from the checkpoint when --train-cutoff is not given.
  const auto out = scratch() / "lcb_dated";
  const auto log = scratch() / "lcb_dated.log";
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-eval --bench livecodebench --data " + HRM_SOURCE_DIR +
                          "/data/lcb-fixtures --release v2 --n 1 --max-tokens 4 --jobs 1 --model hrm:" + dated +
                          " --out " + out.string() + " >" + log.string() + " 2>&1";
  ASSERT_EQ(WEXITSTATUS(std::system(cmd.c_str())), 0) << cmd;
  std::ifstream in(log);
  const std::string text(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(text.find("CONTAMINATION: 3 of 6 problems"), std::string::npos) << text;
  std::ifstream summary_file(out / "summary.json");
  const auto summary = nlohmann::json::parse(summary_file);
  EXPECT_EQ(summary["contamination"]["train_cutoff"], "2024-01-01");
  EXPECT_EQ(summary["contamination"]["problems_before_cutoff"], 3);
}

struct Output {
  int status = -1;
  std::string out, err;
};

Output run(const std::string& args) {
  const auto out_path = scratch() / "stdout.txt", err_path = scratch() / "stderr.txt";
  const std::string cmd = std::string(HRM_BINARY_DIR) + "/bin/hrm-generate --threads 1 " + args + " >" +
                          out_path.string() + " 2>" + err_path.string();
  Output o;
  o.status = WEXITSTATUS(std::system(cmd.c_str()));
  const auto slurp = [](const fs::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  o.out = slurp(out_path);
  o.err = slurp(err_path);
  return o;
}

std::string quoted(const std::string& s) { return "'" + s + "'"; }

TEST(HrmGenerate, PromptStreamAndFileModes) {
  auto model = hrm::infer::TextModel::load(checkpoint());
  hrm::infer::GenerateOptions o;
  o.sampling.max_new_tokens = 8;
  const auto expected = model.generate_chat({kHello}, o).completions[0].text;

  const auto plain = run("--ckpt " + checkpoint() + " --max-new-tokens 8 --prompt " + quoted(kHello[0].content));
  ASSERT_EQ(plain.status, 0) << plain.err;
  EXPECT_EQ(plain.out, expected + "\n");
  EXPECT_NE(plain.err.find("bytes/token"), std::string::npos) << plain.err;
  const auto streamed =
      run("--ckpt " + checkpoint() + " --max-new-tokens 8 --stream --prompt " + quoted(kHello[0].content));
  ASSERT_EQ(streamed.status, 0) << streamed.err;
  EXPECT_EQ(streamed.out, plain.out);

  const auto prompts = scratch() / "prompts.jsonl";
  {
    std::ofstream f(prompts);
    f << R"({"prompt": "Write a function that adds two numbers.", "id": "a"})"
      << "\n\n"
      << R"({"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]})"
      << "\n";
  }
  const auto file = run("--ckpt " + checkpoint() +
                        " --max-new-tokens 6 --n 2 --temperature 0.7 --seed 3 --batch 1 --file " + prompts.string());
  ASSERT_EQ(file.status, 0) << file.err;
  std::istringstream lines(file.out);
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(lines, line)) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["index"], 0);
  EXPECT_EQ(rows[0]["id"], "a");
  EXPECT_EQ(rows[1]["completions"].size(), 2u);
  EXPECT_EQ(rows[1]["segments"], 2);
  o.sampling.max_new_tokens = 6;
  o.samples = 2;
  o.sampling.temperature = 0.7;
  o.sampling.seed = 3;
  const auto lib = model.generate_chat({{{"system", "Be brief."}, {"user", "Hello"}}}, o);
  // Invalid UTF-8 (a random model emits byte pieces) becomes U+FFFD in the JSON output.
  const auto as_json = [](const std::string& text) {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  EXPECT_EQ(rows[1]["completions"][1].dump(), as_json(lib.completions[1].text));
}

TEST(HrmGenerate, BadInputNamesTheFileAndLine) {
  const auto prompts = scratch() / "bad.jsonl";
  {
    std::ofstream f(prompts);
    f << R"({"prompt": "ok"})"
      << "\n"
      << R"({"promt": "typo"})"
      << "\n";
  }
  const auto r = run("--ckpt " + checkpoint() + " --file " + prompts.string());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find(prompts.string() + ":2: unknown field 'promt'"), std::string::npos) << r.err;
  const auto missing = run("--ckpt " + (scratch() / "nope").string() + " --prompt hi");
  EXPECT_EQ(missing.status, 1);
  EXPECT_NE(missing.err.find("nope"), std::string::npos) << missing.err;
}

}  // namespace
