#include "hrm/train/train_config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <sstream>

#include "hrm/train/external_stage.hpp"
#include "hrm/util/config_override.hpp"
#include "hrm/util/config_reader.hpp"
#include "hrm/util/date.hpp"

namespace fs = std::filesystem;

namespace hrm {
namespace {

// Paths in a config are relative to the config file's directory unless they exist as given.
std::string resolve_path(const std::string& config_path, const std::string& p) {
  if (p.empty() || fs::path(p).is_absolute() || fs::exists(p)) return p;
  const auto rel = fs::path(config_path).parent_path() / p;
  return fs::exists(rel) ? rel.string() : p;
}

std::string absolute(const std::string& p) { return p.empty() ? p : fs::absolute(p).lexically_normal().string(); }

std::string where(const std::string& source, const YAML::Node& node, const std::string& key) {
  const auto mark = node.Mark();
  return source + (mark.line >= 0 ? ":" + std::to_string(mark.line + 1) : "") + ": '" + key + "'";
}

// ConfigReader reads mappings of scalars and mappings; lists are taken out of a copy of the mapping
// first and read here, so the reader still rejects every key nobody read.
// An absent key gives a Null node (test with present()).
YAML::Node take(YAML::Node& map, const std::string& key) {
  if (!map.IsMap() || !map[key]) return YAML::Node(YAML::NodeType::Null);
  YAML::Node value = map[key];
  map.remove(key);
  return value;
}

void read_optimizer(ConfigReader r, OptimizerConfig& o) {
  r.get_choice("name", o.name, {"adam_atan2", "adamw"});
  r.get("lr", o.lr);
  r.get("lr_min_ratio", o.lr_min_ratio);
  r.get("warmup_steps", o.warmup_steps);
  r.get("weight_decay", o.weight_decay);
  r.get("beta1", o.beta1);
  r.get("beta2", o.beta2);
  r.get("grad_clip", o.grad_clip);
  r.get("puzzle_emb_lr", o.puzzle_emb_lr);
  r.get("puzzle_emb_weight_decay", o.puzzle_emb_weight_decay);
  r.get("lr_mult_H", o.lr_mult_H);
  r.get("lr_mult_L", o.lr_mult_L);
  r.get("lr_mult_heads", o.lr_mult_heads);
  r.get("lr_mult_embed", o.lr_mult_embed);
  r.finish();
  r.check(o.lr > 0, "lr", "must be > 0");
  r.check(o.lr_min_ratio >= 0 && o.lr_min_ratio <= 1, "lr_min_ratio", "must be in [0, 1]");
  r.check(o.warmup_steps >= 0, "warmup_steps", "must be >= 0");
  r.check(o.beta1 >= 0 && o.beta1 < 1 && o.beta2 >= 0 && o.beta2 < 1, "beta1", "betas must be in [0, 1)");
  r.check(o.grad_clip >= 0, "grad_clip", "must be >= 0");
}

// `legacy`: the single-stage form, whose keys are batch_size and eval_interval/eval_batch_size.
void check_stage(ConfigReader& r, const StageConfig& s, const ModelConfig& model, bool legacy) {
  r.check(s.global_batch_size >= 1, legacy ? "batch_size" : "global_batch_size", "must be >= 1");
  r.check(s.micro_batch_size >= 0 && (s.micro_batch_size == 0 || s.global_batch_size % s.micro_batch_size == 0),
          "micro_batch_size",
          "must be 0 or divide the global batch size (" + std::to_string(s.global_batch_size) + ")");
  r.check(s.steps >= 1, "steps", "must be >= 1");
  r.check(s.ema_decay >= 0 && s.ema_decay < 1, "ema_decay", "must be in [0, 1)");
  r.check(s.bp_steps_final == 0 || (s.bp_steps_final >= model.bp_steps && s.bp_steps_final <= model.module_calls()),
          "bp_steps_final", "must be 0 or in [model.bp_steps, module calls per segment]");
  r.check(s.eval.interval >= 1, legacy ? "eval_interval" : "eval.interval", "must be >= 1");
  r.check(s.eval.batch_size >= 1, legacy ? "eval_batch_size" : "eval.batch_size", "must be >= 1");
  if (s.kind == StageKind::kSft) {
    r.check(model.attention != AttentionMode::kBidirectional, "kind",
            "an sft stage needs model.attention causal or prefix_lm (bidirectional attention sees the answer)");
  }
}

// The single-stage form of configs/train/sudoku4x4.yaml: every stage key at the top level.
StageConfig read_legacy_stage(ConfigReader& r) {
  StageConfig s;
  s.name = "puzzle";
  auto data = r.child("data");
  DataSourceConfig src;
  data.require("path", src.path);
  data.finish();
  src.path = absolute(resolve_path(r.source(), src.path));
  s.train.push_back(src);
  r.get("batch_size", s.global_batch_size);
  r.get("micro_batch_size", s.micro_batch_size);
  r.get("steps", s.steps);
  if (r.has("optimizer")) read_optimizer(r.child("optimizer"), s.optimizer);
  r.get("ema_decay", s.ema_decay);
  r.get("bp_steps_final", s.bp_steps_final);
  r.get("bp_warmup_fraction", s.bp_warmup_fraction);
  r.get("eval_interval", s.eval.interval);
  r.get("eval_max_examples", s.eval.max_examples);
  r.get("eval_batch_size", s.eval.batch_size);
  return s;
}

bool present(const YAML::Node& n) { return n.IsDefined() && !n.IsNull(); }

std::vector<DataSourceConfig> read_sources(const YAML::Node& list, const std::string& source, const std::string& key) {
  if (!list.IsSequence() || list.size() == 0)
    throw Error(where(source, list, key) + " must be a non-empty list",
                "e.g. [{path: runs/data/sft/train, weight: 1}]");
  std::vector<DataSourceConfig> out;
  for (size_t i = 0; i < list.size(); ++i) {
    const auto item_key = key + "." + std::to_string(i);
    DataSourceConfig d;
    if (list[i].IsScalar()) {
      d.path = list[i].as<std::string>();
    } else {
      ConfigReader r(list[i], source, item_key);
      r.require("path", d.path);
      r.get("weight", d.weight);
      r.finish();
      r.check(d.weight > 0, "weight", "must be > 0");
    }
    d.path = absolute(resolve_path(source, d.path));
    out.push_back(d);
  }
  return out;
}

std::string known_kinds() {
  std::string out = "puzzle, sft";
  for (const auto& k : registered_stage_kinds()) out += ", " + k;
  return out;
}

// A stage of a kind another module registered: its mapping minus name/kind goes to that kind.
StageConfig read_external_stage(YAML::Node node, const std::string& kind, const ExternalStageKind& runner,
                                const std::string& source, const std::string& prefix) {
  StageConfig s;
  s.kind = StageKind::kExternal;
  s.external_kind = kind;
  s.name = kind;
  if (node["name"]) s.name = node["name"].as<std::string>();
  node.remove("name");
  node.remove("kind");
  YAML::Emitter e;
  e << node;
  auto [yaml, steps] = runner.validate(e.c_str(), source, prefix);
  s.external_yaml = std::move(yaml);
  s.steps = steps;
  return s;
}

void read_code_eval(ConfigReader c, StageConfig& s, const std::string& source) {
  auto& o = s.eval.code;
  c.require("problems", o.problems);
  o.problems = absolute(resolve_path(source, o.problems));
  c.get("limit", o.limit);
  c.get("n", o.n);
  c.get_list("ks", o.ks);
  c.get("temperature", o.temperature);
  c.get("max_new_tokens", o.max_new_tokens);
  c.finish();
  c.check(fs::exists(o.problems), "problems",
          "'" + o.problems +
              "' does not exist (LiveCodeBench-format JSONL, e.g. hrm-data synth's lcb/test_instance.jsonl)");
  c.check(o.limit >= 0, "limit", "must be >= 0 (0: every problem)");
  c.check(o.n >= 1, "n", "must be >= 1");
  for (int k : o.ks) c.check(k >= 1 && k <= o.n, "ks", "every k must be in [1, n]");
  c.check(o.temperature >= 0, "temperature", "must be >= 0 (0: greedy)");
  c.check(o.max_new_tokens >= 1, "max_new_tokens", "must be >= 1");
  c.check(s.kind == StageKind::kSft, "problems", "code evaluation needs a text (sft) stage");
  c.check(code_evaluator() != nullptr, "problems",
          "this program has no code evaluator (hrm-train has one; library users call "
          "hrm::rl::register_trainer_extensions())");
}

StageConfig read_stage(YAML::Node node, const std::string& source, const std::string& prefix,
                       const ModelConfig& model) {
  if (!node.IsMap())
    throw Error(where(source, node, prefix) + " must be a mapping",
                "each stage is {kind: puzzle|sft, steps: N, data: {...}, ...}");
  node = YAML::Clone(node);
  if (node["kind"] && node["kind"].IsScalar()) {
    const auto kind = node["kind"].as<std::string>();
    if (kind != "puzzle" && kind != "sft") {
      const auto* runner = find_stage_kind(kind);
      if (runner == nullptr) {
        throw Error(where(source, node["kind"], prefix + ".kind") + ": unknown stage kind '" + kind + "'",
                    "known kinds here: " + known_kinds() + " (gspo stages need hrm-train, which links the rl module)");
      }
      return read_external_stage(node, kind, *runner, source, prefix);
    }
  }
  YAML::Node data = take(node, "data");
  ConfigReader r(node, source, prefix);
  StageConfig s;
  std::string kind = "puzzle";
  r.get_choice("kind", kind, {"puzzle", "sft"});
  s.kind = kind == "sft" ? StageKind::kSft : StageKind::kPuzzle;
  s.name = kind;
  r.get("name", s.name);
  r.get("steps", s.steps);
  r.get("global_batch_size", s.global_batch_size);
  r.get("micro_batch_size", s.micro_batch_size);
  r.get("tokenizer", s.tokenizer);
  if (!s.tokenizer.empty()) s.tokenizer = absolute(resolve_path(source, s.tokenizer));
  if (r.has("optimizer")) read_optimizer(r.child("optimizer"), s.optimizer);
  r.get("ema_decay", s.ema_decay);
  r.get("bp_steps_final", s.bp_steps_final);
  r.get("bp_warmup_fraction", s.bp_warmup_fraction);
  if (r.has("eval")) {
    auto e = r.child("eval");
    e.get("interval", s.eval.interval);
    e.get("max_examples", s.eval.max_examples);
    e.get("batch_size", s.eval.batch_size);
    if (e.has("code")) read_code_eval(e.child("code"), s, source);
    e.finish();
  }
  r.finish();
  if (!present(data))
    throw Error(source + ": missing required key '" + prefix + ".data'",
                "puzzle: data: {path: <dataset dir>}; sft: data: {train: [...], validation: [...]}");
  YAML::Node train = take(data, "train"), validation = take(data, "validation");
  ConfigReader d(data, source, prefix + ".data");
  if (s.kind == StageKind::kPuzzle) {
    DataSourceConfig src;
    d.require("path", src.path);
    d.finish();
    src.path = absolute(resolve_path(source, src.path));
    s.train.push_back(src);
    if (present(train) || present(validation))
      throw Error(source + ": '" + prefix +
                  ".data': a puzzle stage takes {path: <dataset dir>} (its test split is the validation set)");
  } else {
    d.finish();
    if (!present(train))
      throw Error(source + ": missing required key '" + prefix + ".data.train'",
                  "list the shard sets of `hrm-data build` (mode sft), e.g. [{path: runs/data/sft/train}]");
    s.train = read_sources(train, source, prefix + ".data.train");
    if (present(validation)) {
      for (const auto& v : read_sources(validation, source, prefix + ".data.validation"))
        s.validation.push_back(v.path);
    }
  }
  check_stage(r, s, model, /*legacy=*/false);
  return s;
}

}  // namespace

const char* to_string(StageKind kind) {
  return kind == StageKind::kSft ? "sft" : kind == StageKind::kPuzzle ? "puzzle" : "external";
}

std::string kind_name(const StageConfig& stage) {
  return stage.kind == StageKind::kExternal ? stage.external_kind : to_string(stage.kind);
}

int64_t TrainConfig::total_steps() const {
  int64_t n = 0;
  for (const auto& s : stages) n += s.steps;
  return n;
}

TrainConfig TrainConfig::from_file(const std::string& path, const std::vector<std::string>& override_texts) {
  YAML::Node root = load_yaml_file(path);
  if (!root.IsMap()) throw Error(path + ": the top level must be a mapping");
  std::vector<ConfigOverride> overrides;
  for (const auto& t : override_texts) overrides.push_back(parse_override(t));
  // `--set model=other.yaml` replaces the reference before it is followed; `--set model.x=` edits the
  // model mapping wherever it came from.
  for (const auto& o : overrides) {
    if (o.path.size() == 1 && o.path[0] == "model") apply_override(root, o);
  }
  TrainConfig c;
  c.source = path;
  if (!root["model"])
    throw Error(path + ": missing required key 'model'", "give a path to an arch config or an inline mapping");
  YAML::Node model_node;
  std::string model_source = path, model_prefix = "model";
  if (root["model"].IsScalar()) {
    model_source = resolve_path(path, root["model"].as<std::string>());
    model_node = with_context("model config referenced by " + path, [&] { return load_yaml_file(model_source); });
    model_prefix = "";
  } else {
    model_node = root["model"];
  }
  for (const auto& o : overrides) {
    if (o.path.size() > 1 && o.path[0] == "model") {
      apply_override(model_node, {std::vector<std::string>(o.path.begin() + 1, o.path.end()), o.value, o.text});
    } else if (o.path[0] != "model") {
      apply_override(root, o);
    }
  }
  {
    ConfigReader mr(model_node, model_source, model_prefix);
    c.model = with_context(model_prefix.empty() ? "model config referenced by " + path : std::string("reading ") + path,
                           [&] { return ModelConfig::from_reader(mr); });
  }

  YAML::Node top = YAML::Clone(root);
  top.remove("model");
  YAML::Node stages = take(top, "stages");
  YAML::Node checkpoint = take(top, "checkpoint");
  ConfigReader r(top, path);
  r.get("seed", c.seed);
  r.get("threads", c.threads);
  r.get("log_interval", c.log_interval);
  r.get("max_bad_steps", c.max_bad_steps);
  r.get("data_cutoff", c.data_cutoff);
  r.check(c.data_cutoff.empty() || is_iso_date(c.data_cutoff), "data_cutoff",
          "'" + c.data_cutoff + "' is not a date: write YYYY-MM-DD");
  r.get("init", c.init);
  if (!c.init.empty()) {
    c.init = absolute(resolve_path(path, c.init));
    r.check(fs::exists(fs::path(c.init) / "model.safetensors"), "init",
            "'" + c.init +
                "' is not a checkpoint directory (no model.safetensors): give a run's final/ or checkpoints/step-N/");
  }
  if (r.has("distributed")) {
    auto d = r.child("distributed");
    d.get_choice("backend", c.distributed.backend, {"auto", "gloo", "nccl"});
    d.get("timeout_s", c.distributed.timeout_s);
    d.get("bucket_mb", c.distributed.bucket_mb);
    d.finish();
    d.check(c.distributed.timeout_s > 0, "timeout_s", "must be > 0");
    d.check(c.distributed.bucket_mb > 0, "bucket_mb", "must be > 0");
  }
  if (present(checkpoint) && !checkpoint.IsMap())
    throw Error(where(path, checkpoint, "checkpoint") +
                " must be a mapping {interval, keep_last, keep_best, best_metric}");
  if (present(checkpoint)) {
    ConfigReader k(checkpoint, path, "checkpoint");
    k.get("interval", c.checkpoint.interval);
    k.get("keep_last", c.checkpoint.keep_last);
    k.get("keep_best", c.checkpoint.keep_best);
    k.get_choice("best_metric", c.checkpoint.best_metric, {"eval_loss", "eval_exact_accuracy"});
    k.finish();
    k.check(c.checkpoint.keep_last >= 1, "keep_last", "must be >= 1");
  }
  if (present(stages)) {
    if (!stages.IsSequence() || stages.size() == 0)
      throw Error(where(path, stages, "stages") + " must be a non-empty list of stages");
    r.finish();
    for (size_t i = 0; i < stages.size(); ++i)
      c.stages.push_back(read_stage(stages[i], path, "stages." + std::to_string(i), c.model));
    if (c.stages.front().kind == StageKind::kExternal && !present(root["init"])) {
      throw Error(path + ": stages.0 ('" + c.stages.front().name + "') is a " + c.stages.front().external_kind +
                      " stage, which starts from a text checkpoint",
                  "set init: <checkpoint dir> (e.g. an SFT run's final/), or put an sft stage first");
    }
  } else {
    if (!r.has("data"))
      throw Error(path + ": missing required key 'stages' (or the single-stage 'data')", "see docs/training.md");
    c.stages.push_back(read_legacy_stage(r));
    r.get("checkpoint_interval", c.checkpoint.interval);
    r.finish();
    check_stage(r, c.stages[0], c.model, /*legacy=*/true);
  }
  r.check(c.log_interval >= 1, "log_interval", "must be >= 1");
  r.check(c.max_bad_steps >= 1, "max_bad_steps", "must be >= 1");
  r.check(c.checkpoint.interval >= 0, "checkpoint_interval", "must be >= 0");
  return c;
}

std::string TrainConfig::to_yaml() const {
  YAML::Emitter e;
  e.SetDoublePrecision(17);
  e << YAML::BeginMap;
  e << YAML::Key << "model" << YAML::Value << YAML::Load(model.to_yaml());
  e << YAML::Key << "seed" << YAML::Value << seed << YAML::Key << "threads" << YAML::Value << threads;
  e << YAML::Key << "log_interval" << YAML::Value << log_interval;
  e << YAML::Key << "max_bad_steps" << YAML::Value << max_bad_steps;
  if (!init.empty()) e << YAML::Key << "init" << YAML::Value << init;
  if (!data_cutoff.empty()) e << YAML::Key << "data_cutoff" << YAML::Value << data_cutoff;
  e << YAML::Key << "checkpoint" << YAML::Value << YAML::BeginMap << YAML::Key << "interval" << YAML::Value
    << checkpoint.interval << YAML::Key << "keep_last" << YAML::Value << checkpoint.keep_last << YAML::Key
    << "keep_best" << YAML::Value << checkpoint.keep_best << YAML::Key << "best_metric" << YAML::Value
    << checkpoint.best_metric << YAML::EndMap;
  e << YAML::Key << "distributed" << YAML::Value << YAML::BeginMap << YAML::Key << "backend" << YAML::Value
    << distributed.backend << YAML::Key << "timeout_s" << YAML::Value << distributed.timeout_s << YAML::Key
    << "bucket_mb" << YAML::Value << distributed.bucket_mb << YAML::EndMap;
  e << YAML::Key << "stages" << YAML::Value << YAML::BeginSeq;
  for (const auto& s : stages) {
    if (s.kind == StageKind::kExternal) {
      e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "kind" << YAML::Value
        << s.external_kind;
      const YAML::Node own = YAML::Load(s.external_yaml);
      for (const auto& kv : own) e << YAML::Key << kv.first << YAML::Value << kv.second;
      e << YAML::EndMap;
      continue;
    }
    const auto& o = s.optimizer;
    e << YAML::BeginMap << YAML::Key << "name" << YAML::Value << s.name << YAML::Key << "kind" << YAML::Value
      << to_string(s.kind);
    e << YAML::Key << "steps" << YAML::Value << s.steps << YAML::Key << "global_batch_size" << YAML::Value
      << s.global_batch_size << YAML::Key << "micro_batch_size" << YAML::Value << s.micro_batch_size;
    e << YAML::Key << "data" << YAML::Value << YAML::BeginMap;
    if (s.kind == StageKind::kPuzzle) {
      e << YAML::Key << "path" << YAML::Value << s.train.at(0).path;
    } else {
      e << YAML::Key << "train" << YAML::Value << YAML::BeginSeq;
      for (const auto& d : s.train)
        e << YAML::Flow << YAML::BeginMap << YAML::Key << "path" << YAML::Value << d.path << YAML::Key << "weight"
          << YAML::Value << d.weight << YAML::EndMap;
      e << YAML::EndSeq;
      if (!s.validation.empty()) e << YAML::Key << "validation" << YAML::Value << s.validation;
    }
    e << YAML::EndMap;
    if (!s.tokenizer.empty()) e << YAML::Key << "tokenizer" << YAML::Value << s.tokenizer;
    e << YAML::Key << "optimizer" << YAML::Value << YAML::BeginMap << YAML::Key << "name" << YAML::Value << o.name
      << YAML::Key << "lr" << YAML::Value << o.lr << YAML::Key << "lr_min_ratio" << YAML::Value << o.lr_min_ratio
      << YAML::Key << "warmup_steps" << YAML::Value << o.warmup_steps << YAML::Key << "weight_decay" << YAML::Value
      << o.weight_decay << YAML::Key << "beta1" << YAML::Value << o.beta1 << YAML::Key << "beta2" << YAML::Value
      << o.beta2 << YAML::Key << "grad_clip" << YAML::Value << o.grad_clip << YAML::Key << "puzzle_emb_lr"
      << YAML::Value << o.puzzle_emb_lr << YAML::Key << "puzzle_emb_weight_decay" << YAML::Value
      << o.puzzle_emb_weight_decay << YAML::Key << "lr_mult_H" << YAML::Value << o.lr_mult_H << YAML::Key << "lr_mult_L"
      << YAML::Value << o.lr_mult_L << YAML::Key << "lr_mult_heads" << YAML::Value << o.lr_mult_heads << YAML::Key
      << "lr_mult_embed" << YAML::Value << o.lr_mult_embed << YAML::EndMap;
    e << YAML::Key << "ema_decay" << YAML::Value << s.ema_decay << YAML::Key << "bp_steps_final" << YAML::Value
      << s.bp_steps_final << YAML::Key << "bp_warmup_fraction" << YAML::Value << s.bp_warmup_fraction;
    e << YAML::Key << "eval" << YAML::Value << YAML::BeginMap << YAML::Key << "interval" << YAML::Value
      << s.eval.interval << YAML::Key << "max_examples" << YAML::Value << s.eval.max_examples << YAML::Key
      << "batch_size" << YAML::Value << s.eval.batch_size;
    if (const auto& c = s.eval.code; !c.problems.empty()) {
      e << YAML::Key << "code" << YAML::Value << YAML::BeginMap << YAML::Key << "problems" << YAML::Value << c.problems
        << YAML::Key << "limit" << YAML::Value << c.limit << YAML::Key << "n" << YAML::Value << c.n << YAML::Key << "ks"
        << YAML::Value << YAML::Flow << c.ks << YAML::Key << "temperature" << YAML::Value << c.temperature << YAML::Key
        << "max_new_tokens" << YAML::Value << c.max_new_tokens << YAML::EndMap;
    }
    e << YAML::EndMap;
    e << YAML::EndMap;
  }
  e << YAML::EndSeq << YAML::EndMap;
  return std::string(e.c_str()) + "\n";
}

}  // namespace hrm
