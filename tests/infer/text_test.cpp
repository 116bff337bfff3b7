// The whole text path on a saved tiny checkpoint: tokenizer trained here, random-init causal model
// saved with save_checkpoint, TextModel and the hrm-generate binary (the hrm:<dir> eval backend: tests/backend).
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hrm/infer/prompt_file.hpp"
#include "hrm/infer/text_model.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"
#include "text_checkpoint.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path& scratch() { return hrm::infer::testing::text_scratch(); }
const std::string& checkpoint() { return hrm::infer::testing::tiny_text_checkpoint(); }

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

// A truncated checkpoint (model.safetensors cut in half, as an interrupted copy leaves it) ends hrm-generate
// with status 1, the file named and a hint, never a crash.
TEST(HrmGenerate, ATruncatedCheckpointIsACleanError) {
  const auto dir = scratch() / "truncated";
  fs::create_directories(dir);
  for (const auto* f : {"config.yaml", "train_state.json", "tokenizer.model", "model.safetensors"})
    fs::copy_file(fs::path(checkpoint()) / f, dir / f, fs::copy_options::overwrite_existing);
  fs::resize_file(dir / "model.safetensors", fs::file_size(dir / "model.safetensors") / 2);
  const auto r = run("--ckpt " + dir.string() + " --prompt hi");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find((dir / "model.safetensors").string() + ": not a valid safetensors file"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("HINT: "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("terminate called"), std::string::npos) << r.err;
}

}  // namespace
