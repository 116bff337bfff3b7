// Integration: the real hrm-data binary on small fixtures.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>

#include "../cli_error.hpp"
#include "data_test_util.hpp"
#include "hrm/data/shard.hpp"
#include "../run_command.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::test_support;

hrm::testing::CommandResult run(const std::string& args) {
  return hrm::testing::run_command(hrm::testing::binary_path("hrm-data") + " " + args);
}

TEST(HrmDataCli, TokenizerTrainEncodeDecodeRoundTrip) {
  const auto dir = scratch_dir("cli-tok");
  auto r = run("tokenizer train --input " + fixtures_dir().string() + " --vocab-size 450 --out " +
               (dir / "tok.model").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("vocab 450 from 7 files"), std::string::npos) << r.output;
  for (const char* name : {"sample.rs", "whitespace.txt", "Sample.java"}) {
    const auto in = fixtures_dir() / name;
    r = run("tokenizer encode --model " + (dir / "tok.model").string() + " --input " + in.string() + " --output " +
            (dir / "ids.txt").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    r = run("tokenizer decode --model " + (dir / "tok.model").string() + " --input " + (dir / "ids.txt").string() +
            " --output " + (dir / "back.txt").string());
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(hrm::read_file(dir / "back.txt"), hrm::read_file(in)) << name;
  }
  hrm::write_file_atomic(dir / "bad-ids.txt", "1 2 x3\n");
  r = run("tokenizer decode --model " + (dir / "tok.model").string() + " --input " + (dir / "bad-ids.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("'x3' is not a token id"), std::string::npos) << r.output;
  r = run("tokenizer encode --model " + (dir / "missing.model").string() + " --input " + (dir / "ids.txt").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("missing.model"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("HINT:"), std::string::npos) << r.output;
}

TEST(HrmDataCli, CorpusBuildInspectAndDecontam) {
  const auto dir = scratch_dir("cli-pipeline");
  for (const char* name : {"sample.cpp", "sample.go", "Sample.java", "sample.js", "sample.py", "sample.rs"}) {
    write(dir / "src" / name, hrm::read_file(fixtures_dir() / name));
  }
  write(dir / "src" / "dup" / "sample.go", hrm::read_file(fixtures_dir() / "sample.go"));
  auto r = run("corpus --from " + (dir / "src").string() + " --out " + (dir / "corpus.jsonl").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("total kept            6"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("dropped exact_duplicate           1"), std::string::npos) << r.output;

  write(dir / "build.yaml", "tokenizer: " + tokenizer_path().string() + "\nout: " + (dir / "shards").string() +
                                "\nmode: pretrain\ninputs: [" + (dir / "corpus.jsonl").string() +
                                "]\nseq_len: 16\nvalidation_fraction: 0.2\nseed: 3\n");
  r = run("build --config " + (dir / "build.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("train             5 documents"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("validation        1 documents"), std::string::npos) << r.output;
  // The corpus's drop counts (corpus.jsonl.stats.json) are reported with the build's.
  EXPECT_NE(r.output.find("corpus dropped exact_duplicate"), std::string::npos) << r.output;
  const auto reader = hrm::ShardReader::open(dir / "shards" / "train");
  EXPECT_EQ(reader.num_documents(), 5);

  r = run("inspect --shards " + (dir / "shards" / "train").string() + " --tokenizer " + tokenizer_path().string() +
          " --show 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("5 documents"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--- document 0:"), std::string::npos) << r.output;

  // A typo in the config is named with its key.
  write(dir / "typo.yaml", hrm::read_file(dir / "build.yaml") + "sead: 4\n");
  r = run("build --config " + (dir / "typo.yaml").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("unknown key 'sead'"), std::string::npos) << r.output;

  // Decontamination: a benchmark exercise whose solution is in the corpus.
  const auto ex = dir / "bench" / "rust" / "exercises" / "practice" / "stack-machine";
  write(ex / ".meta" / "example.rs", hrm::read_file(fixtures_dir() / "sample.rs"));
  write(ex / ".docs" / "instructions.md", "Implement a tiny stack machine with push, add, mul and dup operations.\n");
  r = run("decontam --train " + (dir / "corpus.jsonl").string() + " --benchmark " + (dir / "bench").string());
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_NE(r.output.find("rust/stack-machine"), std::string::npos) << r.output;
  write(dir / "bench.yaml",
        hrm::read_file(dir / "build.yaml") + "decontamination:\n  benchmarks: [" + (dir / "bench").string() + "]\n");
  r = run("build --config " + (dir / "bench.yaml").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("refusing to build"), std::string::npos) << r.output;
  r = run("build --config " + (dir / "bench.yaml").string() + " --force");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// A library exception hrm does not wrap (std::filesystem: the corpus --out lies below a regular file)
// ends hrm-data with status 1 and one line naming the binary, never std::terminate.
TEST(HrmDataCli, AFileWhereADirectoryIsExpectedEndsInOneLineError) {
  const auto dir = scratch_dir("cli-edge");
  write(dir / "src" / "sample.py", hrm::read_file(fixtures_dir() / "sample.py"));
  write(dir / "a_file", "x");
  const auto r = run("corpus --from " + (dir / "src").string() + " --out " + (dir / "a_file" / "c.jsonl").string());
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(hrm::testing::ends_with_one_line_error("hrm-data", r.output));
  EXPECT_NE(r.output.find("a_file"), std::string::npos) << r.output;
}

}  // namespace
