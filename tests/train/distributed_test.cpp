// Data parallelism through the real binaries: hrm-launch starts 2 hrm-train ranks (c10d Gloo on CPU).
// Two processes with micro-batch 4 must end with the parameters of one process accumulating two
// micro-batches of 4 (same global batch of 8), and resuming a 2-process run from its checkpoint must
// end where the uninterrupted run ended. A rank that never arrives, or dies, stops the job with a message.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "hrm/model/safetensors.hpp"
#include "hrm/puzzle/dataset.hpp"
#include "hrm/util/fs.hpp"
#include "train_test_util.hpp"

namespace {

using namespace hrm::train_test;

int port_for(int offset) { return 20000 + static_cast<int>(::getpid() % 20000) + offset; }

std::string launch(int nproc, int port, const std::string& args, int& status) {
  return run_command(bin("hrm-launch") + " --nproc-per-node " + std::to_string(nproc) + " --master-port " +
                         std::to_string(port) + " --grace 5 -- " + bin("hrm-train") + " " + args,
                     status);
}

double max_param_diff(const fs::path& a, const fs::path& b) {
  const auto ta = hrm::load_safetensors(a.string()), tb = hrm::load_safetensors(b.string());
  EXPECT_EQ(ta.size(), tb.size());
  double worst = 0;
  for (const auto& [name, t] : ta) worst = std::max(worst, (t - tb.at(name)).abs().max().item<double>());
  return worst;
}

struct DistributedFixture : ::testing::Test {
  static void SetUpTestSuite() {
    root = scratch_dir("dist");
    const auto shards = build_sft_shards(root / "data", 60, 3);
    write(root / "ddp.yaml", tiny_text_model() +
                                 "seed: 4\nthreads: 1\nlog_interval: 100\ncheckpoint: {interval: 3, keep_last: 5}\n"
                                 "distributed: {timeout_s: 20}\nstages:\n" +
                                 sft_stage(shards, "sft", 6, "    micro_batch_size: 4\n"));
  }
  static fs::path root;
};
fs::path DistributedFixture::root;

TEST_F(DistributedFixture, TwoGlooProcessesMatchOneProcessWithTheSameGlobalBatch) {
  const auto cfg = (root / "ddp.yaml").string();
  int status = 0;
  auto log = run_command(bin("hrm-train") + " --config " + cfg + " --out " + (root / "one").string(), status);
  ASSERT_EQ(status, 0) << log;
  log = launch(2, port_for(0), "--config " + cfg + " --out " + (root / "two").string(), status);
  ASSERT_EQ(status, 0) << log;
  EXPECT_NE(log.find("world size 2, gloo"), std::string::npos) << log;
  EXPECT_LT(max_param_diff(root / "one" / "final" / "model.safetensors", root / "two" / "final" / "model.safetensors"),
            1e-4);

  // Resume with 2 processes from the step-3 checkpoint of the 2-process run: same end point.
  const auto resumed = root / "two_resumed";
  fs::create_directories(resumed / "checkpoints");
  fs::copy(root / "two" / "checkpoints" / "step-00000003", resumed / "checkpoints" / "step-00000003",
           fs::copy_options::recursive);
  log = launch(2, port_for(1), "--config " + cfg + " --out " + resumed.string() + " --resume", status);
  ASSERT_EQ(status, 0) << log;
  EXPECT_NE(log.find("resumed from"), std::string::npos) << log;
  EXPECT_LT(max_param_diff(root / "two" / "final" / "model.safetensors", resumed / "final" / "model.safetensors"),
            1e-5);
}

TEST_F(DistributedFixture, SigintReachesEveryRankAndLeavesAResumableCheckpoint) {
  const auto out = root / "interrupted";
  const auto script = "cd " + root.string() + " && " + bin("hrm-launch") + " --nproc-per-node 2 --master-port " +
                      std::to_string(port_for(3)) + " -- " + bin("hrm-train") + " --config ddp.yaml --out " +
                      out.string() +
                      " --set stages.0.steps=400 --set log_interval=1 & pid=$!; "
                      "for i in $(seq 600); do [ -s " +
                      (out / "metrics.jsonl").string() +
                      " ] && break; sleep 0.1; done; "
                      "kill -INT $pid; wait $pid; echo \"launch status $?\"";
  int status = 0;
  const auto log = run_command("sh -c '" + script + "'", status);
  EXPECT_NE(log.find("launch status 130"), std::string::npos) << log;
  EXPECT_NE(log.find("stop requested (signal 2)"), std::string::npos) << log;
  std::vector<fs::path> ckpts;
  for (const auto& e : fs::directory_iterator(out / "checkpoints")) {
    if (e.path().filename().string().rfind("step-", 0) == 0) ckpts.push_back(e.path());
  }
  ASSERT_FALSE(ckpts.empty()) << log;  // the stop checkpoint (and periodic ones every 3 steps)
  std::sort(ckpts.begin(), ckpts.end());
  EXPECT_TRUE(fs::exists(ckpts.back() / "tokenizer.model"));
  EXPECT_FALSE(fs::exists(out / "final"));
}

TEST_F(DistributedFixture, AMissingRankFailsWithAClearMessage) {
  int status = 0;
  const auto log = run_command("RANK=0 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + std::to_string(port_for(2)) +
                                   " " + bin("hrm-train") + " --config " + (root / "ddp.yaml").string() + " --out " +
                                   (root / "alone").string() + " --set distributed.timeout_s=2",
                               status);
  EXPECT_NE(status, 0);
  EXPECT_NE(log.find("rank 0 of 2"), std::string::npos) << log;
}

TEST_F(DistributedFixture, SingleNodeJobsWithoutAPortPickFreeOnesAndRunSideBySide) {
  // Both jobs print their rendezvous port and hold it (sleep) while the other starts.
  const auto job = bin("hrm-launch") + " --nproc-per-node 2 -- sh -c 'echo port=$MASTER_PORT; sleep 1'";
  int status = 0;
  const auto log = run_command("(" + job + ") & (" + job + ") & wait", status);
  ASSERT_EQ(status, 0) << log;
  std::set<std::string> ports;
  for (size_t at = log.find("port="); at != std::string::npos; at = log.find("port=", at + 1)) {
    ports.insert(log.substr(at + 5, log.find('\n', at) - at - 5));
  }
  EXPECT_EQ(ports.size(), 2u) << log;  // one per job, shared by its two ranks
  EXPECT_EQ(ports.count("29500"), 0u) << log;

  // And real training: two 2-process hrm-train jobs at once.
  const auto cfg = (root / "ddp.yaml").string();
  const auto train = [&](const std::string& name) {
    return bin("hrm-launch") + " --nproc-per-node 2 -- " + bin("hrm-train") + " --config " + cfg + " --out " +
           (root / name).string() + " --set stages.0.steps=2 > " + (root / (name + ".log")).string() + " 2>&1";
  };
  const auto both = run_command("sh -c '(" + train("side_a") + ") & a=$!; (" + train("side_b") +
                                    ") & b=$!; "
                                    "wait $a; sa=$?; wait $b; echo \"status $sa $?\"'",
                                status);
  EXPECT_NE(both.find("status 0 0"), std::string::npos) << both;
  EXPECT_TRUE(fs::exists(root / "side_a" / "final")) << hrm::read_file(root / "side_a.log");
  EXPECT_TRUE(fs::exists(root / "side_b" / "final")) << hrm::read_file(root / "side_b.log");
}

// A task embedding of 200,000 rows: the ranks all-reduce only the rows their global batch touched (at most
// 8 of 8 dims), not the 6.4 MB table, and still end where one process ends.
TEST_F(DistributedFixture, TaskEmbeddingGradientsAreAllReducedForTouchedRowsOnly) {
  constexpr int64_t kIds = 200000, kDim = 8, kBatch = 8;
  hrm::puzzle::SudokuDatasetOptions o;
  o.train_puzzles = 64;
  o.test_puzzles = 8;
  o.seed = 2;
  auto data = hrm::puzzle::generate_sudoku(o);
  data.meta.num_puzzle_identifiers = kIds;
  for (size_t i = 0; i < data.train.size(); ++i) data.train[i].puzzle_id = static_cast<int64_t>(i * 3089 % kIds);
  data.save((root / "puzzle_data").string());
  write(root / "puzzle.yaml",
        "model: {vocab_size: 6, seq_len: 16, hidden_size: 16, num_heads: 2, H_layers: 1, L_layers: 1, H_cycles: 1, "
        "L_cycles: 1, halt_max_steps: 2, forward_dtype: float32, puzzle_emb_ndim: 8, num_puzzle_identifiers: 200000}\n"
        "seed: 1\nthreads: 1\nlog_interval: 1\ndistributed: {timeout_s: 20}\nstages:\n"
        "  - {name: p, kind: puzzle, steps: 3, global_batch_size: 8, micro_batch_size: 4, data: {path: " +
            (root / "puzzle_data").string() +
            "}, optimizer: {lr: 1.0e-3, warmup_steps: 1, puzzle_emb_lr: 1.0e-2}, eval: {interval: 1000}}\n");
  const auto cfg = (root / "puzzle.yaml").string();
  int status = 0;
  auto log = run_command(bin("hrm-train") + " --config " + cfg + " --out " + (root / "p_one").string(), status);
  ASSERT_EQ(status, 0) << log;
  log = launch(2, port_for(3), "--config " + cfg + " --out " + (root / "p_two").string(), status);
  ASSERT_EQ(status, 0) << log;
  const auto final_two = root / "p_two" / "final" / "model.safetensors";
  EXPECT_LT(max_param_diff(root / "p_one" / "final" / "model.safetensors", final_two), 1e-4);

  int64_t dense_bytes = 0;
  for (const auto& [name, t] : hrm::load_safetensors(final_two.string()))
    if (name != "puzzle_emb" && name != "H_init" && name != "L_init")  // the buffers are not all-reduced
      dense_bytes += t.numel() * static_cast<int64_t>(sizeof(float));
  int logged = 0;
  std::istringstream metrics(hrm::read_file(root / "p_two" / "metrics.jsonl"));
  for (std::string line; std::getline(metrics, line);) {
    const auto j = nlohmann::json::parse(line);
    if (!j.contains("all_reduced_bytes")) continue;
    const auto bytes = j.at("all_reduced_bytes").get<int64_t>();
    EXPECT_GE(bytes, dense_bytes + kDim * 4) << line;           // at least one row
    EXPECT_LE(bytes, dense_bytes + kBatch * kDim * 4) << line;  // at most one row per example
    ++logged;
  }
  EXPECT_EQ(logged, 3);  // a dense all-reduce would have sent the whole table, kIds * kDim * 4 bytes, each step
}

TEST_F(DistributedFixture, LauncherStopsTheOtherRanksWhenOneDies) {
  int status = 0;
  const auto log = run_command(bin("hrm-launch") +
                                   " --nproc-per-node 2 --grace 2 -- sh -c 'if [ \"$RANK\" = 1 ]; then exit 3; fi; "
                                   "test \"$WORLD_SIZE\" = 2 && test \"$LOCAL_RANK\" = 0 && exec sleep 60'",
                               status);
  EXPECT_EQ(WEXITSTATUS(status), 3) << log;
  EXPECT_NE(log.find("rank 1 exited with status 3; stopping the other 1 rank(s)"), std::string::npos) << log;
}

}  // namespace
