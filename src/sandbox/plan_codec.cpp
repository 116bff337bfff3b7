// ChildPlan <-> bytes (see plan_codec.hpp). Little framing: u32/u64 in native order (the same machine
// writes and reads), strings as length + bytes, a magic with a version first.
#include "plan_codec.hpp"

#include <cstring>

namespace hrm::sandbox::detail {
namespace {

constexpr char kMagic[8] = {'H', 'R', 'M', 'S', 'B', 'P', '0', '2'};

struct Writer {
  std::string out;
  void u32(uint32_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void u64(uint64_t v) { out.append(reinterpret_cast<const char*>(&v), sizeof(v)); }
  void str(const char* s) {
    u32(s ? 1 : 0);
    if (!s) return;
    uint32_t n = static_cast<uint32_t>(strlen(s));
    u32(n);
    out.append(s, n);
  }
};

struct Reader {
  const std::string& in;
  size_t at = 0;
  bool ok = true;
  uint32_t u32() {
    uint32_t v = 0;
    if (at + sizeof(v) > in.size()) return ok = false, 0;
    memcpy(&v, in.data() + at, sizeof(v));
    at += sizeof(v);
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    if (at + sizeof(v) > in.size()) return ok = false, 0;
    memcpy(&v, in.data() + at, sizeof(v));
    at += sizeof(v);
    return v;
  }
  // Null for an absent string; the text lives in `keep`.
  const char* str(std::vector<std::unique_ptr<std::string>>& keep) {
    if (!u32()) return nullptr;
    uint32_t n = u32();
    if (!ok || at + n > in.size()) return ok = false, nullptr;
    keep.push_back(std::make_unique<std::string>(in.substr(at, n)));
    at += n;
    return keep.back()->c_str();
  }
};

}  // namespace

std::string encode_plan(const ChildPlan& p) {
  Writer w;
  w.out.append(kMagic, sizeof(kMagic));
  w.u64(p.unshare_flags);
  w.u32(p.mount_ns);
  w.u32(p.uts_ns);
  w.u32(p.pid_ns);
  w.u32(p.drop_to_uid);
  w.u32(p.uid);
  w.u32(p.gid);
  w.str(p.staging_dir);
  w.str(p.root_tmpfs_options);
  w.u32(static_cast<uint32_t>(p.num_ops));
  for (int i = 0; i < p.num_ops; ++i) {
    w.u32(p.ops[i].kind);
    w.u32(p.ops[i].optional);
    w.str(p.ops[i].source);
    w.str(p.ops[i].target);
  }
  w.str(p.work_dir);
  w.u32(static_cast<uint32_t>(p.num_rlimits));
  for (int i = 0; i < p.num_rlimits; ++i) {
    w.u32(static_cast<uint32_t>(p.rlimits[i].resource));
    w.u64(p.rlimits[i].value.rlim_cur);
    w.u64(p.rlimits[i].value.rlim_max);
  }
  w.u32(p.seccomp ? p.seccomp->len : 0);
  if (p.seccomp) w.out.append(reinterpret_cast<const char*>(p.seccomp->filter), p.seccomp->len * sizeof(sock_filter));
  w.str(p.exe);
  uint32_t argc = 0, envc = 0;
  while (p.argv[argc]) ++argc;
  while (p.envp[envc]) ++envc;
  w.u32(argc);
  for (uint32_t i = 0; i < argc; ++i) w.str(p.argv[i]);
  w.u32(envc);
  for (uint32_t i = 0; i < envc; ++i) w.str(p.envp[i]);
  return w.out;
}

bool decode_plan(const std::string& bytes, DecodedPlan* out) {
  if (bytes.size() < sizeof(kMagic) || memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) return false;
  Reader r{bytes, sizeof(kMagic)};
  ChildPlan& p = out->plan;
  p.stdin_read = kInitStdin;
  p.stdout_write = kInitStdout;
  p.stderr_write = kInitStderr;
  p.status_write = kInitStatus;
  p.sync_read = kInitSync;
  p.unshare_flags = r.u64();
  p.mount_ns = r.u32();
  p.uts_ns = r.u32();
  p.pid_ns = r.u32();
  p.drop_to_uid = r.u32();
  p.uid = r.u32();
  p.gid = r.u32();
  p.staging_dir = r.str(out->strings);
  p.root_tmpfs_options = r.str(out->strings);
  uint32_t num_ops = r.u32();
  if (!r.ok || num_ops > 100000) return false;
  out->ops.resize(num_ops);
  for (auto& op : out->ops) {
    op.kind = static_cast<MountOp::Kind>(r.u32());
    op.optional = r.u32();
    op.source = r.str(out->strings);
    op.target = r.str(out->strings);
  }
  p.ops = out->ops.data();
  p.num_ops = static_cast<int>(num_ops);
  p.work_dir = r.str(out->strings);
  uint32_t num_rlimits = r.u32();
  if (!r.ok || num_rlimits > 64) return false;
  out->rlimits.resize(num_rlimits);
  for (auto& rl : out->rlimits) {
    rl.resource = static_cast<int>(r.u32());
    rl.value.rlim_cur = r.u64();
    rl.value.rlim_max = r.u64();
  }
  p.rlimits = out->rlimits.data();
  p.num_rlimits = static_cast<int>(num_rlimits);
  uint32_t filter_len = r.u32();
  if (!r.ok || filter_len > 65535 || r.at + filter_len * sizeof(sock_filter) > bytes.size()) return false;
  if (filter_len) {
    out->filter.resize(filter_len);
    memcpy(out->filter.data(), bytes.data() + r.at, filter_len * sizeof(sock_filter));
    r.at += filter_len * sizeof(sock_filter);
    out->fprog.len = static_cast<unsigned short>(filter_len);
    out->fprog.filter = out->filter.data();
    p.seccomp = &out->fprog;
  }
  p.exe = r.str(out->strings);
  uint32_t argc = r.u32();
  if (!r.ok || argc > 1000000) return false;
  for (uint32_t i = 0; i < argc; ++i) out->argv.push_back(const_cast<char*>(r.str(out->strings)));
  out->argv.push_back(nullptr);
  uint32_t envc = r.u32();
  if (!r.ok || envc > 1000000) return false;
  for (uint32_t i = 0; i < envc; ++i) out->envp.push_back(const_cast<char*>(r.str(out->strings)));
  out->envp.push_back(nullptr);
  p.argv = out->argv.data();
  p.envp = out->envp.data();
  return r.ok && p.exe && p.work_dir && r.at == bytes.size();
}

}  // namespace hrm::sandbox::detail
