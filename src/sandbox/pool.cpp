// hrm::sandbox::Pool: worker threads, each running one sandbox at a time.
#include <condition_variable>
#include <deque>
#include <thread>

#include "hrm/sandbox/sandbox.hpp"

namespace hrm::sandbox {

struct Pool::Impl {
  std::mutex mutex;
  std::condition_variable cv;
  std::deque<std::packaged_task<RunResult()>> queue;
  bool stopping = false;
  std::vector<std::thread> workers;

  void work() {
    for (;;) {
      std::packaged_task<RunResult()> task;
      {
        std::unique_lock<std::mutex> lock(mutex);
        cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and nothing left
        task = std::move(queue.front());
        queue.pop_front();
      }
      task();
    }
  }
};

Pool::Pool(int jobs) : impl_(std::make_unique<Impl>()) {
  if (jobs <= 0) jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  for (int i = 0; i < jobs; ++i) impl_->workers.emplace_back([this] { impl_->work(); });
}

Pool::~Pool() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->stopping = true;
  }
  impl_->cv.notify_all();
  for (auto& t : impl_->workers) t.join();
}

std::future<RunResult> Pool::submit(RunRequest request) {
  std::packaged_task<RunResult()> task([request = std::move(request)] { return run(request); });
  auto future = task.get_future();
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->queue.push_back(std::move(task));
  }
  impl_->cv.notify_one();
  return future;
}

int Pool::jobs() const { return static_cast<int>(impl_->workers.size()); }

}  // namespace hrm::sandbox
