// The `backend` module: model backends of hrm::eval (include/hrm/eval/model_backend.hpp) that run a
// model of this project in-process. It sits above both `eval` (the interface) and `infer` (the model),
// so neither depends on the other and hrm-generate links no benchmark, sandbox or HTTP code.
//
// Exports register_local_backends(): every scheme of this module, for binaries that accept any of them
// (hrm-eval). Each backend also has its own header (hrm_backend.hpp: `hrm:<checkpoint>`).
#pragma once

namespace hrm::backend {

// Adds every local-model scheme of this module to hrm::eval::make_backend (idempotent).
void register_local_backends();

}  // namespace hrm::backend
