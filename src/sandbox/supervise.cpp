// The parent's side of a running sandbox (see supervise.hpp): one poll loop, because stdin, two output
// streams and the status pipe must all move at once or the program blocks on a full pipe.
#include "supervise.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "child.hpp"
#include "slots.hpp"

namespace hrm::sandbox::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Collects one output stream up to the cap; the rest is read and dropped.
struct Capture {
  std::string* data;
  bool* truncated;
  int64_t cap;
  bool eof = false;
  bool read_from(int fd) {  // false on EOF
    char buf[65536];
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    int64_t room = cap - static_cast<int64_t>(data->size());
    if (room > 0) data->append(buf, static_cast<size_t>(std::min<int64_t>(room, n)));
    if (n > room) *truncated = true;
    return true;
  }
};

}  // namespace

Watched supervise(const Mode& mode, const RunRequest& request, RunPipes& pipes, pid_t pid, RunCgroup* cgroup,
                  bool cg_cpu, bool drop_uid, uid_t uid, Clock::time_point start, RunResult* result) {
  Pipe &in = pipes.in, &out = pipes.out, &err = pipes.err, &status = pipes.status;
  const Limits& lim = request.limits;
  fcntl(in.write, F_SETFL, O_NONBLOCK);
  fcntl(out.read, F_SETFL, O_NONBLOCK);
  fcntl(err.read, F_SETFL, O_NONBLOCK);
  fcntl(status.read, F_SETFL, O_NONBLOCK);
  size_t stdin_written = 0;
  if (request.stdin_data.empty()) in.close_write();
  Capture cap_out{&result->stdout_data, &result->stdout_truncated, lim.max_output_bytes};
  Capture cap_err{&result->stderr_data, &result->stderr_truncated, lim.max_output_bytes};
  Watched watched;
  std::string& messages = watched.messages;
  Kill& killed = watched.killed;
  bool status_eof = false;
  auto kill_tree = [&](Kill why) {
    if (killed == Kill::kNone) killed = why;
    if (!mode.namespaces && drop_uid) kill_uid(uid);  // the program's tree first: it may not reparent
    if (cgroup) cgroup->kill_all();
    kill(pid, SIGKILL);  // the PID namespace's init: the kernel kills every process in it
  };
  const Clock::time_point wall_deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(lim.wall_seconds));
  Clock::time_point drain_deadline = Clock::time_point::max();
  while (!(status_eof && cap_out.eof && cap_err.eof)) {
    auto now = Clock::now();
    if (killed == Kill::kNone && now >= wall_deadline) kill_tree(Kill::kWall);
    if (killed == Kill::kNone && cg_cpu && cgroup->cpu_seconds() >= lim.cpu_seconds) kill_tree(Kill::kCpu);
    if (status_eof && now >= drain_deadline) {
      // The init is gone but something still holds the output pipes open (no PID namespace).
      if (cgroup) cgroup->kill_all();
      if (drop_uid) kill_uid(uid);
      if (now >= drain_deadline + std::chrono::seconds(1)) break;
    }
    pollfd fds[4];
    int n = 0;
    int i_status = -1, i_out = -1, i_err = -1, i_in = -1;
    if (!status_eof) fds[i_status = n++] = {status.read, POLLIN, 0};
    if (!cap_out.eof) fds[i_out = n++] = {out.read, POLLIN, 0};
    if (!cap_err.eof) fds[i_err = n++] = {err.read, POLLIN, 0};
    if (in.write >= 0) fds[i_in = n++] = {in.write, POLLOUT, 0};
    auto until = std::min(wall_deadline, drain_deadline);
    if (killed != Kill::kNone) until = now + std::chrono::milliseconds(50);
    double wait_ms = std::chrono::duration<double, std::milli>(until - now).count();
    if (cg_cpu) wait_ms = std::min(wait_ms, 50.0);  // the tree's CPU time is polled
    int timeout = static_cast<int>(std::clamp(wait_ms, 0.0, 1000.0)) + (wait_ms > 0 ? 1 : 0);
    if (poll(fds, n, timeout) < 0 && errno != EINTR) break;
    if (i_out >= 0 && fds[i_out].revents) cap_out.eof = !cap_out.read_from(out.read);
    if (i_err >= 0 && fds[i_err].revents) cap_err.eof = !cap_err.read_from(err.read);
    if ((result->stdout_truncated || result->stderr_truncated) && killed == Kill::kNone) kill_tree(Kill::kOutput);
    if (i_status >= 0 && fds[i_status].revents) {
      char buf[sizeof(StatusMessage) * 4];
      ssize_t r = read(status.read, buf, sizeof(buf));
      if (r > 0) messages.append(buf, r);
      if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
        status_eof = true;
        drain_deadline = Clock::now() + std::chrono::milliseconds(mode.namespaces ? 2000 : 200);
      }
    }
    if (i_in >= 0 && fds[i_in].revents) {
      if (fds[i_in].revents & (POLLERR | POLLHUP)) {
        in.close_write();
      } else {
        ssize_t w =
            write(in.write, request.stdin_data.data() + stdin_written, request.stdin_data.size() - stdin_written);
        if (w > 0) stdin_written += w;
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || stdin_written == request.stdin_data.size())
          in.close_write();
      }
    }
  }
  return watched;
}

}  // namespace hrm::sandbox::detail
