#include "hrm/model/config.hpp"

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

int64_t ModelConfig::mlp_inner() const {
  const auto raw = static_cast<int64_t>(std::llround(expansion * static_cast<double>(hidden_size) * 2.0 / 3.0));
  return (raw + 255) / 256 * 256;
}

ModelConfig ModelConfig::from_reader(ConfigReader& r) {
  ModelConfig c;
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
          "must be in [1, H_cycles*(L_cycles+1) = " + std::to_string(c.module_calls()) + "]");
  r.check(c.halt_max_steps >= 1, "halt_max_steps", "must be >= 1");
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

std::string ModelConfig::to_yaml() const {
  std::ostringstream s;
  s.precision(17);
  s << "vocab_size: " << vocab_size << "\nseq_len: " << seq_len << "\nhidden_size: " << hidden_size
    << "\nnum_heads: " << num_heads << "\nexpansion: " << expansion << "\nH_layers: " << H_layers
    << "\nL_layers: " << L_layers << "\nH_cycles: " << H_cycles << "\nL_cycles: " << L_cycles
    << "\nrope_theta: " << rope_theta << "\nrms_norm_eps: " << rms_norm_eps
    << "\npos_encodings: " << name_of(kPos, pos_encodings) << "\nattention: " << name_of(kAttention, attention)
    << "\nnorm: " << name_of(kNorm, norm) << "\nz_H_init: " << name_of(kZHInit, z_H_init) << "\nbp_steps: " << bp_steps
    << "\nhalt_max_steps: " << halt_max_steps << "\nhalt_exploration_prob: " << halt_exploration_prob
    << "\npuzzle_emb_ndim: " << puzzle_emb_ndim << "\nnum_puzzle_identifiers: " << num_puzzle_identifiers
    << "\nloss: " << name_of(kLoss, loss) << "\nforward_dtype: " << forward_dtype
    << "\nactivation_checkpointing: " << (activation_checkpointing ? "true" : "false") << "\n";
  if (quantization.enabled) s << quantization_yaml(quantization);
  return s.str();
}

std::string ModelConfig::diff(const ModelConfig& other) const {
  // Compare line by line through the YAML rendering: one source of truth for the key list.
  std::istringstream a(to_yaml()), b(other.to_yaml());
  std::string la, lb, out;
  while (std::getline(a, la) && std::getline(b, lb)) {
    const auto key = la.substr(0, la.find(':'));
    if (la != lb && key != "activation_checkpointing" && key != "quantization") {
      out += (out.empty() ? "" : ", ") + key + " (" + la.substr(la.find(':') + 2) + " vs " +
             lb.substr(lb.find(':') + 2) + ")";
    }
  }
  return out;
}

}  // namespace hrm
