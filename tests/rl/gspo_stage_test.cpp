// The gspo stage end to end on CPU: a tiny prefix-LM text checkpoint, LiveCodeBench-format problems,
// real sampling, real sandboxed judging, GSPO updates. The reward is a length penalty (shorter replies
// are better), which a random policy already spreads within a group; after a few steps the policy must
// put more probability on ending its reply.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "hrm/data/build.hpp"
#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/rl/gspo_stage.hpp"
#include "hrm/rl/policy_forward.hpp"
#include "hrm/rl/rollout.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/fs.hpp"
#include "../read_jsonl.hpp"

namespace {

namespace fs = std::filesystem;

std::string problem_row(const std::string& id, const std::string& question, const std::string& input,
                        const std::string& output) {
  const nlohmann::json tests = nlohmann::json::array({{{"input", input}, {"output", output}, {"testtype", "stdin"}}});
  return nlohmann::json{{"question_title", id},
                        {"question_content", question},
                        {"platform", "atcoder"},
                        {"question_id", id},
                        {"contest_id", "synth"},
                        {"contest_date", "2025-01-01T00:00:00"},
                        {"starter_code", ""},
                        {"difficulty", "easy"},
                        {"public_test_cases", tests.dump()},
                        {"private_test_cases", tests.dump()},
                        {"metadata", "{}"}}
      .dump();
}

std::vector<hrm::ChatMessage> prompt_of(const hrm::eval::lcb::Problem& p) {
  std::vector<hrm::ChatMessage> out;
  for (const auto& m : hrm::eval::lcb::codegen_messages(p)) out.push_back({m.role, m.content});
  return out;
}

// Mean log P(<|end|>) over the response positions of `responses` after each prompt.
double mean_end_logp(hrm::HRMInnerImpl& model, const std::vector<std::vector<int32_t>>& prompts,
                     const std::vector<std::vector<int32_t>>& responses, int64_t segments) {
  torch::NoGradGuard no_grad;
  auto batch = hrm::rl::make_sequence_batch(prompts, responses, model.config().seq_len);
  batch.targets = torch::where(batch.mask > 0, torch::full_like(batch.targets, hrm::tok::kEndId), batch.targets);
  const auto out = hrm::rl::policy_forward(model, batch, segments);
  return ((out.logp * batch.mask).sum() / batch.mask.sum()).item<double>();
}

struct Fixture {
  fs::path dir;
  std::vector<std::vector<int32_t>> prompts;
  hrm::ModelConfig config;
  hrm::HRMInner initial{nullptr};
};

// Two LiveCodeBench-format problems, a tokenizer trained on their prompts and a random tiny prefix-LM
// text checkpoint in <dir>/policy.
Fixture make_fixture(const std::string& name) {
  Fixture f;
  f.dir = fs::temp_directory_path() / ("hrm-" + name + "-" + std::to_string(::getpid()));
  const auto& dir = f.dir;
  fs::remove_all(dir);
  fs::create_directories(dir);
  {
    std::ofstream rows(dir / "problems.jsonl");
    rows << problem_row("echo_sum", "Read A and B and print A+B.", "1 2\n", "3\n") << "\n"
         << problem_row("echo_max", "Read A and B and print the larger one.", "4 9\n", "9\n") << "\n";
  }
  const auto problems = hrm::eval::lcb::load_problems(dir / "problems.jsonl");
  EXPECT_EQ(problems.size(), 2u);
  {
    std::ofstream text(dir / "corpus.txt");
    for (const auto& p : problems)
      text << hrm::render_prompt(prompt_of(p)) << "\nprint(int(input()))\n```python\n```\n";
  }
  hrm::TokenizerTrainOptions tok_options;
  tok_options.vocab_size = 400;
  tok_options.character_coverage = 1.0;
  hrm::train_tokenizer({dir / "corpus.txt"}, tok_options, dir / "tok.model");
  const auto tokenizer = hrm::Tokenizer::load(dir / "tok.model");
  for (const auto& p : problems) f.prompts.push_back(hrm::encode_prompt(tokenizer, prompt_of(p)));

  auto& mc = f.config;
  mc.vocab_size = tokenizer.vocab_size();
  mc.seq_len = static_cast<int64_t>(std::max(f.prompts[0].size(), f.prompts[1].size())) + 64;
  mc.hidden_size = 32;
  mc.num_heads = 2;
  mc.expansion = 2.0;
  mc.H_layers = mc.L_layers = 1;
  mc.H_cycles = mc.L_cycles = 1;
  mc.halt_max_steps = 2;
  mc.attention = hrm::AttentionMode::kPrefixLM;
  mc.forward_dtype = "float32";
  torch::manual_seed(0);
  f.initial = hrm::HRMInner(mc);
  const auto policy_dir = dir / "policy";
  hrm::save_checkpoint(policy_dir.string(), *f.initial, {{"step", 0}});
  fs::copy_file(dir / "tok.model", policy_dir / "tokenizer.model");
  return f;
}

TEST(GspoStage, FewStepsMoveThePolicyTowardsHigherReward) {
  auto f = make_fixture("gspo-test");
  const auto& dir = f.dir;
  const auto& prompts = f.prompts;
  const auto& mc = f.config;
  auto& initial = f.initial;
  // Fixed probe continuations: byte pieces, the same before and after training.
  const std::vector<std::vector<int32_t>> probe = {std::vector<int32_t>(12, hrm::tok::kFirstByteId + 'x'),
                                                   std::vector<int32_t>(12, hrm::tok::kFirstByteId + '1')};
  const double before = mean_end_logp(*initial, prompts, probe, 2);

  {
    std::ofstream yaml(dir / "gspo.yaml");
    yaml << "policy: policy\nproblems: problems.jsonl\nsteps: 5\nprompts_per_step: 2\ngroup_size: 6\nminibatches: 2\n"
            "segments: 2\nsampling: {temperature: 1.5, max_new_tokens: 48}\n"
            "reward: {kind: binary, length_penalty: 0.01, length_budget: 0}\n"
            "optimizer: {name: adamw, lr: 1.0e-2, weight_decay: 0.0}\nseed: 3\n";
  }
  auto reader = hrm::ConfigReader::from_file((dir / "gspo.yaml").string());
  const auto config = hrm::rl::GspoStageConfig::from_reader(reader);
  reader.finish();
  EXPECT_EQ(config.policy, (dir / "policy").string());
  hrm::rl::run_gspo_stage(config, (dir / "run").string(), 1);

  // Every step judged real samples in the sandbox and found signal in some groups.
  std::ifstream metrics(dir / "run" / "metrics.jsonl");
  std::string line;
  int steps = 0, judged = 0;
  double signal = 0;
  while (std::getline(metrics, line)) {
    const auto j = nlohmann::json::parse(line);
    ++steps;
    judged += j["judged"].get<int>() + j["cached"].get<int>();
    signal += 1.0 - j["zero_signal_fraction"].get<double>();
    EXPECT_LE(j["mean_reward"].get<double>(), 0.0);  // nothing passes; the length penalty is all
  }
  EXPECT_EQ(steps, 5);
  EXPECT_EQ(judged, 5 * 2 * 6);
  EXPECT_GT(signal, 0.0);

  hrm::HRMInner trained(mc);
  hrm::load_checkpoint((dir / "run" / "final").string(), *trained);
  EXPECT_TRUE(fs::exists(dir / "run" / "final" / "tokenizer.model"));
  // The policy has now seen the training problems: their newest contest_date is its data cutoff.
  EXPECT_EQ(hrm::read_checkpoint_meta((dir / "run" / "final").string()).train_state.at("data_cutoff"), "2025-01-01");
  const double after = mean_end_logp(*trained, prompts, probe, 2);
  EXPECT_GT(after, before + 0.1) << "log P(<|end|>) before " << before << ", after " << after;
  fs::remove_all(dir);
}

using hrm::testing::read_jsonl;

// Writes `yaml` to `file` and reads it as a gspo stage config (relative paths against its directory).
hrm::rl::GspoStageConfig stage_config(const fs::path& file, const std::string& yaml) {
  hrm::write_file_atomic(file, yaml);
  auto reader = hrm::ConfigReader::from_file(file.string());
  auto config = hrm::rl::GspoStageConfig::from_reader(reader);
  reader.finish();
  return config;
}

// With a KL penalty the frozen reference is the starting policy: the first update sees KL 0 (one
// minibatch, so it is measured before any step), later ones a positive KL. Per-module clip keys run too.
TEST(GspoStage, KlAgainstTheFrozenReferenceStartsAtZeroAndGrows) {
  auto f = make_fixture("gspo-kl");
  const auto config =
      stage_config(f.dir / "kl.yaml",
                   "policy: policy\nproblems: problems.jsonl\nsteps: 4\nprompts_per_step: 2\ngroup_size: 6\n"
                   "minibatches: 1\nsegments: 2\nsampling: {temperature: 1.5, max_new_tokens: 32}\n"
                   "gspo: {kl_coef: 0.1}\nreward: {kind: binary, length_penalty: 0.01}\n"
                   "optimizer: {name: adamw, lr: 1.0e-2, weight_decay: 0.0, grad_clip_heads: 0.5, grad_clip_H: 2.0}\n"
                   "seed: 3\n");
  EXPECT_EQ(config.reference, config.policy);  // the default reference
  EXPECT_EQ(config.module_clip.heads, 0.5);
  hrm::rl::run_gspo_stage(config, (f.dir / "run").string(), 1);
  const auto m = read_jsonl(f.dir / "run" / "metrics.jsonl");
  ASSERT_EQ(m.size(), 4u);
  ASSERT_LT(m[0]["zero_signal_fraction"].get<double>(), 1.0) << "step 1 had no update";
  EXPECT_NEAR(m[0]["kl"].get<double>(), 0.0, 1e-7);
  double later = 0;
  for (size_t i = 1; i < m.size(); ++i) later = std::max(later, m[i]["kl"].get<double>());
  EXPECT_GT(later, 1e-6);
  fs::remove_all(f.dir);
}

// objective: rft runs the same loop; a random policy passes nothing, so every group is zero-signal and
// nothing is updated (the loss and the row selection are tested on hand-made batches in rft_test.cpp).
TEST(GspoStage, RftObjectiveCountsGroupsWithoutPassesAsZeroSignal) {
  auto f = make_fixture("gspo-rft");
  const auto config =
      stage_config(f.dir / "rft.yaml",
                   "policy: policy\nproblems: problems.jsonl\nobjective: rft\nsteps: 2\nprompts_per_step: 2\n"
                   "group_size: 2\nsampling: {max_new_tokens: 8}\n");
  EXPECT_TRUE(config.reference.empty());  // no KL penalty: no reference
  hrm::rl::run_gspo_stage(config, (f.dir / "run").string(), 1);
  const auto m = read_jsonl(f.dir / "run" / "metrics.jsonl");
  ASSERT_EQ(m.size(), 2u);
  for (const auto& j : m) {
    EXPECT_EQ(j["objective"], "rft");
    EXPECT_EQ(j["pass_rate"].get<double>(), 0.0);
    EXPECT_EQ(j["zero_signal_fraction"].get<double>(), 1.0);
    EXPECT_EQ(j["loss"].get<double>(), 0.0);
  }
  hrm::HRMInner trained(f.config);
  hrm::load_checkpoint((f.dir / "run" / "final").string(), *trained);
  const auto initial = f.initial->named_parameters();
  for (const auto& p : trained->named_parameters()) {
    EXPECT_TRUE(torch::equal(p.value(), initial[p.key()])) << p.key();
  }
  fs::remove_all(f.dir);
}

// resample_zero_signal: a random policy passes nothing, so under RFT no group ever has signal and every
// step spends its whole budget (1 + 2 rollout batches, all judged) and still updates nothing.
TEST(GspoStage, ResamplingDrawsExtraBatchesUntilSignalOrBudgetIsSpent) {
  auto f = make_fixture("gspo-resample");
  const auto config =
      stage_config(f.dir / "rft.yaml",
                   "policy: policy\nproblems: problems.jsonl\nobjective: rft\nsteps: 2\nprompts_per_step: 2\n"
                   "group_size: 2\nresample_zero_signal: 2\nsampling: {max_new_tokens: 8}\n");
  EXPECT_EQ(config.resample_zero_signal, 2);
  hrm::rl::run_gspo_stage(config, (f.dir / "run").string(), 1);
  const auto m = read_jsonl(f.dir / "run" / "metrics.jsonl");
  ASSERT_EQ(m.size(), 2u);
  for (const auto& j : m) {
    EXPECT_EQ(j["rollouts"].get<int>(), 3);
    EXPECT_EQ(j["judged"].get<int>() + j["cached"].get<int>(), 3 * 2 * 2);
    EXPECT_EQ(j["zero_signal_fraction"].get<double>(), 1.0);
    EXPECT_EQ(j["loss"].get<double>(), 0.0);
  }
  fs::remove_all(f.dir);
}

// With the pipeline the next batch is sampled before the update of the current one: from the second
// update on its rows are `minibatches` optimizer steps stale, and the update recomputes their log-probs.
// Without it every row is sampled by the weights its update starts from: staleness 0, behaviour weight 1.
TEST(GspoStage, PipelineSamplesAheadAndPipelineOffSamplesOnPolicy) {
  auto f = make_fixture("gspo-pipeline");
  const std::string common =
      "policy: policy\nproblems: problems.jsonl\nsteps: 3\nprompts_per_step: 2\ngroup_size: 6\nminibatches: 2\n"
      "segments: 2\nsampling: {temperature: 1.5, max_new_tokens: 48}\nreward: {kind: binary, length_penalty: 0.01}\n"
      "optimizer: {name: adamw, lr: 1.0e-2, weight_decay: 0.0}\nseed: 3\n";
  for (const bool pipeline : {true, false}) {
    const auto name = std::string(pipeline ? "on" : "off");
    const auto config = stage_config(f.dir / (name + ".yaml"), common + "pipeline: " + (pipeline ? "true" : "false"));
    EXPECT_EQ(config.pipeline, pipeline);
    hrm::rl::run_gspo_stage(config, (f.dir / name).string(), 1);
    const auto m = read_jsonl(f.dir / name / "metrics.jsonl");
    ASSERT_EQ(m.size(), 3u);
    ASSERT_LT(m[0]["zero_signal_fraction"].get<double>(), 1.0) << "step 1 had no update";
    EXPECT_EQ(m[0]["staleness"].get<double>(), 0.0);  // the first batch is sampled before any update
    EXPECT_EQ(m[0]["behaviour_weight"].get<double>(), 1.0);
    for (size_t i = 1; i < m.size(); ++i) {
      if (m[i]["zero_signal_fraction"].get<double>() == 1.0) continue;
      EXPECT_EQ(m[i]["staleness"].get<double>(), pipeline ? 2.0 : 0.0) << name << " step " << i + 1;
      if (!pipeline) {
        EXPECT_EQ(m[i]["behaviour_weight"].get<double>(), 1.0);
      }
    }
  }
  fs::remove_all(f.dir);
}

// ACT-GSPO with adaptive halting: every prompt is decoded with the segments the Q head (or, with
// halt_exploration 1, a random draw) chose; the per-step histogram records them, the Q head is trained
// (its BCE is logged), and the segment cost enters the reward. That rows are replayed with their own counts
// is checked directly in PolicyForward.RowsReplayTheirOwnSegments.
TEST(GspoStage, AdaptiveSegmentsAreRecordedAndTheHeadTrained) {
  auto f = make_fixture("gspo-adaptive");
  const auto config = stage_config(
      f.dir / "act.yaml",
      "policy: policy\nproblems: problems.jsonl\nsteps: 3\nprompts_per_step: 2\ngroup_size: 3\nminibatches: 1\n"
      "segments: 2\nadaptive_segments: true\nhalt_exploration: 1.0\nact_weight: 0.5\n"
      "sampling: {temperature: 1.5, max_new_tokens: 12}\nreward: {kind: binary, length_penalty: 0.01, "
      "segment_cost: 0.05}\nseed: 5\n");
  hrm::rl::run_gspo_stage(config, (f.dir / "run").string(), 1);
  const auto m = read_jsonl(f.dir / "run" / "metrics.jsonl");
  ASSERT_EQ(m.size(), 3u);
  std::map<std::string, int64_t> seen;
  for (const auto& j : m) {
    int64_t rows = 0;
    for (const auto& [k, n] : j["segments"].items()) {
      seen[k] += n.get<int64_t>();
      rows += n.get<int64_t>();
      EXPECT_TRUE(k == "1" || k == "2") << k;
    }
    EXPECT_EQ(rows, 2 * 3);
    EXPECT_GT(j["q_halt_loss"].get<double>(), 0.0);
    // Nothing passes: the reward is the length penalty and the segment cost, below 0.
    EXPECT_LT(j["mean_reward"].get<double>(), -0.05 + 1e-9);
  }
  EXPECT_EQ(seen.size(), 2u) << "exploration drew both counts over 6 prompts";
  EXPECT_GT(seen["1"], 0);
  fs::remove_all(f.dir);
}

// A reply is trained on exactly as sampled: the stop token that ended it (</s> stays </s>), and no end
// token at all when it was cut off at the length limit.
TEST(Rollout, SampledTokensKeepTheStopTokenThatEndedTheReply) {
  hrm::infer::Completion c;
  c.tokens = {40, 41};
  c.finish = hrm::infer::FinishReason::kStopToken;
  c.stop_token = hrm::tok::kEosId;
  EXPECT_EQ(hrm::rl::sampled_tokens(c), (std::vector<int32_t>{40, 41, hrm::tok::kEosId}));
  c.stop_token = hrm::tok::kEndId;
  EXPECT_EQ(hrm::rl::sampled_tokens(c), (std::vector<int32_t>{40, 41, hrm::tok::kEndId}));
  for (const auto cut : {hrm::infer::FinishReason::kMaxNewTokens, hrm::infer::FinishReason::kContextFull}) {
    c.finish = cut;
    c.stop_token = -1;
    EXPECT_EQ(hrm::rl::sampled_tokens(c), (std::vector<int32_t>{40, 41}));
  }
}

// The sampler draws from the tokenizer's ids and the log-probs normalise over them: a tokenizer with
// ids the model has no row for cannot be served by one vocabulary, and is refused.
TEST(Rollout, ATokenizerLargerThanTheModelIsRefused) {
  auto f = make_fixture("gspo-vocab");
  auto small = f.config;
  small.vocab_size = f.config.vocab_size - 10;
  hrm::HRMInner model(small);
  const auto dir = f.dir / "small";
  hrm::save_checkpoint(dir.string(), *model, {{"step", 0}});
  fs::copy_file(f.dir / "tok.model", dir / "tokenizer.model");
  try {
    hrm::rl::load_policy(dir.string());
    ADD_FAILURE() << "a tokenizer larger than the model was accepted";
  } catch (const hrm::Error& e) {
    EXPECT_NE(e.describe().find("vocab_size " + std::to_string(small.vocab_size)), std::string::npos) << e.describe();
  }
  fs::remove_all(f.dir);
}

TEST(GspoStage, HrmTrainRunsKindGspoConfigs) {
  auto f = make_fixture("gspo-cli");
  hrm::write_file_atomic(
      f.dir / "run.yaml",
      "kind: gspo\nthreads: 1\npolicy: policy\nproblems: problems.jsonl\nsteps: 1\nprompts_per_step: 2\n"
      "group_size: 2\nsampling: {max_new_tokens: 8}\n");
  const std::string train = std::string(HRM_BINARY_DIR) + "/bin/hrm-train";
  const auto out = f.dir / "run";
  ASSERT_EQ(std::system((train + " --config " + (f.dir / "run.yaml").string() + " --out " + out.string() +
                         " --set steps=2 > " + (f.dir / "log").string() + " 2>&1")
                            .c_str()),
            0)
      << hrm::read_file(f.dir / "log");
  EXPECT_TRUE(fs::exists(out / "final" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(out / "final" / "tokenizer.model"));
  std::ifstream metrics(out / "metrics.jsonl");
  std::string line;
  int steps = 0;
  while (std::getline(metrics, line)) steps += nlohmann::json::parse(line).contains("mean_reward");
  EXPECT_EQ(steps, 2);  // --set steps=2 overrode the file
  // A typo is an error naming the key.
  hrm::write_file_atomic(f.dir / "bad.yaml", "kind: gspo\npolicy: policy\nproblems: problems.jsonl\nstep: 1\n");
  EXPECT_NE(std::system((train + " --config " + (f.dir / "bad.yaml").string() + " --out " + out.string() + " > " +
                         (f.dir / "log").string() + " 2>&1")
                            .c_str()),
            0);
  EXPECT_NE(hrm::read_file(f.dir / "log").find("'step'"), std::string::npos) << hrm::read_file(f.dir / "log");
  fs::remove_all(f.dir);
}

// The bundled GSPO and RFT quickstart configs read (their checkpoints come from tools/code_pipeline.sh)
// and differ only in the objective.
TEST(GspoStage, BundledQuickstartConfigsRead) {
  const std::string dir = std::string(HRM_SOURCE_DIR) + "/configs/train/";
  const auto gspo = hrm::rl::read_gspo_run(dir + "gspo_quickstart.yaml", {});
  const auto rft = hrm::rl::read_gspo_run(dir + "rft_quickstart.yaml", {});
  EXPECT_EQ(gspo.stage.objective, "gspo");
  EXPECT_EQ(rft.stage.objective, "rft");
  EXPECT_EQ(gspo.stage.policy, rft.stage.policy);
  EXPECT_EQ(gspo.stage.problems, rft.stage.problems);
  EXPECT_EQ(gspo.stage.steps, rft.stage.steps);
  EXPECT_EQ(gspo.stage.lr, rft.stage.lr);
  EXPECT_EQ(gspo.stage.act_weight, rft.stage.act_weight);
  EXPECT_TRUE(gspo.stage.reference.empty());
}

TEST(GspoStage, ConfigErrorsNameTheKey) {
  const fs::path dir = fs::temp_directory_path() / ("hrm-gspo-cfg-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const auto error_of = [&](const std::string& yaml) {
    hrm::write_file_atomic(dir / "c.yaml", yaml);
    try {
      auto r = hrm::ConfigReader::from_file((dir / "c.yaml").string());
      hrm::rl::GspoStageConfig::from_reader(r);
      r.finish();
    } catch (const hrm::Error& e) {
      return e.describe();
    }
    return std::string();
  };
  EXPECT_NE(error_of("problems: p.jsonl\n").find("policy"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\ngroup_size: 1\n").find("group_size"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nreward: {kind: dense}\n").find("reward.kind"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\ngspo: {clip_lo: 0.1}\n").find("gspo.clip_lo"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\neval: {n: 4, ks: [1, 8]}\n").find("eval.ks"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nobjective: sft\n").find("objective"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nresample_zero_signal: -1\n").find("resample_zero_signal"),
            std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nreference: c\n").find("reference"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\ngspo: {kl_coef: -1}\n").find("gspo.kl_coef"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\noptimizer: {grad_clip_L: -1}\n").find("optimizer.grad_clip_L"),
            std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\noptimizer: {grad_clip_head: 1}\n").find("optimizer.grad_clip_head"),
            std::string::npos);
  EXPECT_EQ(error_of("policy: a\nproblems: b\ngspo: {kl_coef: 0.1}\nreference: c\n"), "");
  // Truncated sampling is refused: the ratio's log-probs are untruncated.
  EXPECT_NE(error_of("policy: a\nproblems: b\nsampling: {top_p: 0.9}\n").find("sampling.top_p"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nsampling: {top_k: 20}\n").find("sampling.top_k"), std::string::npos);
  EXPECT_EQ(error_of("policy: a\nproblems: b\nsampling: {top_p: 1.0, top_k: 0}\n"), "");
  EXPECT_NE(error_of("policy: a\nproblems: b\nhalt_exploration: 0.5\n").find("halt_exploration"), std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\ngspo: {behaviour_weight_cap: 0.5}\n").find("gspo.behaviour_weight_cap"),
            std::string::npos);
  EXPECT_NE(error_of("policy: a\nproblems: b\nreward: {segment_cost: -1}\n").find("reward.segment_cost"),
            std::string::npos);
  fs::remove_all(dir);
}

}  // namespace

// A stage list sft -> gspo -> sft run by hrm-train: the gspo stage starts from the sft stage's weights,
// its result continues into the last stage, its problems' newest date becomes the run's data cutoff,
// the resolved config reads back, and a resume of the finished run does nothing.
TEST(GspoStage, GspoIsAStageKindInsideAnHrmTrainRun) {
  auto f = make_fixture("gspo-in-run");
  std::string rows;
  for (const char* q : {"Read A and B and print A+B.", "Read A and B and print the larger one."}) {
    rows += nlohmann::json{{"prompt", q}, {"response", "```python\nprint(1)\n```"}}.dump() + "\n";
  }
  std::string jsonl;
  for (int i = 0; i < 10; ++i) jsonl += rows;
  hrm::write_file_atomic(f.dir / "sft.jsonl", jsonl);
  hrm::run_build(hrm::BuildConfig::from_yaml(
      "tokenizer: " + (f.dir / "tok.model").string() + "\nout: " + (f.dir / "shards").string() +
          "\nmode: sft\ninputs: [" + (f.dir / "sft.jsonl").string() +
          "]\nseq_len: " + std::to_string(f.config.seq_len) + "\npacking: false\nvalidation_fraction: 0.2\n",
      (f.dir / "data.yaml").string()));
  const std::string sft =
      "    kind: sft\n    global_batch_size: 4\n    data: {train: [shards/train], validation: [shards/validation]}\n"
      "    optimizer: {lr: 1.0e-3, warmup_steps: 0}\n    eval: {interval: 100, batch_size: 4}\n";
  // The first stage also measures pass@k on the problems through the sandbox at its evaluation.
  const std::string code_eval =
      "    eval: {interval: 100, batch_size: 4, code: {problems: problems.jsonl, n: 3, ks: [1, 3], "
      "temperature: 1.0, max_new_tokens: 16}}\n";
  hrm::write_file_atomic(
      f.dir / "run.yaml",
      "model: policy/config.yaml\ninit: policy\nthreads: 1\nstages:\n  - name: warm\n    steps: 2\n" +
          sft.substr(0, sft.find("    eval:")) + code_eval +
          "  - name: rl\n    kind: gspo\n    problems: problems.jsonl\n    steps: 2\n    prompts_per_step: 2\n"
          "    group_size: 4\n    minibatches: 1\n    segments: 2\n    sampling: {temperature: 1.5, max_new_tokens: "
          "24}\n"
          "    reward: {kind: binary, length_penalty: 0.01}\n    optimizer: {name: adamw, lr: 1.0e-2, weight_decay: "
          "0.0}\n"
          "  - name: polish\n    steps: 1\n" +
          sft);
  const std::string train = std::string(HRM_BINARY_DIR) + "/bin/hrm-train";
  const auto out = f.dir / "run";
  const auto log = (f.dir / "log").string();
  const auto run = [&](const std::string& config, const std::string& extra) {
    return std::system(
        (train + " --config " + config + " --out " + out.string() + extra + " > " + log + " 2>&1").c_str());
  };
  ASSERT_EQ(run((f.dir / "run.yaml").string(), ""), 0) << hrm::read_file(log);

  int code_evals = 0;
  for (const auto& j : read_jsonl(out / "metrics.jsonl")) {
    if (j.value("event", "") != "code_eval") continue;
    ++code_evals;
    EXPECT_EQ(j["stage_name"], "warm");
    EXPECT_EQ(j["n"], 3);
    for (const char* k : {"eval_pass@1", "eval_pass@3"}) {
      ASSERT_TRUE(j.contains(k)) << j.dump();
      EXPECT_GE(j[k].get<double>(), 0.0);
      EXPECT_LE(j[k].get<double>(), 1.0);
    }
    EXPECT_GE(j["eval_pass@3"].get<double>(), j["eval_pass@1"].get<double>());
  }
  EXPECT_EQ(code_evals, 1);  // at the end of the 2-step stage
  EXPECT_FALSE(fs::exists(out / "code_eval_model"));

  const auto stage_dir = out / "stages" / "01-rl";
  EXPECT_EQ(read_jsonl(stage_dir / "metrics.jsonl").size(), 2u);
  // The gspo stage started from the weights the sft stage ended with (its stage-end checkpoint).
  const auto weights = [&](const fs::path& dir) {
    hrm::HRMInner m(f.config);
    hrm::load_checkpoint(dir.string(), *m);
    return m;
  };
  const auto equal = [](hrm::HRMInner& a, hrm::HRMInner& b) {
    const auto pb = b->named_parameters();
    for (const auto& p : a->named_parameters()) {
      if (!torch::equal(p.value(), pb[p.key()])) return false;
    }
    return true;
  };
  auto start = weights(stage_dir / "start"), gspo_final = weights(stage_dir / "final");
  auto after_gspo = weights(out / "checkpoints" / "step-00000004"), initial = weights(f.dir / "policy");
  EXPECT_FALSE(equal(start, initial));         // the sft stage trained
  EXPECT_TRUE(equal(gspo_final, after_gspo));  // the run took over the gspo stage's result
  const auto meta = hrm::read_checkpoint_meta((out / "final").string());
  EXPECT_EQ(meta.train_state.at("step"), 5);
  EXPECT_EQ(meta.train_state.at("stage_name"), "polish");
  EXPECT_EQ(meta.train_state.at("data_cutoff"), "2025-01-01");
  EXPECT_EQ(hrm::read_checkpoint_meta((out / "checkpoints" / "step-00000004").string()).train_state.at("stage_kind"),
            "gspo");

  // The saved, resolved config is itself a valid config; resuming the finished run trains nothing.
  ASSERT_EQ(run((out / "train_config.yaml").string(), " --resume"), 0) << hrm::read_file(log);
  EXPECT_NE(hrm::read_file(log).find("at step 5"), std::string::npos) << hrm::read_file(log);
  EXPECT_TRUE(equal(gspo_final, after_gspo));

  // Stage-list errors: the policy comes from the run, and a typo'd kind lists the known ones.
  hrm::write_file_atomic(
      f.dir / "bad.yaml",
      "model: policy/config.yaml\ninit: policy\nstages:\n  - {kind: gspo, policy: policy, problems: problems.jsonl}\n");
  EXPECT_NE(run((f.dir / "bad.yaml").string(), ""), 0);
  EXPECT_NE(hrm::read_file(log).find("stages.0.policy"), std::string::npos) << hrm::read_file(log);
  hrm::write_file_atomic(
      f.dir / "bad.yaml",
      "model: policy/config.yaml\ninit: policy\nstages:\n  - {kind: gpso, problems: problems.jsonl}\n");
  EXPECT_NE(run((f.dir / "bad.yaml").string(), ""), 0);
  EXPECT_NE(hrm::read_file(log).find("puzzle, sft, gspo"), std::string::npos) << hrm::read_file(log);
  fs::remove_all(f.dir);
}
