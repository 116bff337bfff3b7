#include "hrm/model/init.hpp"

#include <cmath>

namespace hrm {

void trunc_normal_(torch::Tensor& t, double std, double lower, double upper) {
  torch::NoGradGuard no_grad;
  if (std == 0.0) {
    t.zero_();
    return;
  }
  const double sqrt2 = std::sqrt(2.0);
  const double a = std::erf(lower / sqrt2), b = std::erf(upper / sqrt2);
  const double z = (b - a) / 2.0;
  const double c = 1.0 / std::sqrt(2.0 * M_PI);
  const double pdf_u = c * std::exp(-0.5 * lower * lower);
  const double pdf_l = c * std::exp(-0.5 * upper * upper);
  const double comp_std =
      std / std::sqrt(1.0 - (upper * pdf_u - lower * pdf_l) / z - std::pow((pdf_u - pdf_l) / z, 2.0));
  t.uniform_(a, b);
  t.erfinv_();
  t.mul_(sqrt2 * comp_std);
  t.clamp_(lower * comp_std, upper * comp_std);
}

}  // namespace hrm
