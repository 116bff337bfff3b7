#include "hrm/model/config.hpp"

#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace hrm {
namespace {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

const EnumName<AttentionMode> kAttention[] = {{AttentionMode::kBidirectional, "bidirectional"},
                                              {AttentionMode::kCausal, "causal"},
                                              {AttentionMode::kPrefixLM, "prefix_lm"}};
const EnumName<NormStyle> kNorm[] = {{NormStyle::kPost, "post"}, {NormStyle::kPre, "pre"}};
const EnumName<ZHInit> kZHInit[] = {{ZHInit::kLearned, "learned"}, {ZHInit::kEmbedding, "embedding"}};
const EnumName<LossType> kLoss[] = {{LossType::kStablemax, "stablemax"}, {LossType::kSoftmax, "softmax"}};
const EnumName<PosEncoding> kPos[] = {{PosEncoding::kRope, "rope"}, {PosEncoding::kLearned, "learned"}};
const EnumName<Architecture> kArchitecture[] = {{Architecture::kHRM, "hrm"},
                                                {Architecture::kLOnly, "l_only"},
                                                {Architecture::kTransformer, "transformer"},
                                                {Architecture::kTRM, "trm"}};

template <typename E, size_t N>
const char* name_of(const EnumName<E> (&table)[N], E v) {
  for (const auto& e : table) {
    if (e.value == v) return e.name;
  }
  return "?";
}

template <typename E, size_t N>
void read_enum(ConfigReader& r, const std::string& key, const EnumName<E> (&table)[N], E& out) {
  std::string s = name_of(table, out);
  std::vector<std::string> names;
  for (const auto& e : table) names.push_back(e.name);
  r.get_choice(key, s, names);
  for (const auto& e : table) {
    if (s == e.name) out = e.value;
  }
}

// "q8" / "q4" / "float" (nullopt) of the quantization block's embed and lm_head keys.
void read_tensor_type(ConfigReader& r, const std::string& key, std::optional<quant::QuantType>& out) {
  std::string name = out ? quant::type_name(*out) : "float";
  r.get_choice(key, name, {"q8", "q4", "float"});
  out = name == "float" ? std::nullopt : std::optional(quant::parse_type(name, r.path_of(key)));
}

QuantizationConfig read_quantization(ConfigReader r, const ModelConfig& c) {
  QuantizationConfig q;
  q.enabled = true;
  int64_t bits = 0;
  r.require("bits", bits);
  r.check(bits == 8 || bits == 4, "bits", "must be 8 or 4 (q8 or q4 weights for the H and L modules)");
  q.weights.type = bits == 8 ? quant::QuantType::kQ8 : quant::QuantType::kQ4;
  r.get("group_size", q.weights.group_size);
  read_tensor_type(r, "embed", q.weights.embed_type);
  read_tensor_type(r, "lm_head", q.weights.head_type);
  std::string activations = "none";
  r.get_choice("activations", activations, {"int8", "none"});
  q.int8_activations = activations == "int8";
  r.finish();
  const auto group = q.weights.group_size;
  r.check(group > 0 && group % quant::kBlock == 0 && c.hidden_size % group == 0 && c.mlp_inner() % group == 0,
          "group_size",
          std::to_string(group) + " must be a positive multiple of " + std::to_string(quant::kBlock) +
              " dividing hidden_size (" + std::to_string(c.hidden_size) + ") and the MLP inner size (" +
              std::to_string(c.mlp_inner()) + "); 32 always does");
  return q;
}

std::string quantization_yaml(const QuantizationConfig& q) {
  const auto type = [](const std::optional<quant::QuantType>& t) { return t ? quant::type_name(*t) : "float"; };
  return "quantization: {bits: " + std::string(q.weights.type == quant::QuantType::kQ8 ? "8" : "4") +
         ", group_size: " + std::to_string(q.weights.group_size) + ", embed: " + type(q.weights.embed_type) +
         ", lm_head: " + type(q.weights.head_type) + ", activations: " + (q.int8_activations ? "int8" : "none") + "}\n";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::optional<quant::QuantType> WeightQuantization::type_of(const std::string& name) const {
  if (name == "embed") return embed_type;
  if (name == "lm_head.weight") return head_type;
  const bool module_weight = (starts_with(name, "H.") || starts_with(name, "L.")) && name.size() > 7 &&
                             name.compare(name.size() - 7, 7, ".weight") == 0;
  return module_weight ? std::optional(type) : std::nullopt;
}

const char* to_string(AttentionMode m) { return name_of(kAttention, m); }
const char* to_string(Architecture a) { return name_of(kArchitecture, a); }

int64_t ModelConfig::module_calls() const {
  switch (architecture) {
    case Architecture::kHRM:
    case Architecture::kTRM:
      return H_cycles * (L_cycles + 1);
    case Architecture::kLOnly:
      return L_cycles;
    case Architecture::kTransformer:
      return 1;
  }
  return 1;
}

int64_t ModelConfig::call_layers(int64_t call) const {
  const bool high_call = architecture == Architecture::kHRM && call % (L_cycles + 1) == L_cycles;
  return high_call ? H_layers : L_layers;
}

bool ModelConfig::uses_key(const std::string& key) const {
  switch (architecture) {
    case Architecture::kHRM:
      return true;
    case Architecture::kTRM:
      return key != "H_layers";
    case Architecture::kLOnly:
      return key != "H_layers" && key != "H_cycles" && key != "z_H_init";
    case Architecture::kTransformer:
      return key != "H_layers" && key != "H_cycles" && key != "L_cycles" && key != "z_H_init" && key != "bp_steps";
  }
  return true;
}

int64_t ModelConfig::mlp_inner() const {
  const auto raw = static_cast<int64_t>(std::llround(expansion * static_cast<double>(hidden_size) * 2.0 / 3.0));
  return (raw + 255) / 256 * 256;
}

ModelConfig ModelConfig::from_reader(ConfigReader& r) {
  ModelConfig c;
  read_enum(r, "architecture", kArchitecture, c.architecture);
  for (const char* key : {"H_layers", "H_cycles", "L_cycles", "z_H_init", "bp_steps"}) {
    r.check(c.uses_key(key) || !r.has(key), key,
            std::string("is not used by architecture: ") + to_string(c.architecture) + " (remove it)");
  }
  // Defaults of the ablations: the one-step gradient of an L-only recurrence is its last call; TRM
  // backpropagates through its last full recursion round (n z updates + the y update); a plain
  // transformer runs one segment.
  if (c.architecture == Architecture::kLOnly || c.architecture == Architecture::kTransformer) c.bp_steps = 1;
  if (c.architecture == Architecture::kTransformer) c.halt_max_steps = 1;
  r.require("vocab_size", c.vocab_size);
  r.require("seq_len", c.seq_len);
  r.get("hidden_size", c.hidden_size);
  r.get("num_heads", c.num_heads);
  r.get("expansion", c.expansion);
  r.get("H_layers", c.H_layers);
  r.get("L_layers", c.L_layers);
  r.get("H_cycles", c.H_cycles);
  r.get("L_cycles", c.L_cycles);
  r.get("rope_theta", c.rope_theta);
  r.get("rms_norm_eps", c.rms_norm_eps);
  read_enum(r, "pos_encodings", kPos, c.pos_encodings);
  read_enum(r, "attention", kAttention, c.attention);
  read_enum(r, "norm", kNorm, c.norm);
  read_enum(r, "z_H_init", kZHInit, c.z_H_init);
  r.get("bp_steps", c.bp_steps);
  r.get("halt_max_steps", c.halt_max_steps);
  r.get("halt_exploration_prob", c.halt_exploration_prob);
  r.get("puzzle_emb_ndim", c.puzzle_emb_ndim);
  r.get("num_puzzle_identifiers", c.num_puzzle_identifiers);
  read_enum(r, "loss", kLoss, c.loss);
  r.get_choice("forward_dtype", c.forward_dtype, {"float32", "bfloat16"});
  r.get("activation_checkpointing", c.activation_checkpointing);
  std::optional<ConfigReader> quantization;  // read once the sizes it must divide are checked
  if (r.has("quantization")) {
    r.check(!r.is_scalar("quantization"), "quantization",
            "must be a mapping {bits: 8|4, group_size, embed, lm_head, activations: int8|none}");
    quantization = r.child("quantization");
  }
  r.finish();
  if (c.architecture == Architecture::kTRM && !r.has("bp_steps")) c.bp_steps = c.L_cycles + 1;

  r.check(c.vocab_size >= 2, "vocab_size", "must be >= 2");
  r.check(c.seq_len >= 1, "seq_len", "must be >= 1");
  r.check(c.hidden_size >= 2 && c.num_heads >= 1 && c.hidden_size % c.num_heads == 0, "hidden_size",
          "must be a positive multiple of num_heads (" + std::to_string(c.num_heads) + ")");
  r.check(c.head_dim() % 2 == 0, "num_heads", "hidden_size/num_heads must be even for RoPE");
  r.check(c.expansion > 0, "expansion", "must be > 0");
  r.check(c.H_layers >= 1 && c.L_layers >= 1, "H_layers", "H_layers and L_layers must be >= 1");
  r.check(c.H_cycles >= 1 && c.L_cycles >= 1, "H_cycles", "H_cycles and L_cycles must be >= 1");
  r.check(c.rope_theta > 0, "rope_theta", "must be > 0");
  r.check(c.rms_norm_eps > 0, "rms_norm_eps", "must be > 0");
  r.check(c.bp_steps >= 1 && c.bp_steps <= c.module_calls(), "bp_steps",
          "must be in [1, module calls per segment = " + std::to_string(c.module_calls()) + "]");
  r.check(c.halt_max_steps >= 1, "halt_max_steps", "must be >= 1");
  r.check(c.architecture != Architecture::kTransformer || c.halt_max_steps == 1, "halt_max_steps",
          "must be 1 for architecture: transformer (a single segment, no recurrence)");
  r.check(c.halt_exploration_prob >= 0 && c.halt_exploration_prob <= 1, "halt_exploration_prob", "must be in [0, 1]");
  r.check(c.puzzle_emb_ndim >= 0, "puzzle_emb_ndim", "must be >= 0");
  r.check(c.num_puzzle_identifiers >= 1, "num_puzzle_identifiers", "must be >= 1");
  r.check(c.z_H_init == ZHInit::kLearned || c.puzzle_emb_ndim == 0, "z_H_init",
          "'embedding' cannot be combined with puzzle_emb_ndim > 0");
  if (quantization) c.quantization = read_quantization(*quantization, c);
  return c;
}

ModelConfig ModelConfig::from_file(const std::string& path) {
  auto r = ConfigReader::from_file(path);
  return from_reader(r);
}

std::vector<std::pair<std::string, std::string>> ModelConfig::entries() const {
  std::ostringstream v;
  v.precision(17);
  const auto str = [&](auto x) {
    v.str("");
    v << x;
    return v.str();
  };
  std::vector<std::pair<std::string, std::string>> all = {
      {"architecture", name_of(kArchitecture, architecture)},
      {"vocab_size", str(vocab_size)},
      {"seq_len", str(seq_len)},
      {"hidden_size", str(hidden_size)},
      {"num_heads", str(num_heads)},
      {"expansion", str(expansion)},
      {"H_layers", str(H_layers)},
      {"L_layers", str(L_layers)},
      {"H_cycles", str(H_cycles)},
      {"L_cycles", str(L_cycles)},
      {"rope_theta", str(rope_theta)},
      {"rms_norm_eps", str(rms_norm_eps)},
      {"pos_encodings", name_of(kPos, pos_encodings)},
      {"attention", name_of(kAttention, attention)},
      {"norm", name_of(kNorm, norm)},
      {"z_H_init", name_of(kZHInit, z_H_init)},
      {"bp_steps", str(bp_steps)},
      {"halt_max_steps", str(halt_max_steps)},
      {"halt_exploration_prob", str(halt_exploration_prob)},
      {"puzzle_emb_ndim", str(puzzle_emb_ndim)},
      {"num_puzzle_identifiers", str(num_puzzle_identifiers)},
      {"loss", name_of(kLoss, loss)},
      {"forward_dtype", forward_dtype},
      {"activation_checkpointing", activation_checkpointing ? "true" : "false"}};
  std::vector<std::pair<std::string, std::string>> used;
  for (auto& e : all) {
    if (uses_key(e.first)) used.push_back(std::move(e));
  }
  return used;
}

std::string ModelConfig::to_yaml() const {
  std::string out;
  for (const auto& [key, value] : entries()) out += key + ": " + value + "\n";
  if (quantization.enabled) out += quantization_yaml(quantization);
  return out;
}

std::string ModelConfig::diff(const ModelConfig& other) const {
  // Key by key through the YAML entries (one source of truth for the key list); a key one architecture
  // does not use reads "unused". The quantization block is not an entry: QAT may start from a float model.
  const auto mine = entries(), theirs = other.entries();
  const std::map<std::string, std::string> mine_map(mine.begin(), mine.end()), theirs_map(theirs.begin(), theirs.end());
  const auto value_in = [](const std::map<std::string, std::string>& m, const std::string& key) {
    const auto it = m.find(key);
    return it == m.end() ? std::string("unused") : it->second;
  };
  std::string out;
  const auto compare = [&](const std::string& key) {
    const auto a = value_in(mine_map, key), b = value_in(theirs_map, key);
    if (a != b && key != "activation_checkpointing")
      out += (out.empty() ? "" : ", ") + key + " (" + a + " vs " + b + ")";
  };
  for (const auto& entry : mine) compare(entry.first);
  for (const auto& entry : theirs) {
    if (!mine_map.count(entry.first)) compare(entry.first);
  }
  return out;
}

}  // namespace hrm
