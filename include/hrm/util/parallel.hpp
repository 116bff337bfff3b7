// The one way hrm spreads work over threads: resolve_jobs() turns a --jobs value into a thread count,
// parallel_for() runs a function over [0, n) on that many threads with one error policy.
//
// Exports: resolve_jobs(), parallel_for().
#pragma once
#include <cstddef>
#include <functional>

namespace hrm {

// `jobs` when positive, else the number of cores (at least 1): what every --jobs 0 means.
int resolve_jobs(int jobs);

// Runs fn(i) once for every i in [0, n), handing out indices in increasing order to
// min(resolve_jobs(jobs), n) threads (the calling thread is one of them, so jobs = 1 runs inline).
// The first exception thrown by fn stops the loop: no further index starts, the calls already running
// finish, and once every thread has joined that exception is rethrown to the caller (never
// std::terminate). fn must be safe to call from several threads at once.
void parallel_for(int jobs, size_t n, const std::function<void(size_t)>& fn);

}  // namespace hrm
