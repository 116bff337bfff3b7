// EmaWeights — an exponential moving average of a module's parameters (HRM-Text evaluates the EMA;
// it matters a lot there). swap() exchanges live and averaged weights, for evaluation and back.
#pragma once
#include <torch/torch.h>

namespace hrm {

class EmaWeights {
 public:
  EmaWeights(torch::nn::Module& module, double decay);
  void update();
  void swap();
  const std::vector<torch::Tensor>& shadow() const { return shadow_; }
  std::vector<torch::Tensor>& shadow() { return shadow_; }

 private:
  std::vector<torch::Tensor> params_, shadow_;
  double decay_;
};

}  // namespace hrm
