// Stage kinds owned by modules above `train` (the `gspo` stage of rl/), so that a run's stage list can
// mix them with puzzle and sft stages while `train` does not depend on those modules. The owning module
// registers its kind (rl: register_trainer_extensions(), called by hrm-train's main); TrainConfig keeps
// such a stage's mapping as YAML text and the Trainer hands it back to the kind to run.
//
// An external stage starts from a text checkpoint (the previous stage's end, or the run's `init`) and
// leaves its result in <out_dir>/final; the Trainer loads those weights and goes on with the next stage.
// It runs in one process and is not resumable inside: a resume restarts it from its start checkpoint.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace hrm {

struct ExternalStageKind {
  // Checks the stage's mapping (YAML text; `source` and `prefix` name it in errors, relative paths are
  // relative to `source`). Returns the mapping with paths made absolute and the stage's step count.
  std::function<std::pair<std::string, int64_t>(const std::string& yaml, const std::string& source,
                                                const std::string& prefix)>
      validate;
  // Runs the (validated) stage from `start_checkpoint`, writing <out_dir>/final and its own logs.
  std::function<void(const std::string& yaml, const std::string& start_checkpoint, const std::string& out_dir,
                     int threads)>
      run;
};

// Adds (or replaces) a stage kind. Not for "puzzle" or "sft".
void register_stage_kind(const std::string& kind, ExternalStageKind runner);
// nullptr when no module registered `kind`.
const ExternalStageKind* find_stage_kind(const std::string& kind);
std::vector<std::string> registered_stage_kinds();

}  // namespace hrm
