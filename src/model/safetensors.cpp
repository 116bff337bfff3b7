#include "hrm/model/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <fstream>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm {
namespace {

struct DtypeName {
  torch::ScalarType type;
  const char* name;
};
const DtypeName kDtypes[] = {{torch::kFloat32, "F32"}, {torch::kFloat64, "F64"}, {torch::kBFloat16, "BF16"},
                             {torch::kFloat16, "F16"}, {torch::kInt64, "I64"},   {torch::kInt32, "I32"},
                             {torch::kInt16, "I16"},   {torch::kInt8, "I8"},     {torch::kUInt8, "U8"},
                             {torch::kBool, "BOOL"}};

const char* dtype_name(torch::ScalarType t) {
  for (const auto& d : kDtypes) {
    if (d.type == t) return d.name;
  }
  throw Error(std::string("safetensors: unsupported dtype ") + c10::toString(t));
}

torch::ScalarType dtype_of(const std::string& name, const std::string& where) {
  for (const auto& d : kDtypes) {
    if (name == d.name) return d.type;
  }
  throw Error(where + ": unsupported dtype '" + name + "'");
}

}  // namespace

void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::vector<torch::Tensor> blobs;
  int64_t offset = 0;
  for (const auto& [name, t] : tensors) {
    auto c = t.detach().to(torch::kCPU).contiguous();
    const int64_t bytes = c.numel() * static_cast<int64_t>(c.element_size());
    header[name] = {
        {"dtype", dtype_name(c.scalar_type())}, {"shape", c.sizes().vec()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    blobs.push_back(c);
  }
  std::string h = header.dump();
  h.append((8 - h.size() % 8) % 8, ' ');
  std::string out;
  out.reserve(8 + h.size() + static_cast<size_t>(offset));
  const uint64_t n = h.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  out += h;
  for (const auto& c : blobs) out.append(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size());
  write_file_atomic(path, out);
}

TensorMap load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
  const std::string raw = read_file(path);
  const auto corrupt = [&](const std::string& why) {
    return Error(path + ": not a valid safetensors file: " + why,
                 "the file may be truncated or corrupt; re-export or use another checkpoint");
  };
  if (raw.size() < 8) throw corrupt("shorter than its 8-byte header length");
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(raw[static_cast<size_t>(i)]);
  if (n > raw.size() - 8)
    throw corrupt("header length " + std::to_string(n) + " exceeds file size " + std::to_string(raw.size()));
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(raw.substr(8, n));
  } catch (const nlohmann::json::exception& e) {
    throw corrupt(std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) throw corrupt("header is not a JSON object");
  const uint64_t data_size = raw.size() - 8 - n;
  const char* data = raw.data() + 8 + n;
  TensorMap out;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (metadata != nullptr) *metadata = info.get<std::map<std::string, std::string>>();
      continue;
    }
    const auto where = path + ": tensor '" + name + "'";
    try {
      const auto type = dtype_of(info.at("dtype").get<std::string>(), where);
      const auto shape = info.at("shape").get<std::vector<int64_t>>();
      const auto offs = info.at("data_offsets").get<std::vector<uint64_t>>();
      if (offs.size() != 2 || offs[0] > offs[1] || offs[1] > data_size) {
        throw corrupt("tensor '" + name + "' data_offsets out of range (data is " + std::to_string(data_size) +
                      " bytes)");
      }
      auto t = torch::empty(shape, torch::TensorOptions().dtype(type));
      const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
      if (bytes != offs[1] - offs[0])
        throw corrupt("tensor '" + name + "' has " + std::to_string(offs[1] - offs[0]) + " bytes for its shape's " +
                      std::to_string(bytes));
      std::memcpy(t.data_ptr(), data + offs[0], bytes);
      out[name] = t;
    } catch (const nlohmann::json::exception& e) {
      throw corrupt("bad header entry for '" + name + "': " + e.what());
    }
  }
  return out;
}

void load_into_module(torch::nn::Module& module, const TensorMap& tensors, const std::string& source,
                      const std::function<bool(const std::string&)>& skip) {
  torch::NoGradGuard no_grad;
  std::set<std::string> seen;
  auto copy = [&](const std::string& name, torch::Tensor& dst) {
    if (skip && skip(name)) return;
    const auto it = tensors.find(name);
    if (it == tensors.end())
      throw Error(source + ": missing tensor '" + name + "'",
                  "the checkpoint was written for a different model configuration");
    if (it->second.sizes() != dst.sizes()) {
      throw Error(source + ": tensor '" + name + "' has shape " + c10::str(it->second.sizes()) +
                      ", the model expects " + c10::str(dst.sizes()),
                  "the checkpoint was written for a different model configuration");
    }
    dst.copy_(it->second);
    seen.insert(name);
  };
  for (auto& p : module.named_parameters()) copy(p.key(), p.value());
  for (auto& b : module.named_buffers()) copy(b.key(), b.value());
  for (const auto& [name, t] : tensors) {
    if (!seen.count(name) && !(skip && skip(name)))
      throw Error(source + ": unexpected tensor '" + name + "' not in the model");
  }
}

TensorMap module_tensors(const torch::nn::Module& module, const std::function<bool(const std::string&)>& skip) {
  TensorMap out;
  for (const auto& p : module.named_parameters()) {
    if (!(skip && skip(p.key()))) out[p.key()] = p.value().detach().to(torch::kCPU);
  }
  for (const auto& b : module.named_buffers()) {
    if (!(skip && skip(b.key()))) out[b.key()] = b.value().detach().to(torch::kCPU);
  }
  return out;
}

}  // namespace hrm
