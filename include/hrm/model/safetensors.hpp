// Reading and writing the safetensors format (8-byte little-endian header length, a JSON header of
// {name: {dtype, shape, data_offsets}} plus optional "__metadata__", then the raw little-endian data),
// loadable from Python with the `safetensors` package. Corrupt or truncated files are errors that
// name the file and the tensor.
#pragma once
#include <map>
#include <string>

#include <torch/torch.h>

namespace hrm {

using TensorMap = std::map<std::string, torch::Tensor>;

void save_safetensors(const std::string& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// Loads every tensor onto the CPU.
TensorMap load_safetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

// Copies `tensors` into the module's named parameters and persistent buffers (names must match
// exactly; shapes too); `source` names the file for errors. Derived buffers (skip) are left alone.
void load_into_module(torch::nn::Module& module, const TensorMap& tensors, const std::string& source,
                      const std::function<bool(const std::string&)>& skip = nullptr);
// The module's parameters and buffers (minus `skip`), as CPU tensors.
TensorMap module_tensors(const torch::nn::Module& module,
                         const std::function<bool(const std::string&)>& skip = nullptr);

}  // namespace hrm
