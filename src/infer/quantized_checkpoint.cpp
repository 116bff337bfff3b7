#include "hrm/infer/quantized_checkpoint.hpp"

#include <unistd.h>

#include <filesystem>
#include <set>

#include "hrm/model/checkpoint.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/progress.hpp"

namespace fs = std::filesystem;

namespace hrm::infer {

namespace {

// The quantization table of a model.safetensors, or null for a float file.
nlohmann::json quantization_table(const std::map<std::string, std::string>& metadata, const std::string& path) {
  const auto it = metadata.find(kQuantizationMetadataKey);
  if (it == metadata.end()) return nullptr;
  nlohmann::json table;
  try {
    table = nlohmann::json::parse(it->second);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": metadata '" + kQuantizationMetadataKey + "' is not valid JSON: " + e.what(),
                "the file is corrupt; quantize the checkpoint again");
  }
  HRM_CHECK(table.is_object() && table.value("version", 0) == kQuantizedFormatVersion && table.contains("tensors") &&
                table["tensors"].is_object(),
            path + ": quantization format version " + table.value("version", nlohmann::json(0)).dump() +
                " is not supported (this hrm reads " + std::to_string(kQuantizedFormatVersion) + ")",
            "quantize the float checkpoint again with this hrm");
  return table;
}

// One entry of the quantization table: checked against the model's tensor and the stored arrays.
QuantizedWeight read_quantized_entry(const TensorMap& tensors, const TensorMap& expected, const std::string& name,
                                     const nlohmann::json& entry, const std::string& path) {
  const auto model_tensor = expected.find(name);
  HRM_CHECK(model_tensor != expected.end() && model_tensor->second.dim() == 2,
            path + ": quantized tensor '" + name + "' is not a 2-D weight of this model",
            "the file does not belong to this config.yaml");
  const auto rows = model_tensor->second.size(0), cols = model_tensor->second.size(1);
  const auto where = path + ": '" + name + "'";
  HRM_CHECK(entry.value("shape", nlohmann::json()) == nlohmann::json({rows, cols}),
            where + " is recorded as " + entry.value("shape", nlohmann::json()).dump() + " but the model has [" +
                std::to_string(rows) + ", " + std::to_string(cols) + "]",
            "the file does not belong to this config.yaml");
  const auto type = quant::parse_type(entry.value("type", std::string()), where + " type");
  return QuantizedWeight::from_tensors(tensors, name, type, entry.value("group", int64_t{0}), rows, cols, path);
}

void write_quantized_dir(const fs::path& tmp, const std::string& source_dir, const TensorMap& tensors,
                         const nlohmann::json& table, const nlohmann::json& record) {
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw Error("cannot create '" + tmp.string() + "': " + ec.message());
  save_safetensors((tmp / "model.safetensors").string(), tensors,
                   {{"format", "pt"},
                    {"hrm_format_version", std::to_string(kCheckpointFormatVersion)},
                    {kQuantizationMetadataKey, table.dump()}});
  write_file_atomic(tmp / "config.yaml", read_file(fs::path(source_dir) / "config.yaml"));
  auto state = nlohmann::json::parse(read_file(fs::path(source_dir) / "train_state.json"));
  state["quantization"] = record;
  write_file_atomic(tmp / "train_state.json", state.dump(2) + "\n");
  const auto tokenizer = fs::path(source_dir) / "tokenizer.model";
  if (fs::exists(tokenizer)) fs::copy_file(tokenizer, tmp / "tokenizer.model", fs::copy_options::overwrite_existing);
}

}  // namespace

QuantizeOptions default_quantize_options(const std::string& checkpoint_dir) {
  QuantizeOptions options;
  const auto& qat = read_checkpoint_meta(checkpoint_dir).config.quantization;
  if (qat.enabled) static_cast<WeightQuantization&>(options) = qat.weights;
  return options;
}

std::map<std::string, QuantizedWeight> quantize_weights(HRMInnerImpl& model, const QuantizeOptions& options,
                                                        QuantizeSummary* summary) {
  std::map<std::string, QuantizedWeight> out;
  const auto tensors = module_tensors(model, HRMInnerImpl::is_derived_buffer);
  Progress progress("quantize", tensors.size(), "tensors", options.progress);
  for (const auto& [name, t] : tensors) {
    progress.advance(1, name);
    const auto type = options.type_of(name);
    if (!type || t.dim() != 2) continue;
    const auto it = options.importance.find(name);
    const auto importance = it != options.importance.end() ? it->second : torch::Tensor();
    auto q = with_context(name, [&] { return QuantizedWeight::quantize(t, *type, options.group_size, importance); });
    if (summary != nullptr) {
      const auto w = t.to(torch::kFloat32);
      const double error = ((q.dequantize() - w).norm() / w.norm().clamp_min(1e-30)).item<double>();
      if (error >= summary->max_relative_error) {
        summary->max_relative_error = error;
        summary->worst_tensor = name;
      }
      ++summary->quantized_tensors;
    }
    out.emplace(name, std::move(q));
  }
  return out;
}

void load_dequantized(HRMInnerImpl& model, const std::map<std::string, QuantizedWeight>& weights) {
  auto tensors = module_tensors(model, HRMInnerImpl::is_derived_buffer);
  for (const auto& [name, w] : weights) tensors[name] = w.dequantize();
  load_into_module(model, tensors, "dequantized weights", HRMInnerImpl::is_derived_buffer);
}

QuantizeSummary quantize_checkpoint(const std::string& source_dir, const std::string& out_dir,
                                    const QuantizeOptions& options) {
  return with_context("quantizing checkpoint '" + source_dir + "'", [&] {
    const auto meta = read_checkpoint_meta(source_dir);
    HRMInner model(meta.config);
    HRM_CHECK(load_checkpoint_weights(source_dir, *model).empty(), "the checkpoint is already quantized",
              "quantize the float checkpoint it was made from");
    QuantizeSummary summary;
    const auto quantized = quantize_weights(*model, options, &summary);
    TensorMap tensors;
    nlohmann::json table = {{"version", kQuantizedFormatVersion}, {"tensors", nlohmann::json::object()}};
    for (const auto& [name, t] : module_tensors(*model, HRMInnerImpl::is_derived_buffer)) {
      summary.source_bytes += t.nbytes();
      const auto it = quantized.find(name);
      if (it == quantized.end()) {
        tensors[name] = t;
        summary.output_bytes += t.nbytes();
        continue;
      }
      const auto& q = it->second;
      for (const auto& [key, value] : q.tensors(name)) tensors[key] = value;
      table["tensors"][name] = {
          {"type", quant::type_name(q.type())}, {"group", q.group()}, {"shape", {q.rows(), q.cols()}}};
      summary.output_bytes += q.bytes();
    }
    const nlohmann::json record = {{"type", quant::type_name(options.type)},
                                   {"group_size", options.group_size},
                                   {"embed", options.embed_type ? quant::type_name(*options.embed_type) : "float"},
                                   {"lm_head", options.head_type ? quant::type_name(*options.head_type) : "float"},
                                   {"calibration_prompts", options.calibration_prompts},
                                   {"source", source_dir}};
    const fs::path final_dir(out_dir), tmp = out_dir + ".tmp-" + std::to_string(::getpid());
    write_quantized_dir(tmp, source_dir, tensors, table, record);
    std::error_code ec;
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir);
    return summary;
  });
}

std::map<std::string, QuantizedWeight> load_checkpoint_weights(const std::string& dir, HRMInnerImpl& model,
                                                               QuantizedLinears linears) {
  const auto meta = read_checkpoint_meta(dir);
  const auto mismatch = model.config().diff(meta.config);
  HRM_CHECK(
      mismatch.empty(),
      "checkpoint '" + dir + "' was written for another model configuration: " + mismatch + " (model vs checkpoint)",
      "build the model from the checkpoint's config.yaml");
  const auto path = (fs::path(dir) / "model.safetensors").string();
  std::map<std::string, std::string> metadata;
  auto tensors = load_safetensors(path, &metadata);
  const auto table = quantization_table(metadata, path);
  std::map<std::string, QuantizedWeight> quantized;
  std::set<std::string> freed;
  if (!table.is_null()) {
    const auto expected = module_tensors(model, HRMInnerImpl::is_derived_buffer);
    const auto parameters = model.named_parameters();
    for (const auto& [name, entry] : table["tensors"].items()) {
      auto w = read_quantized_entry(tensors, expected, name, entry, path);
      for (const auto& key : w.tensors(name)) tensors.erase(key.first);
      if (linears == QuantizedLinears::kFree && name != "embed") {
        torch::NoGradGuard no_grad;
        parameters[name].set_data(torch::empty({0}, parameters[name].options()));
        freed.insert(name);
      } else {
        tensors[name] = w.dequantize();
      }
      quantized.emplace(name, std::move(w));
    }
  }
  load_into_module(model, tensors, path,
                   [&](const std::string& name) { return HRMInnerImpl::is_derived_buffer(name) || freed.count(name); });
  return quantized;
}

}  // namespace hrm::infer
