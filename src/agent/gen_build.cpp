// The build family: the build fails and the model is told only that. A Makefile names an object whose
// source was renamed, a CMakeLists.txt leaves a source out (undefined reference at link time), and a
// package.json's test script points at a file that moved.
#include "task_families.hpp"

namespace hrm::agent::families {

namespace {

struct Shape {
  std::string name, formula, args, expected;  // expected: the program's output line
};

Shape pick_shape(std::mt19937_64& rng) {
  const int a = uniform(rng, 2, 9), b = uniform(rng, 2, 9);
  switch (rng() % 3) {
    case 0:
      return {"rect_area", "a * b", std::to_string(a) + ", " + std::to_string(b), std::to_string(a * b)};
    case 1:
      return {"square_sum", "a * a + b * b", std::to_string(a) + ", " + std::to_string(b),
              std::to_string(a * a + b * b)};
    default:
      return {"triangle", "a * b / 2", std::to_string(2 * a) + ", " + std::to_string(b), std::to_string(a * b)};
  }
}

// main.cpp calling `shape` from <unit>.cpp through <unit>.hpp.
std::map<std::string, std::string> cpp_sources(const Shape& s, const std::string& unit) {
  return {{"src/main.cpp", "#include <iostream>\n\n#include \"" + unit + ".hpp\"\n\nint main() {\n  std::cout << " +
                               s.name + "(" + s.args + ") << \"\\n\";\n  return 0;\n}\n"},
          {"src/" + unit + ".hpp", "#pragma once\n\nint " + s.name + "(int a, int b);\n"},
          {"src/" + unit + ".cpp",
           "#include \"" + unit + ".hpp\"\n\nint " + s.name + "(int a, int b) { return " + s.formula + "; }\n"}};
}

}  // namespace

Task makefile_renamed_source(std::mt19937_64& rng) {
  const Shape s = pick_shape(rng);
  const std::string unit = pick(rng, std::vector<std::string>{"geometry", "shapes", "measure"});
  const std::string old_unit = pick(rng, std::vector<std::string>{"geom", "shape_util", "calc"});
  const std::string app = pick(rng, std::vector<std::string>{"app", "shapes_demo", "measure"});
  Task t;
  t.files = cpp_sources(s, unit);
  const auto makefile = [&](const std::string& u) {
    return "CXX ?= g++\nCXXFLAGS ?= -O1 -Wall\nOBJS = src/main.o src/" + u + ".o\n\n" + app +
           ": $(OBJS)\n\t$(CXX) $(CXXFLAGS) -o $@ $(OBJS)\n\nsrc/%.o: src/%.cpp\n\t$(CXX) $(CXXFLAGS) -c -o $@ $<\n\n"
           "clean:\n\trm -f " +
           app + " src/*.o\n";
  };
  t.files["Makefile"] = makefile(old_unit);
  t.instruction = "`make` fails in this C++ project. Fix the build so that `make` builds `./" + app + "` and it runs.";
  t.verify =
      "set -e\nmake clean >/dev/null 2>&1 || true\nmake >/tmp/make.log 2>&1 || { cat /tmp/make.log; exit 1; }\n" +
      expect_output("./" + app, s.expected);
  t.reference = {
      bash("make"), bash("ls src"),
      edit("Makefile", "OBJS = src/main.o src/" + old_unit + ".o\n", "OBJS = src/main.o src/" + unit + ".o\n"),
      bash("make && ./" + app), submit()};
  return t;
}

Task cmake_missing_source(std::mt19937_64& rng) {
  const Shape s = pick_shape(rng);
  const std::string unit = pick(rng, std::vector<std::string>{"geometry", "shapes", "measure"});
  const std::string app = pick(rng, std::vector<std::string>{"app", "shapes_demo", "measure_tool"});
  Task t;
  t.files = cpp_sources(s, unit);
  t.files["CMakeLists.txt"] =
      "cmake_minimum_required(VERSION 3.16)\nproject(" + app + " CXX)\n\nadd_executable(" + app + " src/main.cpp)\n";
  t.instruction =
      "The CMake build of this C++ project fails. Fix it so that `cmake -S . -B build && cmake --build build` "
      "builds `build/" +
      app + "` and it runs.";
  t.verify =
      "set -e\nrm -rf /tmp/vb\n(cmake -S . -B /tmp/vb && cmake --build /tmp/vb) >/tmp/build.log 2>&1 || { cat "
      "/tmp/build.log; exit 1; }\n" +
      expect_output("/tmp/vb/" + app, s.expected);
  t.reference = {bash("cmake -S . -B build >/dev/null && cmake --build build 2>&1 | tail -5"),
                 edit("CMakeLists.txt", "add_executable(" + app + " src/main.cpp)\n",
                      "add_executable(" + app + " src/main.cpp src/" + unit + ".cpp)\n"),
                 bash("cmake --build build && ./build/" + app), submit()};
  return t;
}

Task npm_test_script(std::mt19937_64& rng) {
  const int a = uniform(rng, 2, 30), b = uniform(rng, 2, 30);
  const std::string pkg = pick(rng, std::vector<std::string>{"tally", "sumkit", "addup"});
  const std::string old_dir = pick(rng, std::vector<std::string>{"tests", "spec", "test-suite"});
  Task t;
  t.files = {
      {"package.json", "{\n  \"name\": \"" + pkg +
                           "\",\n  \"version\": \"1.0.0\",\n  \"private\": true,\n"
                           "  \"scripts\": {\n    \"test\": \"node " +
                           old_dir + "/run.js\"\n  }\n}\n"},
      {"lib/index.js", "function add(a, b) {\n  return a + b;\n}\n\nmodule.exports = { add };\n"},
      {"test/run.js",
       "const assert = require('assert');\nconst { add } = require('../lib');\n\nassert.strictEqual(add(" +
           std::to_string(a) + ", " + std::to_string(b) + "), " + std::to_string(a + b) + ");\nconsole.log('ok');\n"}};
  t.instruction =
      "`npm test` fails in this JavaScript project. Fix the project so that `npm test` passes (do not "
      "change the tests).";
  t.verify = "set -e\n" + write_cmd("/tmp/run.js", t.files["test/run.js"]) +
             "cmp -s /tmp/run.js test/run.js || { echo 'the test changed'; exit 1; }\nnpm test";
  t.reference = {bash("npm test; ls"), edit("package.json", "node " + old_dir + "/run.js", "node test/run.js"),
                 bash("npm test"), submit()};
  return t;
}

}  // namespace hrm::agent::families
