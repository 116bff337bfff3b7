#include "hrm/train/sampler.hpp"

#include "hrm/data/build.hpp"
#include "hrm/util/error.hpp"

namespace hrm {

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9E3779B97F4A7C15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void MixtureSampler::Source::shuffle() {
  order = shuffled_indices(static_cast<size_t>(size), mix_seed(seed, static_cast<uint64_t>(epoch)));
}

MixtureSampler::MixtureSampler(std::vector<int64_t> sizes, std::vector<double> weights, uint64_t seed) : seed_(seed) {
  HRM_CHECK(!sizes.empty() && sizes.size() == weights.size(), "MixtureSampler: one weight per source is needed");
  double total = 0;
  for (double w : weights) total += w;
  double acc = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    HRM_CHECK(sizes[i] >= 1, "MixtureSampler: source " + std::to_string(i) + " has no examples");
    Source s;
    s.size = sizes[i];
    s.seed = mix_seed(seed, 1000 + i);
    s.shuffle();
    sources_.push_back(std::move(s));
    acc += weights[i] / total;
    cumulative_.push_back(acc);
  }
  cumulative_.back() = 1.0;
}

int MixtureSampler::pick_source(uint64_t draw) const {
  if (sources_.size() == 1) return 0;
  const double u = static_cast<double>(mix_seed(seed_, draw) >> 11) * 0x1.0p-53;  // [0, 1)
  for (size_t i = 0; i < cumulative_.size(); ++i) {
    if (u < cumulative_[i]) return static_cast<int>(i);
  }
  return static_cast<int>(cumulative_.size() - 1);
}

std::vector<SampleRef> MixtureSampler::next(int64_t count) {
  std::vector<SampleRef> out;
  out.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    const int s = pick_source(static_cast<uint64_t>(drawn_++));
    auto& src = sources_[static_cast<size_t>(s)];
    if (src.position == src.size) {
      ++src.epoch;
      src.position = 0;
      src.shuffle();
    }
    out.push_back({s, static_cast<int64_t>(src.order[static_cast<size_t>(src.position++)])});
  }
  return out;
}

nlohmann::json MixtureSampler::state() const {
  nlohmann::json s = {{"drawn", drawn_}, {"sources", nlohmann::json::array()}};
  for (const auto& src : sources_)
    s["sources"].push_back({{"epoch", src.epoch}, {"position", src.position}, {"size", src.size}});
  return s;
}

void MixtureSampler::restore(const nlohmann::json& state, const std::string& where) {
  try {
    const auto& list = state.at("sources");
    if (list.size() != sources_.size()) {
      throw Error(where + ": the data sampler state has " + std::to_string(list.size()) + " sources, the stage has " +
                      std::to_string(sources_.size()),
                  "resume with the config the checkpoint was written with");
    }
    for (size_t i = 0; i < sources_.size(); ++i) {
      auto& src = sources_[i];
      if (list[i].at("size").get<int64_t>() != src.size) {
        throw Error(where + ": data source " + std::to_string(i) + " had " +
                        std::to_string(list[i].at("size").get<int64_t>()) +
                        " examples when the checkpoint was written and has " + std::to_string(src.size) + " now",
                    "the training data changed; resume with the same shard sets");
      }
      src.epoch = list[i].at("epoch").get<int64_t>();
      src.position = list[i].at("position").get<int64_t>();
      src.shuffle();
    }
    drawn_ = state.at("drawn").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(where + ": malformed data sampler state: " + e.what());
  }
}

}  // namespace hrm
