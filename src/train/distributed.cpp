// c10d is used directly (no home-made transport). Debian's libtorch 1.13 is built with Gloo: the
// ProcessGroupGloo symbols are in libtorch_cpu.so and libgloo-dev ships the Gloo headers it includes.
// The c10d headers only declare the Gloo/NCCL groups when USE_C10D_GLOO / USE_C10D_NCCL are defined,
// which LibTorch's CMake package does not export, so they are defined here when the headers exist.
#include "hrm/train/distributed.hpp"

#include "hrm/model/torch_compat.hpp"
#include "hrm/util/error.hpp"

#if __has_include(<torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>) && __has_include(<gloo/config.h>)
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#define HRM_HAVE_GLOO 1
#endif
#if defined(HRM_WITH_CUDA_KERNELS) && \
    __has_include(<nccl.h>) && __has_include(<torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>)
#ifndef USE_C10D_NCCL
#define USE_C10D_NCCL 1
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define HRM_HAVE_NCCL 1
#endif
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

#include <cstdlib>

namespace hrm {

namespace {

int env_int(const char* name, int fallback, int min_value) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < min_value || x > 1 << 30) {
    throw Error(
        std::string("environment variable ") + name + "='" + v + "' is not an integer >= " + std::to_string(min_value),
        "hrm-launch sets RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT for each process");
  }
  return static_cast<int>(x);
}

}  // namespace

DistributedEnv DistributedEnv::from_environment() {
  DistributedEnv e;
  e.world_size = env_int("WORLD_SIZE", 1, 1);
  e.rank = env_int("RANK", 0, 0);
  e.local_rank = env_int("LOCAL_RANK", e.rank, 0);
  if (const char* a = std::getenv("MASTER_ADDR"); a != nullptr && *a != '\0') e.master_addr = a;
  e.master_port = env_int("MASTER_PORT", e.master_port, 1);
  if (e.rank >= e.world_size) {
    throw Error("RANK=" + std::to_string(e.rank) + " is not below WORLD_SIZE=" + std::to_string(e.world_size),
                "ranks are 0 .. WORLD_SIZE-1");
  }
  return e;
}

bool distributed_backend_available(const std::string& backend, std::string* why) {
  if (backend == "gloo") {
#ifdef HRM_HAVE_GLOO
    return true;
#else
    if (why)
      *why = "this hrm was built without the c10d Gloo headers (install libgloo-dev; LibTorch must be built with Gloo)";
    return false;
#endif
  }
  if (backend == "nccl") {
#ifdef HRM_HAVE_NCCL
    return true;
#else
    if (why) *why = "NCCL needs a CUDA build of hrm (CUDA LibTorch and nccl.h); this build has none";
    return false;
#endif
  }
  if (why) *why = "unknown backend '" + backend + "' (use gloo or nccl)";
  return false;
}

struct Distributed::Impl {
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<compat::DistBackend> group;
#endif
  torch::Device device = torch::kCPU;
  std::string describe;
};

Distributed::Distributed() = default;
Distributed::~Distributed() = default;

Distributed::Distributed(const DistributedEnv& env, const DistributedConfig& config, torch::Device device)
    : rank_(env.rank), world_size_(env.world_size) {
  if (world_size_ == 1) return;
  std::string backend = config.backend;
  if (backend == "auto") backend = device.is_cuda() ? "nccl" : "gloo";
  std::string why;
  if (!distributed_backend_available(backend, &why)) {
    throw Error("distributed training (WORLD_SIZE=" + std::to_string(world_size_) + ") with backend '" + backend +
                "': " + why);
  }
  backend_ = backend;
  impl_ = std::make_unique<Impl>();
  impl_->device = device;
  impl_->describe = "rank " + std::to_string(rank_) + " of " + std::to_string(world_size_) + " (" + backend + ", " +
                    env.master_addr + ":" + std::to_string(env.master_port) + ")";
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(config.timeout_s * 1000));
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(env.master_port);
    so.isServer = rank_ == 0;
    so.numWorkers = static_cast<size_t>(world_size_);
    so.waitWorkers = true;
    so.timeout = timeout;
    impl_->store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, so);
#ifdef HRM_HAVE_NCCL
    if (backend == "nccl") {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      impl_->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(impl_->store, rank_, world_size_, opts);
      return;
    }
#endif
#ifdef HRM_HAVE_GLOO
    auto opts = c10d::ProcessGroupGloo::Options::create();
    const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
    if (ifname != nullptr && *ifname != '\0') {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    } else if (env.master_addr == "127.0.0.1" || env.master_addr == "localhost") {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
    } else {
      opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    opts->timeout = timeout;
    impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, rank_, world_size_, opts);
#endif
  } catch (const c10::Error& e) {
    throw Error(impl_->describe + ": cannot form the process group: " + e.what_without_backtrace(),
                "every rank must start within distributed.timeout_s and reach MASTER_ADDR:MASTER_PORT");
  } catch (const std::exception& e) {
    throw Error(impl_->describe + ": cannot form the process group: " + e.what(),
                "every rank must start within distributed.timeout_s and reach MASTER_ADDR:MASTER_PORT");
  }
#else
  (void)timeout;
#endif
}

namespace {

template <typename Fn>
void collective(const std::string& who, const char* what, Fn&& fn) {
  const char* hint =
      "another rank probably died or stalled (see its log); collectives wait at most distributed.timeout_s";
  try {
    fn();
  } catch (const c10::Error& e) {
    throw Error(who + ": collective " + what + " failed: " + e.what_without_backtrace(), hint);
  } catch (const std::exception& e) {
    throw Error(who + ": collective " + what + " failed: " + e.what(), hint);
  }
}

}  // namespace

void Distributed::all_reduce_sum(const std::vector<torch::Tensor>& tensors, int64_t bucket_bytes) {
  if (world_size_ == 1 || tensors.empty()) return;
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
  size_t i = 0;
  while (i < tensors.size()) {
    // One bucket: consecutive tensors up to bucket_bytes (at least one tensor).
    size_t j = i;
    int64_t bytes = 0;
    std::vector<torch::Tensor> flat;
    while (j < tensors.size() && (j == i || bytes + tensors[j].numel() * tensors[j].element_size() <= bucket_bytes) &&
           tensors[j].scalar_type() == tensors[i].scalar_type()) {
      bytes += tensors[j].numel() * tensors[j].element_size();
      flat.push_back(tensors[j].reshape({-1}));
      ++j;
    }
    std::vector<torch::Tensor> bucket{torch::cat(flat)};
    all_reduced_bytes_ += bytes;
    collective(impl_->describe, "all_reduce", [&] { impl_->group->allreduce(bucket)->wait(); });
    int64_t offset = 0;
    for (size_t k = i; k < j; ++k) {
      const auto n = tensors[k].numel();
      tensors[k].copy_(bucket[0].narrow(0, offset, n).view_as(tensors[k]));
      offset += n;
    }
    i = j;
  }
#else
  (void)bucket_bytes;
#endif
}

std::vector<double> Distributed::sum(const std::vector<double>& values) {
  if (world_size_ == 1 || values.empty()) return values;
  auto t = torch::tensor(values, torch::kFloat64).to(impl_->device);
  all_reduce_sum({t}, 1 << 30);
  t = t.cpu();
  return {t.data_ptr<double>(), t.data_ptr<double>() + t.numel()};
}

double Distributed::max(double value) {
  if (world_size_ == 1) return value;
  auto t = all_gather(torch::tensor({value}, torch::kFloat64));
  return t.max().item<double>();
}

torch::Tensor Distributed::all_gather(const torch::Tensor& t) {
  if (world_size_ == 1) return t.unsqueeze(0);
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
  // Gloo has no bool or bfloat16 collectives: send those as uint8 / float32 and convert back.
  const auto original = t.scalar_type();
  const auto wire = original == torch::kBool       ? torch::kUInt8
                    : original == torch::kBFloat16 ? torch::kFloat32
                                                   : original;
  std::vector<torch::Tensor> input{t.to(impl_->device, wire).contiguous()};
  std::vector<std::vector<torch::Tensor>> output(1);
  for (int r = 0; r < world_size_; ++r) output[0].push_back(torch::empty_like(input[0]));
  collective(impl_->describe, "all_gather", [&] { impl_->group->allgather(output, input)->wait(); });
  return torch::stack(output[0]).to(t.device(), original);
#else
  return t.unsqueeze(0);
#endif
}

void Distributed::barrier() {
  if (world_size_ == 1) return;
#if defined(HRM_HAVE_GLOO) || defined(HRM_HAVE_NCCL)
  collective(impl_->describe, "barrier", [&] { impl_->group->barrier()->wait(); });
#endif
}

}  // namespace hrm
