// The packages family, offline: a local library sits next to the app and the app must depend on it
// through its package manager (an npm `file:` dependency, a cargo path dependency, a Go `replace`).
#include "task_families.hpp"

namespace hrm::agent::families {

namespace {

struct Lib {
  std::string name, function;
  int a, b, result;
};

Lib pick_lib(std::mt19937_64& rng) {
  const int a = uniform(rng, 10, 99), b = uniform(rng, 2, 9);
  const std::string name = pick(rng, std::vector<std::string>{"mathkit", "numtools", "arith", "calcpack"});
  return {name, "mul", a, b, a * b};
}

}  // namespace

Task npm_file_dependency(std::mt19937_64& rng) {
  const Lib lib = pick_lib(rng);
  Task t;
  t.files = {{"libs/" + lib.name + "/package.json",
              "{\n  \"name\": \"" + lib.name + "\",\n  \"version\": \"0.3.0\",\n  \"main\": \"index.js\"\n}\n"},
             {"libs/" + lib.name + "/index.js", "exports.mul = (a, b) => a * b;\n"},
             {"app/package.json",
              "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n  \"scripts\": {\n    "
              "\"start\": \"node main.js\"\n  }\n}\n"},
             {"app/main.js", "const { mul } = require('" + lib.name + "');\n\nconsole.log(mul(" +
                                 std::to_string(lib.a) + ", " + std::to_string(lib.b) + "));\n"}};
  t.instruction = "The app in `app/` needs the package `" + lib.name + "`, which is in `libs/" + lib.name +
                  "` (there is no network). Add it to the app as a local `file:` dependency in app/package.json and "
                  "install it so that `cd app && npm start` works.";
  t.verify =
      "set -e\ncd app\nnode -e \"const d = require('./package.json').dependencies || {}; process.exit(String(d['" +
      lib.name + "'] || '').startsWith('file:') ? 0 : 1)\" || { echo 'no file: dependency'; exit 1; }\n" +
      expect_output("node main.js", std::to_string(lib.result));
  t.reference = {bash("cd app && npm start; ls ../libs"),
                 bash("cd app && npm install ../libs/" + lib.name + " && npm start"), submit()};
  return t;
}

Task cargo_path_dependency(std::mt19937_64& rng) {
  const Lib lib = pick_lib(rng);
  Task t;
  t.files = {
      {lib.name + "/Cargo.toml", "[package]\nname = \"" + lib.name + "\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"},
      {lib.name + "/src/lib.rs", "pub fn mul(a: i64, b: i64) -> i64 {\n    a * b\n}\n"},
      {"app/Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"},
      {"app/src/main.rs", "fn main() {\n    println!(\"{}\", " + lib.name + "::mul(" + std::to_string(lib.a) + ", " +
                              std::to_string(lib.b) + "));\n}\n"}};
  t.instruction =
      "The Rust crate in `app/` uses the crate `" + lib.name + "`, which is in `" + lib.name +
      "/` next to it (there is no network). Add it as a path dependency so that `cd app && cargo run` works.";
  t.verify = "set -e\ncd app\ngrep -q '^" + lib.name +
             " *= *{ *path' Cargo.toml || { echo 'no path dependency'; exit 1; }\n" +
             expect_output("cargo run -q --offline 2>/dev/null", std::to_string(lib.result));
  t.reference = {bash("cd app && cargo build --offline 2>&1 | tail -3"),
                 edit("app/Cargo.toml", "[dependencies]\n",
                      "[dependencies]\n" + lib.name + " = { path = \"../" + lib.name + "\" }\n"),
                 bash("cd app && cargo run -q --offline"), submit()};
  return t;
}

Task go_replace(std::mt19937_64& rng) {
  const Lib lib = pick_lib(rng);
  const std::string module = "example.com/" + lib.name;
  Task t;
  t.files = {
      {lib.name + "/go.mod", "module " + module + "\n\ngo 1.21\n"},
      {lib.name + "/" + lib.name + ".go", "package " + lib.name + "\n\nfunc Mul(a, b int) int { return a * b }\n"},
      {"app/go.mod", "module example.com/app\n\ngo 1.21\n"},
      {"app/main.go", "package main\n\nimport (\n\t\"fmt\"\n\n\t\"" + module +
                          "\"\n)\n\nfunc main() {\n\tfmt.Println(" + lib.name + ".Mul(" + std::to_string(lib.a) + ", " +
                          std::to_string(lib.b) + "))\n}\n"}};
  t.instruction =
      "The Go module in `app/` imports `" + module + "`, whose code is in `" + lib.name +
      "/` next to it (there is no network and no module proxy). Make `cd app && go run .` work by requiring "
      "the module and pointing it at the local copy with a `replace` directive.";
  t.verify = "set -e\ncd app\ngrep -q 'replace' go.mod || { echo 'no replace directive'; exit 1; }\n" +
             expect_output("go run . 2>/dev/null", std::to_string(lib.result));
  t.reference = {bash("cd app && go run . 2>&1 | head -5"),
                 bash("cd app && go mod edit -require=" + module + "@v0.0.0 -replace=" + module + "=../" + lib.name +
                      " && go run ."),
                 submit()};
  return t;
}

}  // namespace hrm::agent::families
