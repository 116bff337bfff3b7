// SIGINT / SIGTERM ask a training run to stop: the handler only sets a flag; the trainer checks it
// after every step, writes a checkpoint and returns (all ranks agree on the stop first).
#pragma once

namespace hrm {

void install_stop_handlers();
// The signal that asked to stop (SIGINT, SIGTERM), or 0.
int stop_signal();
// For tests: as if `signal` had arrived.
void request_stop(int signal);

}  // namespace hrm
