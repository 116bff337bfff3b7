// Per-language test recipes for the Polyglot benchmark, offline, in the sandbox. The recipes and the
// packages behind them are described in docs/polyglot.md; tools/setup-toolchains.sh installs them.
#include "hrm/eval/polyglot_languages.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <regex>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval {

namespace fs = std::filesystem;

namespace {

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

// First line of a trusted host command's stdout+stderr ("" when it fails).
std::string host_first_line(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen((command + " 2>&1").c_str(), "r"), pclose);
  if (!pipe) return "";
  std::array<char, 512> buf{};
  std::string out;
  while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  const int status = pclose(pipe.release());
  if (status != 0) return "";
  const auto nl = out.find('\n');
  return nl == std::string::npos ? out : out.substr(0, nl);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void rewrite(const fs::path& path, const std::function<std::string(const std::string&)>& fn) {
  if (!fs::exists(path)) return;
  const std::string before = read_file(path);
  const std::string after = fn(before);
  if (after != before) write_file_atomic(path, after);
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

const char* const kCargoConfig =
    "[source.crates-io]\nreplace-with = \"debian\"\n\n[source.debian]\ndirectory = \"/usr/share/cargo/registry\"\n\n"
    "[net]\noffline = true\n";

}  // namespace

std::map<std::string, std::string> base_env() {
  return {{"PATH", "/usr/local/bin:/usr/bin:/bin"},
          {"HOME", "/tmp"},
          {"TMPDIR", "/tmp"},
          {"LANG", "C.UTF-8"},
          {"LC_ALL", "C.UTF-8"},
          {"TERM", "dumb"},
          {"NO_COLOR", "1"}};
}

Toolchains probe_toolchains(const std::vector<std::string>& languages) {
  Toolchains t;
  t.go_root = env_or("HRM_GO_ROOT", t.go_root);
  t.js_dir = env_or("HRM_JS_DIR", t.js_dir);
  t.cargo_home = env_or("HRM_CARGO_HOME", t.cargo_home);
  t.java_jars = env_or("HRM_JAVA_JARS", t.java_jars);
  t.python = env_or("HRM_PYTHON", t.python);
  auto want = [&](const std::string& l) {
    return languages.empty() || std::find(languages.begin(), languages.end(), l) != languages.end();
  };
  auto record = [&](const std::string& lang, const std::string& version, const std::string& missing) {
    if (version.empty()) {
      spdlog::warn("polyglot: {} toolchain missing ({}); run tools/setup-toolchains.sh", lang, missing);
      t.versions[lang] = "missing: " + missing;
    } else {
      t.versions[lang] = version;
    }
  };
  if (want("cpp")) record("cpp", host_first_line("g++ --version"), "g++");
  if (want("go")) record("go", host_first_line(shell_quote(t.go_root + "/bin/go") + " version"), t.go_root + "/bin/go");
  if (want("java")) {
    const bool jars = fs::exists(t.java_jars + "/junit-platform-console-standalone.jar") &&
                      fs::exists(t.java_jars + "/assertj-core.jar");
    record("java", jars ? host_first_line("javac -version") : "", "javac + junit5 + libassertj-core-java");
  }
  if (want("javascript")) {
    try {
      t.node = sandbox::resolve_program("node");
    } catch (const Error&) {
      t.node.clear();
    }
    const bool jest = fs::exists(t.js_dir + "/node_modules/jest/bin/jest.js");
    const std::string v = t.node.empty() || !jest ? "" : host_first_line(shell_quote(t.node) + " --version");
    record("javascript", v.empty() ? "" : "node " + v + ", jest from " + t.js_dir, "node + npm install in " + t.js_dir);
  }
  if (want("python"))
    record("python", host_first_line(shell_quote(t.python) + " -m pytest --version"), "python3-pytest");
  if (want("rust")) {
    t.rust_bin_dir = env_or("HRM_RUST_BIN_DIR", "");
    if (t.rust_bin_dir.empty()) {
      // rustup's cargo/rustc are proxies that re-resolve the toolchain on every call: use the real ones.
      const std::string sysroot =
          host_first_line("PATH=\"$PATH:$HOME/.cargo/bin:/root/.cargo/bin:/usr/bin\" rustc --print sysroot");
      if (!sysroot.empty() && fs::exists(sysroot + "/bin/cargo")) t.rust_bin_dir = sysroot + "/bin";
    }
    const std::string v =
        t.rust_bin_dir.empty() ? "" : host_first_line(shell_quote(t.rust_bin_dir + "/cargo") + " --version");
    record("rust", v, "cargo/rustc");
  }
  return t;
}

Caches make_caches(const fs::path& cache_dir) {
  Caches c{cache_dir / "ccache", cache_dir / "go-build", cache_dir / "jest"};
  const auto rw = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::group_write |
                  fs::perms::others_read | fs::perms::others_write;
  for (const auto& d : {c.ccache, c.go_build, c.jest}) {
    fs::create_directories(d);
    // No sticky bit: a run must be able to replace an entry another run's uid wrote. Entries left with
    // a narrower mode (an older hrm, another umask) would lock later runs out: repair them.
    fs::permissions(d, fs::perms::all);
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(d, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      const auto st = it->symlink_status(ec);
      if (ec || fs::is_symlink(st)) continue;
      const auto want = fs::is_directory(st) ? fs::perms::all : st.permissions() | rw;
      if (st.permissions() != want) fs::permissions(it->path(), want, ec);
    }
  }
  return c;
}

fs::path default_cache_dir() {
  if (const char* d = std::getenv("HRM_CACHE_DIR"); d && *d) return fs::path(d) / "polyglot";
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return fs::path(d) / "hrm" / "polyglot";
  if (const char* d = std::getenv("HOME"); d && *d) return fs::path(d) / ".cache" / "hrm" / "polyglot";
  return fs::temp_directory_path() / "hrm-polyglot-cache";
}

void prepare_tests(const Exercise& ex, const fs::path& work_dir, const Toolchains& tools) {
  if (ex.language == "javascript") {
    static const std::regex skipped(R"(\b(?:x(test|it|describe)|(test|it|describe)\.skip)\s*\()");
    for (const auto& f : ex.test_files) {
      if (!ends_with(f, ".js")) continue;
      rewrite(work_dir / f, [](const std::string& s) { return std::regex_replace(s, skipped, "$1$2("); });
    }
    const fs::path link = work_dir / "node_modules";
    if (!fs::exists(fs::symlink_status(link))) fs::create_directory_symlink(tools.js_dir + "/node_modules", link);
  } else if (ex.language == "java") {
    static const std::regex disabled(R"(@Disabled\b(\s*\([^)]*\))?)");
    for (const auto& f : ex.test_files) {
      if (!ends_with(f, ".java")) continue;
      rewrite(work_dir / f, [](const std::string& s) { return std::regex_replace(s, disabled, ""); });
    }
  } else if (ex.language == "rust") {
    fs::create_directories(work_dir / ".cargo");
    const fs::path shared = fs::path(tools.cargo_home) / "config.toml";
    write_file_atomic(work_dir / ".cargo" / "config.toml", fs::exists(shared) ? read_file(shared) : kCargoConfig);
  }
}

sandbox::RunRequest test_request(const Exercise& ex, const fs::path& work_dir, const Toolchains& tools,
                                 const Caches& caches, double timeout_seconds) {
  sandbox::RunRequest r;
  r.work_dir = work_dir;
  r.env = base_env();
  r.env["PWD"] = work_dir.string();
  r.limits.wall_seconds = timeout_seconds;
  r.limits.cpu_seconds = timeout_seconds * 4;
  r.limits.memory_bytes = 4LL << 30;
  r.limits.max_processes = 512;
  r.limits.max_file_bytes = 1LL << 30;
  r.limits.max_open_files = 4096;
  r.limits.max_output_bytes = 1 << 20;
  std::string script;
  const std::string& l = ex.language;
  if (l == "cpp") {
    if (caches.shared()) r.extra_writable.push_back(caches.ccache);
    r.env["CCACHE_DIR"] = caches.shared() ? caches.ccache.string() : "/tmp/ccache";
    r.env["CCACHE_BASEDIR"] = work_dir.string();
    r.env["CCACHE_NOHASHDIR"] = "1";
    r.env["CCACHE_UMASK"] = "000";
    // The tests run inside `make` (CMakeLists adds a target that runs the test binary).
    script =
        "mkdir -p build && cd build && "
        "cmake -DEXERCISM_RUN_ALL_TESTS=1 -DCMAKE_CXX_COMPILER_LAUNCHER=ccache .. >cmake.log 2>&1 "
        "|| { cat cmake.log; exit 1; }; make 2>&1";
  } else if (l == "go") {
    if (caches.shared()) r.extra_writable.push_back(caches.go_build);
    r.env["PATH"] = tools.go_root + "/bin:" + r.env["PATH"];
    r.env["GOROOT"] = tools.go_root;
    r.env["GOCACHE"] = caches.shared() ? caches.go_build.string() : "/tmp/go-build";
    r.env["GOPATH"] = "/tmp/gopath";
    r.env["GOPROXY"] = "off";
    r.env["GOSUMDB"] = "off";
    r.env["GOTOOLCHAIN"] = "local";
    r.env["GOFLAGS"] = "-mod=mod";
    r.env["CGO_ENABLED"] = "0";
    // No module index in the shared GOCACHE: a std-library index written by one run was seen to go stale
    // ("package crypto/rand is not in std" in every later run); scanning GOROOT each run is cheap.
    r.env["GODEBUG"] = "goindex=0";
    script = "go test -count=1 ./... 2>&1";
  } else if (l == "java") {
    const std::string jars = tools.java_jars;
    const std::string cp =
        jars + "/junit-platform-console-standalone.jar:" + jars + "/assertj-core.jar:" + jars + "/json-latest.jar";
    // Short-lived JVMs: C1 only and the serial collector start fastest and need the fewest threads.
    const std::string jvm = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss8m -XX:ReservedCodeCacheSize=64m";
    const std::string javac_jvm = "-J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -J-XX:ReservedCodeCacheSize=64m";
    // One javac for main and test sources (one JVM start instead of two), then the JUnit console.
    script =
        "set -e; rm -rf build; mkdir -p build/classes; "
        "javac " +
        javac_jvm + " -nowarn -encoding UTF-8 -d build/classes -cp " + cp +
        " $(find src/main/java src/test/java -name '*.java') 2>&1; "
        "for d in src/main/resources src/test/resources; do if [ -d $d ]; then cp -r $d/. build/classes/; fi; done; "
        "java " +
        jvm + " -jar " + jars +
        "/junit-platform-console-standalone.jar --disable-banner --disable-ansi-colors "
        "--details=summary --fail-if-no-tests --class-path build/classes:" +
        cp + " --scan-classpath build/classes 2>&1";
  } else if (l == "javascript") {
    if (caches.shared()) r.extra_writable.push_back(caches.jest);
    r.extra_readable.push_back(tools.js_dir);
    r.env["NODE_PATH"] = tools.js_dir + "/node_modules";
    const std::string node = tools.node.empty() ? "node" : tools.node;
    r.env["PATH"] = fs::path(node).parent_path().string() + ":" + r.env["PATH"];
    script = shell_quote(node) + " " + shell_quote(tools.js_dir + "/node_modules/jest/bin/jest.js") +
             " --ci --runInBand --no-watchman --cacheDirectory " +
             shell_quote(caches.shared() ? caches.jest.string() : "/tmp/jest") + " 2>&1";
  } else if (l == "python") {
    r.env["PYTHONDONTWRITEBYTECODE"] = "1";
    script = shell_quote(tools.python) + " -m pytest -q -p no:cacheprovider 2>&1";
  } else if (l == "rust") {
    HRM_CHECK(!tools.rust_bin_dir.empty(), "rust: no cargo found", "run tools/setup-toolchains.sh");
    r.env["PATH"] = tools.rust_bin_dir + ":" + r.env["PATH"];
    r.env["CARGO_HOME"] = "/tmp/cargo-home";
    r.env["CARGO_INCREMENTAL"] = "0";
    r.env["CARGO_TERM_COLOR"] = "never";
    script = "cargo test --offline -- --include-ignored 2>&1";
  } else {
    throw Error("no test recipe for language '" + l + "'");
  }
  // umask 0: what a run adds to the shared caches stays writable for the next run's uid.
  r.argv = {"/bin/sh", "-c", "umask 0; " + script};
  return r;
}

std::string clean_test_output(const std::string& output, const fs::path& work_dir) {
  static const std::regex ansi("\x1b\\[[0-9;?]*[A-Za-z]");
  static const std::regex timing(R"(\bin \d+\.\d+s\b)");
  std::string s = std::regex_replace(output, ansi, "");
  s = std::regex_replace(s, timing, "");
  const std::string abs = work_dir.string();
  const std::string name = work_dir.filename().string();
  for (size_t pos = s.find(abs); !abs.empty() && pos != std::string::npos; pos = s.find(abs, pos + name.size())) {
    s.replace(pos, abs.size(), name);
  }
  return s;
}

const std::vector<UnsupportedRule>& unsupported_rules() {
  // Verified on Debian 12 + bookworm-backports (docs/polyglot.md, "Offline limits").
  static const std::vector<UnsupportedRule> rules = {
      {"java/hangman", true, "the tests need RxJava 2 (io.reactivex.rxjava2), which Debian does not package"},
      {"java/mazy-mice", true, "the tests use AssertJ's hasDimensions, missing from Debian's AssertJ 3.14"},
      {"rust/alphametics", false, "the reference needs crates itertools 0.5 and permutohedron 0.2, not in Debian"},
      {"rust/decimal", false, "the reference needs crates num-bigint ^0.4.4 and num-traits, not in Debian"},
      {"rust/pig-latin", false, "the reference needs crate regex 0.2, not in Debian"},
      {"rust/poker", false, "the reference needs crate counter 0.5, not in Debian"},
      {"rust/robot-name", false, "the reference needs crate rand 0.3, not in Debian (which has 0.8)"},
  };
  return rules;
}

std::optional<std::string> unsupported_reason(const Exercise& ex, bool oracle) {
  for (const auto& rule : unsupported_rules()) {
    if (rule.id == ex.id() && (rule.any_reply || oracle)) return rule.reason;
  }
  return std::nullopt;
}

}  // namespace hrm::eval
