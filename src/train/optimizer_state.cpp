#include "hrm/train/optimizer_state.hpp"

#include "hrm/model/adam_atan2.hpp"
#include "hrm/model/torch_compat.hpp"
#include "hrm/util/error.hpp"

namespace hrm {
namespace {

// Both optimizers keep (step, exp_avg, exp_avg_sq) per parameter; visit them uniformly.
template <typename Fn>
void for_each_adam_state(torch::optim::Optimizer& opt, torch::nn::Module& model, bool create, Fn&& fn) {
  const bool atan2 = dynamic_cast<AdamATan2*>(&opt) != nullptr;
  HRM_CHECK(atan2 || dynamic_cast<torch::optim::AdamW*>(&opt) != nullptr,
            "optimizer state: unsupported optimizer type");
  auto& state = opt.state();
  for (const auto& p : model.named_parameters()) {
    const auto key = compat::optimizer_state_key(state, p.value());
    auto it = state.find(key);
    if (it == state.end()) {
      if (!create) continue;
      if (atan2) {
        auto s = std::make_unique<AdamATan2ParamState>();
        s->exp_avg(torch::zeros_like(p.value())).exp_avg_sq(torch::zeros_like(p.value()));
        it = state.emplace(key, std::move(s)).first;
      } else {
        auto s = std::make_unique<torch::optim::AdamWParamState>();
        s->exp_avg(torch::zeros_like(p.value())).exp_avg_sq(torch::zeros_like(p.value()));
        it = state.emplace(key, std::move(s)).first;
      }
    }
    if (atan2) {
      auto& s = static_cast<AdamATan2ParamState&>(*it->second);
      int64_t step = s.step();
      fn(p.key(), step, s.exp_avg(), s.exp_avg_sq());
      s.step(step);
    } else {
      auto& s = static_cast<torch::optim::AdamWParamState&>(*it->second);
      int64_t step = s.step();
      fn(p.key(), step, s.exp_avg(), s.exp_avg_sq());
      s.step(step);
    }
  }
}

}  // namespace

TensorMap optimizer_state_tensors(torch::optim::Optimizer& optimizer, torch::nn::Module& model,
                                  const std::string& prefix) {
  TensorMap out;
  for_each_adam_state(optimizer, model, false,
                      [&](const std::string& name, int64_t& step, torch::Tensor& m, torch::Tensor& v) {
                        out[prefix + name + ".step"] = torch::tensor(step, torch::kLong);
                        out[prefix + name + ".exp_avg"] = m.detach().to(torch::kCPU);
                        out[prefix + name + ".exp_avg_sq"] = v.detach().to(torch::kCPU);
                      });
  return out;
}

void load_optimizer_state(torch::optim::Optimizer& optimizer, torch::nn::Module& model, const TensorMap& tensors,
                          const std::string& prefix, const std::string& source) {
  torch::NoGradGuard no_grad;
  for_each_adam_state(optimizer, model, true,
                      [&](const std::string& name, int64_t& step, torch::Tensor& m, torch::Tensor& v) {
                        const auto get = [&](const std::string& suffix) {
                          const auto it = tensors.find(prefix + name + suffix);
                          if (it == tensors.end())
                            throw Error(source + ": missing optimizer tensor '" + prefix + name + suffix + "'");
                          return it->second;
                        };
                        step = get(".step").item<int64_t>();
                        m.copy_(get(".exp_avg"));
                        v.copy_(get(".exp_avg_sq"));
                      });
}

}  // namespace hrm
