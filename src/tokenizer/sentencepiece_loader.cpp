// Finds and opens libhrm_sentencepiece.so (see sentencepiece_api.hpp): next to the library or program
// that holds this code, in ../lib of it (build tree: bin/ and tests/ beside lib/), or in the install
// prefix; $HRM_SENTENCEPIECE_LIB overrides.
#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "hrm/util/error.hpp"
#include "sentencepiece_api.hpp"

namespace hrm::spm {

namespace {

namespace fs = std::filesystem;
constexpr const char* kLibName = "libhrm_sentencepiece.so";

std::vector<fs::path> candidates() {
  std::vector<fs::path> out;
  if (const char* env = std::getenv("HRM_SENTENCEPIECE_LIB"); env && *env) out.emplace_back(env);
  std::vector<fs::path> homes;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&api), &info) && info.dli_fname && *info.dli_fname)
    homes.emplace_back(info.dli_fname);
  homes.emplace_back("/proc/self/exe");
  for (const auto& home : homes) {
    std::error_code ec;
    const fs::path dir = fs::canonical(home, ec).parent_path();
    if (ec) continue;
    out.push_back(dir / kLibName);
    out.push_back(dir.parent_path() / "lib" / kLibName);
  }
  out.emplace_back(HRM_SENTENCEPIECE_INSTALL_PATH);
  return out;
}

const Api* open_api() {
  std::string tried;
  for (const auto& path : candidates()) {
    std::error_code ec;
    if (!fs::exists(path, ec)) continue;
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (!handle) {
      tried += "\n  " + path.string() + ": " + dlerror();
      continue;
    }
    using Entry = const Api* (*)();
    auto entry = reinterpret_cast<Entry>(dlsym(handle, "hrm_sentencepiece_api"));
    const Api* a = entry ? entry() : nullptr;
    if (a && a->version == kApiVersion) return a;
    tried += "\n  " + path.string() + ": not a matching hrm SentencePiece shim";
    dlclose(handle);
  }
  throw Error(std::string("cannot load ") + kLibName + " (SentencePiece for hrm's tokenizer)" +
                  (tried.empty() ? ": not found next to the program, in ../lib, or in " HRM_SENTENCEPIECE_INSTALL_PATH
                                 : ":" + tried),
              "build or install hrm completely (the shim is built with libhrm), or set HRM_SENTENCEPIECE_LIB");
}

}  // namespace

const Api& api() {
  static std::once_flag once;
  static const Api* loaded = nullptr;
  std::call_once(once, [] { loaded = open_api(); });
  return *loaded;
}

}  // namespace hrm::spm
