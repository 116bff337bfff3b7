#include "hrm/train/external_stage.hpp"

#include <map>
#include <mutex>

#include "hrm/util/error.hpp"

namespace hrm {
namespace {

std::mutex& registry_mutex() {
  static std::mutex m;
  return m;
}

std::map<std::string, ExternalStageKind>& registry() {
  static std::map<std::string, ExternalStageKind> kinds;
  return kinds;
}

}  // namespace

void register_stage_kind(const std::string& kind, ExternalStageKind runner) {
  HRM_CHECK(kind != "puzzle" && kind != "sft", "stage kind '" + kind + "' is built into the trainer");
  std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[kind] = std::move(runner);
}

const ExternalStageKind* find_stage_kind(const std::string& kind) {
  std::lock_guard<std::mutex> lock(registry_mutex());
  const auto it = registry().find(kind);
  return it == registry().end() ? nullptr : &it->second;
}

std::vector<std::string> registered_stage_kinds() {
  std::lock_guard<std::mutex> lock(registry_mutex());
  std::vector<std::string> out;
  for (const auto& [k, v] : registry()) out.push_back(k);
  return out;
}

}  // namespace hrm
