// Distributed — data-parallel collectives for the trainer over LibTorch's c10d process groups:
// Gloo on CPU, NCCL on CUDA builds (compile-guarded). Ranks find each other through a c10d TCPStore
// at MASTER_ADDR:MASTER_PORT (the environment hrm-launch and torchrun set: RANK, WORLD_SIZE,
// LOCAL_RANK, MASTER_ADDR, MASTER_PORT). Every collective has the configured timeout; a failed or
// timed-out collective throws hrm::Error naming the rank and the operation, so a dead rank takes the
// job down with a clear message instead of a hang. With world size 1 no group is created and every
// collective is the identity.
#pragma once
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "hrm/train/train_config.hpp"

namespace hrm {

struct DistributedEnv {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  // Reads RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT; unset means a single process.
  // Malformed or inconsistent values are errors naming the variable.
  static DistributedEnv from_environment();
};

class Distributed {
 public:
  Distributed();  // a single process
  Distributed(const DistributedEnv& env, const DistributedConfig& config, torch::Device device);
  ~Distributed();
  Distributed(const Distributed&) = delete;
  Distributed& operator=(const Distributed&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  bool is_main() const { return rank_ == 0; }
  const std::string& backend() const { return backend_; }

  // Sums the tensors over ranks, in place; they are flattened into buckets of at most `bucket_bytes`
  // (one collective per bucket, as DDP does). Tensors of one bucket must share dtype and device.
  void all_reduce_sum(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes);
  // Bytes passed through all_reduce_sum so far (0 with world size 1, where nothing is sent).
  int64_t all_reduced_bytes() const { return all_reduced_bytes_; }
  // Element-wise sum of a few numbers over ranks (metrics, stop flags).
  std::vector<double> sum(const std::vector<double>& values);
  double max(double value);
  // Every rank's `t` stacked: [world_size, ...] (same shape everywhere; any dtype).
  torch::Tensor all_gather(const torch::Tensor& t);
  void barrier();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0, world_size_ = 1;
  int64_t all_reduced_bytes_ = 0;
  std::string backend_ = "none";
};

// Whether this build can create a process group for `backend` ("gloo" or "nccl"); `why` says why not.
bool distributed_backend_available(const std::string& backend, std::string* why);

}  // namespace hrm
