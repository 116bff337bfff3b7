#include "hrm/backend/local_backends.hpp"

#include "hrm/backend/hrm_backend.hpp"

namespace hrm::backend {

void register_local_backends() { register_hrm_backend(); }

}  // namespace hrm::backend
