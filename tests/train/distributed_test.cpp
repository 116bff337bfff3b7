// Data parallelism through the real binaries: hrm-launch starts 2 hrm-train ranks (c10d Gloo on CPU).
// Two processes with micro-batch 4 must end with the parameters of one process accumulating two
// micro-batches of 4 (same global batch of 8), and resuming a 2-process run from its checkpoint must
// end where the uninterrupted run ended. A rank that never arrives, or dies, stops the job with a message.
#include <gtest/gtest.h>

#include <set>

#include "hrm/model/safetensors.hpp"
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
    root = scratch("dist");
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
