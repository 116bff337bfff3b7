#include "hrm/data/build.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "data_test_util.hpp"
#include "hrm/data/language.hpp"
#include "hrm/data/shard.hpp"
#include "hrm/tokenizer/chat_template.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::test_support;

// A pretraining JSONL of the six fixture files plus numbered variants, with a few bad lines.
fs::path write_pretrain_jsonl(const fs::path& dir, bool with_bad_lines) {
  std::string out;
  const std::pair<const char*, const char*> files[] = {{"sample.cpp", "cpp"},   {"sample.go", "go"},
                                                       {"Sample.java", "java"}, {"sample.js", "javascript"},
                                                       {"sample.py", "python"}, {"sample.rs", "rust"}};
  for (int copy = 0; copy < 5; ++copy) {
    for (const auto& [name, lang] : files) {
      nlohmann::json row{{"content", "// copy " + std::to_string(copy) + "\n" + hrm::read_file(fixtures_dir() / name)},
                         {"language", lang}};
      out += row.dump() + "\n";
    }
    if (with_bad_lines && copy == 1) out += "{\"content\": \"unterminated\n";
    if (with_bad_lines && copy == 2) out += "{\"no_content\": 1}\n";
    if (with_bad_lines && copy == 3) out += "\n";  // blank lines are not errors
  }
  out += nlohmann::json{{"text", "plain text row without a language\n"}}.dump() + "\n";
  write(dir / "pretrain.jsonl", out);
  return dir / "pretrain.jsonl";
}

hrm::BuildConfig pretrain_config(const fs::path& dir, const fs::path& input) {
  return hrm::BuildConfig::from_yaml("tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "out").string() +
                                         "\nmode: pretrain\ninputs: [" + input.string() +
                                         "]\nseq_len: 32\nvalidation_fraction: 0.2\nseed: 7\nshard_tokens: 2000\n",
                                     "test.yaml");
}

std::string concat_files(const fs::path& dir) {
  std::string all;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) all += f.filename().string() + hrm::read_file(f);
  return all;
}

TEST(BuildConfig, ReadsTypedKeysAndRejectsUnknownOnes) {
  const auto c = hrm::BuildConfig::from_yaml(
      "tokenizer: t.model\nout: o\nmode: sft\ninputs:\n  - a.jsonl\n  - b.jsonl\nseq_len: 16\npacking: false\n"
      "decontamination:\n  benchmarks: bench\n  ngram: 8\n  lcb_cutoff: \"2024-08-01\"\n",
      "c.yaml");
  EXPECT_EQ(c.mode, "sft");
  EXPECT_EQ(c.inputs, (std::vector<std::string>{"a.jsonl", "b.jsonl"}));
  EXPECT_FALSE(c.packing);
  EXPECT_EQ(c.decontamination.benchmarks, std::vector<std::string>{"bench"});
  EXPECT_EQ(c.decontamination.ngram, 8);
  EXPECT_EQ(c.decontamination.lcb_cutoff, "2024-08-01");

  auto msg =
      error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\ninputs: [a]\nseq_lenn: 3\n", "c.yaml"); });
  EXPECT_NE(msg.find("c.yaml: unknown key 'seq_lenn'"), std::string::npos) << msg;
  msg = error_of([] {
    hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\ninputs: [a]\ndecontamination:\n  treshold: 1\n", "c.yaml");
  });
  EXPECT_NE(msg.find("unknown key 'decontamination.treshold'"), std::string::npos) << msg;
  msg = error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\ninputs: [a]\nmode: finetune\n", "c.yaml"); });
  EXPECT_NE(msg.find("'mode' is 'finetune'"), std::string::npos) << msg;
  msg = error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\n", "c.yaml"); });
  EXPECT_NE(msg.find("inputs"), std::string::npos) << msg;
  msg = error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\ninputs: {a: 1}\n", "c.yaml"); });
  EXPECT_NE(msg.find("'inputs' must be a list of strings"), std::string::npos) << msg;
  msg = error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\nout: o\ninputs: [a]\nseq_len: -1\n", "c.yaml"); });
  EXPECT_NE(msg.find("seq_len"), std::string::npos) << msg;
  msg = error_of([] { hrm::BuildConfig::from_yaml("tokenizer: t\ninputs: [a]\n", "c.yaml"); });
  EXPECT_NE(msg.find("missing required key 'out'"), std::string::npos) << msg;
}

TEST(Build, PretrainShardsHoldEveryDocumentExactly) {
  const auto dir = scratch_dir("build-pretrain");
  const auto input = write_pretrain_jsonl(dir, true);
  const auto config = pretrain_config(dir, input);
  const auto stats = hrm::run_build(config);
  EXPECT_EQ(stats.rows, 31u);
  EXPECT_EQ(stats.dropped.at("broken_json"), 1u);
  EXPECT_EQ(stats.dropped.at("bad_row"), 1u);
  EXPECT_EQ(stats.train.documents + stats.validation.documents, 31u);
  EXPECT_EQ(stats.validation.documents, 6u);  // round(31 * 0.2)
  auto by_language = stats.train.tokens_by_language;
  for (const auto& [lang, n] : stats.validation.tokens_by_language) by_language[lang] += n;
  EXPECT_EQ(by_language.size(), 7u);  // six languages + "other"
  ASSERT_EQ(stats.examples.size(), 2u);
  EXPECT_NE(stats.examples[0].find("pretrain.jsonl:13: not valid JSON"), std::string::npos) << stats.examples[0];
  EXPECT_NE(stats.examples[1].find("pretrain.jsonl:20:"), std::string::npos) << stats.examples[1];

  // Every document decodes back to its row: [<|lang|>] content </s>; loss on every token.
  std::multiset<std::string> want, got;
  {
    std::ifstream in(input);
    std::string line;
    while (std::getline(in, line)) {
      auto row = nlohmann::json::parse(line, nullptr, false);
      if (row.is_discarded() || !row.is_object() || (!row.contains("content") && !row.contains("text"))) continue;
      want.insert(row.contains("content") ? row["content"].get<std::string>() : row["text"].get<std::string>());
    }
  }
  const auto& tok = tokenizer();
  size_t tokens = 0;
  for (const char* split : {"train", "validation"}) {
    const auto r = hrm::ShardReader::open(fs::path(config.out) / split);
    std::vector<int32_t> ids;
    std::vector<uint8_t> mask;
    for (int64_t d = 0; d < r.num_documents(); ++d) {
      r.read_document(d, ids, mask);
      ASSERT_EQ(ids.back(), hrm::tok::kEosId);
      EXPECT_EQ(r.document(d).prompt_length, 0u);
      EXPECT_EQ(std::count(mask.begin(), mask.end(), 1), static_cast<long>(mask.size()));
      const auto lang = r.document(d).language;
      if (lang != hrm::kShardLanguageUnknown) {
        EXPECT_EQ(ids.front(), hrm::language_tag_id(hrm::kAllLanguages[lang]));
        ids.erase(ids.begin());
      }
      got.insert(tok.decode(ids));
    }
    tokens += static_cast<size_t>(r.num_tokens());
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(tokens, stats.train.tokens + stats.validation.tokens);
  EXPECT_TRUE(fs::exists(fs::path(config.out) / "stats.json"));
  EXPECT_EQ(hrm::read_file(fs::path(config.out) / "tokenizer.model"), hrm::read_file(tokenizer_path()));
  EXPECT_TRUE(fs::exists(fs::path(config.out) / "train" / "shard-00001.bin"));  // shard_tokens: 2000
}

TEST(Build, ShufflingIsDeterministicPerSeed) {
  const auto dir = scratch_dir("build-determinism");
  const auto input = write_pretrain_jsonl(dir, false);
  auto config = pretrain_config(dir, input);
  config.out = (dir / "a").string();
  hrm::run_build(config);
  config.out = (dir / "b").string();
  hrm::run_build(config);
  config.out = (dir / "c").string();
  config.seed = 8;
  hrm::run_build(config);
  EXPECT_EQ(concat_files(dir / "a" / "train"), concat_files(dir / "b" / "train"));
  EXPECT_EQ(concat_files(dir / "a" / "validation"), concat_files(dir / "b" / "validation"));
  EXPECT_NE(concat_files(dir / "a" / "train"), concat_files(dir / "c" / "train"));

  EXPECT_EQ(hrm::shuffled_indices(5, 1), hrm::shuffled_indices(5, 1));
  EXPECT_NE(hrm::shuffled_indices(50, 1), hrm::shuffled_indices(50, 2));
  auto sorted = hrm::shuffled_indices(50, 3);
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) EXPECT_EQ(sorted[i], i);
  // Pinned: std::mt19937_64 is specified by the standard, so this order is the same everywhere.
  EXPECT_EQ(hrm::shuffled_indices(6, 42), (std::vector<size_t>{3, 1, 5, 2, 4, 0}))
      << ::testing::PrintToString(hrm::shuffled_indices(6, 42));
}

TEST(Build, OnErrorStopNamesFileAndLine) {
  const auto dir = scratch_dir("build-stop");
  const auto input = write_pretrain_jsonl(dir, true);
  auto config = pretrain_config(dir, input);
  config.on_error = "stop";
  const auto msg = error_of([&] { hrm::run_build(config); });
  EXPECT_NE(msg.find("pretrain.jsonl:13: not valid JSON"), std::string::npos) << msg;
  // Invalid UTF-8 in a row is reported with its line too.
  write(dir / "latin1.jsonl", "{\"text\": \"ok\"}\n{\"text\": \"caf\xE9\"}\n");
  config.inputs = {(dir / "latin1.jsonl").string()};
  const auto msg2 = error_of([&] { hrm::run_build(config); });
  EXPECT_NE(msg2.find("latin1.jsonl:2: invalid UTF-8 at byte offset 13"), std::string::npos) << msg2;
  config.inputs = {(dir / "missing.jsonl").string()};
  EXPECT_NE(error_of([&] { hrm::run_build(config); }).find("missing.jsonl"), std::string::npos);
}

TEST(Build, SftLossMasksCoverExactlyTheResponses) {
  const auto dir = scratch_dir("build-sft");
  std::string jsonl;
  for (int i = 0; i < 12; ++i) {
    jsonl += nlohmann::json{{"prompt", "Write add" + std::to_string(i) + " in Python."},
                            {"response", "def add" + std::to_string(i) + "(a, b):\n    return a + b\n"},
                            {"language", "python"}}
                 .dump() +
             "\n";
  }
  jsonl += nlohmann::json{{"messages",
                           {{{"role", "system"}, {"content", "Be brief."}},
                            {{"role", "user"}, {"content", "Hi"}},
                            {{"role", "assistant"}, {"content", "Hello."}},
                            {{"role", "user"}, {"content", "Sum 1..3?"}},
                            {{"role", "assistant"}, {"content", "6"}}}}}
               .dump() +
           "\n";
  jsonl += nlohmann::json{{"prompt", std::string(400, 'x')}, {"response", "too long"}}.dump() + "\n";
  jsonl += nlohmann::json{{"messages", {{{"role", "wizard"}, {"content", "?"}}}}}.dump() + "\n";
  write(dir / "sft.jsonl", jsonl);
  auto config = hrm::BuildConfig::from_yaml(
      "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "out").string() + "\nmode: sft\ninputs: [" +
          (dir / "sft.jsonl").string() + "]\nseq_len: 64\npacking: false\nvalidation_fraction: 0\n",
      "sft.yaml");
  const auto stats = hrm::run_build(config);
  EXPECT_EQ(stats.dropped.at("too_long"), 1u);
  EXPECT_EQ(stats.dropped.at("bad_row"), 1u);
  EXPECT_EQ(stats.train.documents, 13u);
  EXPECT_EQ(stats.validation.documents, 0u);

  const auto& tok = tokenizer();
  const auto r = hrm::ShardReader::open(dir / "out" / "train");
  EXPECT_EQ(r.num_tokens() % 64, 0);
  std::multiset<std::string> responses;
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
  for (int64_t d = 0; d < r.num_documents(); ++d) {
    r.read_document(d, ids, mask);
    std::string loss_text, all = tok.decode(ids);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (mask[i]) loss_text += tok.decode({ids[i]});
    }
    responses.insert(loss_text);
    // The prefix-LM boundary: everything before prompt_length is prompt and ends with the open header.
    const auto doc = r.document(d);
    ASSERT_GT(doc.prompt_length, 0u);
    ASSERT_LT(doc.prompt_length, ids.size());
    const std::string prompt = tok.decode(ids.data(), doc.prompt_length);
    EXPECT_EQ(prompt.substr(prompt.size() - 14), "<|assistant|>\n") << prompt;
    EXPECT_EQ(mask[doc.prompt_length], 1);
    EXPECT_EQ(all.rfind("<|user|>\n", 0) == 0 || all.rfind("<|system|>\n", 0) == 0, true) << all;
  }
  EXPECT_EQ(responses.count("def add3(a, b):\n    return a + b\n<|end|>"), 1u);
  EXPECT_EQ(responses.count("Hello.<|end|>6<|end|>"), 1u);
  // Sequence windows of seq_len hold one padded example each.
  std::vector<int32_t> t(64);
  std::vector<uint8_t> m(64);
  r.read(0, 64, t.data(), m.data());
  EXPECT_EQ(t.back(), hrm::tok::kPadId);
  EXPECT_EQ(m.back(), 0);
}

}  // namespace

namespace {

TEST(BuildConfig, ShippedConfigsParse) {
  for (const char* name : {"pretrain.yaml", "sft.yaml"}) {
    const auto c = hrm::BuildConfig::from_file((hrm::test_support::source_dir() / "configs" / "data" / name).string());
    EXPECT_FALSE(c.inputs.empty()) << name;
    EXPECT_FALSE(c.decontamination.benchmarks.empty()) << name;
  }
}

}  // namespace
