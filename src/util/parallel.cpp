// parallel_for: a shared counter hands out indices; the first failure is kept and stops the counter.
#include "hrm/util/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace hrm {

int resolve_jobs(int jobs) {
  return jobs > 0 ? jobs : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

namespace {

// What the threads of one parallel_for share.
class Loop {
 public:
  Loop(size_t n, const std::function<void(size_t)>& fn) : n_(n), fn_(fn) {}

  void work() {
    while (!failed_.load()) {
      const size_t i = next_++;
      if (i >= n_) return;
      try {
        fn_(i);
      } catch (...) {
        fail(std::current_exception());
      }
    }
  }

  void fail(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!first_error_) first_error_ = std::move(error);
    failed_ = true;
  }

  void rethrow_first_error() {
    if (first_error_) std::rethrow_exception(first_error_);
  }

 private:
  const size_t n_;
  const std::function<void(size_t)>& fn_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> failed_{false};
  std::mutex mutex_;
  std::exception_ptr first_error_;
};

}  // namespace

void parallel_for(int jobs, size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  const size_t threads = std::min(static_cast<size_t>(resolve_jobs(jobs)), n);
  Loop loop(n, fn);
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  try {
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back([&loop] { loop.work(); });
  } catch (...) {
    loop.fail(std::current_exception());  // no thread to be had: the ones started stop early
  }
  loop.work();
  for (auto& t : helpers) t.join();
  loop.rethrow_first_error();
}

}  // namespace hrm
