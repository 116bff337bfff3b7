// Synthetic tasks as Exercism exercises, one layout per language (the same as data/polyglot-fixtures).
#include "hrm/synth/polyglot_render.hpp"

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;

namespace {

std::string snake(const std::string& family) {
  std::string s = family;
  for (char& c : s) c = c == '-' ? '_' : c;
  return s;
}
std::string go_package(const std::string& family) {
  std::string s;
  for (char c : family) {
    if (c != '-') s += c;
  }
  return s;
}
std::string java_class(const std::string& family) { return pascal_case(snake(family)); }

std::string call(const Instance& inst, const std::string& lang, const std::vector<Value>& args) {
  std::string out = inst.function_name(lang) + "(";
  for (size_t k = 0; k < args.size(); ++k) out += (k ? ", " : "") + literal(lang, args[k], LiteralUse::kArgument);
  return out + ")";
}

// The body that makes a stub compile but fail every test, in the style of Exercism's stubs.
std::string stub_body(const Instance& inst, const std::string& lang) {
  const std::string f = inst.function_name(lang);
  if (lang == "python") return "pass";
  if (lang == "javascript") return "throw new Error('Remove this statement and implement this function');";
  if (lang == "java")
    return "throw new UnsupportedOperationException(\"Delete this statement and write your own implementation.\");";
  if (lang == "go") return "panic(\"Please implement the " + f + " function\")";
  if (lang == "rust") return "todo!(\"implement " + f + "\")";
  std::string body;
  for (size_t k = 0; k < inst.params.size(); ++k) body += "(void)" + inst.param_name(lang, k) + ";\n";
  return body + "return {};";
}

std::string instructions(const Family& fam, const Instance& inst, const std::string& lang) {
  return "# Instructions\n\n" + statement(fam, inst, lang) + "\n";
}

std::string config_json(const std::vector<std::string>& solution, const std::vector<std::string>& test,
                        const std::vector<std::string>& example, const std::string& blurb) {
  nlohmann::json j;
  j["authors"] = {"hrm-synth"};
  j["files"] = {{"solution", solution}, {"test", test}, {"example", example}};
  j["blurb"] = blurb;
  return j.dump(2) + "\n";
}

std::string python_tests(const Instance& inst) {
  const std::string f = inst.function_name("python");
  std::string out = "import unittest\n\nfrom " + snake(inst.family) + " import " + f + "\n\n\nclass " +
                    java_class(inst.family) + "Test(unittest.TestCase):\n";
  for (size_t k = 0; k < inst.tests.size(); ++k) {
    const auto& t = inst.tests[k];
    out += "    def test_" + std::to_string(k + 1) + "(self):\n        self.assertEqual(" +
           call(inst, "python", t.args) + ", " + literal("python", t.expected) + ")\n";
    if (k + 1 < inst.tests.size()) out += "\n";
  }
  return out;
}

std::string javascript_tests(const Instance& inst) {
  const std::string f = inst.function_name("javascript");
  std::string out = "import { " + f + " } from './" + inst.family + "';\n\ndescribe('" + f + "', () => {\n";
  for (size_t k = 0; k < inst.tests.size(); ++k) {
    const auto& t = inst.tests[k];
    out += "  test('case " + std::to_string(k + 1) + "', () => {\n    expect(" + call(inst, "javascript", t.args) +
           ").toEqual(" + literal("javascript", t.expected) + ");\n  });\n";
    if (k + 1 < inst.tests.size()) out += "\n";
  }
  return out + "});\n";
}

std::string java_tests(const Instance& inst) {
  const std::string cls = java_class(inst.family);
  const bool array = inst.result == Type::kIntList || inst.result == Type::kStrList;
  std::string out = "import org.junit.jupiter.api.Test;\n\nimport static org.junit.jupiter.api.Assertions." +
                    std::string(array ? "assertArrayEquals" : "assertEquals") + ";\n\npublic class " + cls + "Test {\n";
  for (size_t k = 0; k < inst.tests.size(); ++k) {
    const auto& t = inst.tests[k];
    out += "\n    @Test\n    public void case" + std::to_string(k + 1) + "() {\n        " +
           (array ? "assertArrayEquals(" : "assertEquals(") + literal("java", t.expected) + ", new " + cls + "()." +
           call(inst, "java", t.args) + ");\n    }\n";
  }
  return out + "}\n";
}

std::string go_tests(const Instance& inst) {
  const bool slice = inst.result == Type::kIntList || inst.result == Type::kStrList;
  std::string out =
      "package " + go_package(inst.family) + "\n\nimport (\n" + (slice ? "\t\"slices\"\n" : "") + "\t\"testing\"\n)\n";
  for (size_t k = 0; k < inst.tests.size(); ++k) {
    const auto& t = inst.tests[k];
    const std::string c = call(inst, "go", t.args);
    out += "\nfunc Test" + inst.function_name("go") + std::to_string(k + 1) + "(t *testing.T) {\n\tgot := " + c +
           "\n\twant := " + literal("go", t.expected) + "\n\tif " +
           (slice ? "!slices.Equal(got, want)" : "got != want") + " {\n\t\tt.Errorf(`" + c +
           " = %v, want %v`, got, want)\n\t}\n}\n";
  }
  return out;
}

std::string rust_tests(const Instance& inst) {
  std::string out = "use " + snake(inst.family) + "::*;\n";
  for (size_t k = 0; k < inst.tests.size(); ++k) {
    const auto& t = inst.tests[k];
    out += "\n#[test]\nfn case_" + std::to_string(k + 1) + "() {\n    assert_eq!(" + call(inst, "rust", t.args) + ", " +
           literal("rust", t.expected) + ");\n}\n";
  }
  return out;
}

// As data/polyglot-fixtures' C++ exercises: a test program with a small EXPECT_EQ, run by `make`.
std::string cpp_tests(const Instance& inst) {
  const std::string ns = snake(inst.family);
  std::string out = "#include \"" + ns +
                    ".h\"\n\n#include <cstdio>\n\nstatic int failures = 0;\n"
                    "#define EXPECT_EQ(actual, expected)                                        \\\n"
                    "    do {                                                                   \\\n"
                    "        if (!((actual) == (expected))) {                                   \\\n"
                    "            std::printf(\"FAILED line %d: %s == %s\\n\", __LINE__, #actual, #expected); \\\n"
                    "            ++failures;                                                    \\\n"
                    "        }                                                                  \\\n"
                    "    } while (0)\n\nint main() {\n";
  for (const auto& t : inst.tests) {
    std::string c = ns + "::" + inst.function_name("cpp") + "(";
    for (size_t k = 0; k < t.args.size(); ++k) c += (k ? ", " : "") + literal("cpp", t.args[k]);
    out += "    EXPECT_EQ(" + c + "), (" + literal("cpp", t.expected) + "));\n";
  }
  return out + "    std::printf(\"%d failure(s)\\n\", failures);\n    return failures == 0 ? 0 : 1;\n}\n";
}

std::string cpp_header(const Instance& inst) {
  const std::string ns = snake(inst.family);
  std::string sig = function_source(inst, "cpp", "");
  sig = sig.substr(0, sig.find(" {\n")) + ";";
  return "#pragma once\n\n#include <string>\n#include <vector>\n\nnamespace " + ns + " {\n" + sig +
         "\n}  // namespace " + ns + "\n";
}

const char* const kBabelConfig =
    "module.exports = {\n  presets: ['@exercism/babel-preset-javascript'],\n  plugins: [],\n};\n";

std::string package_json(const std::string& family) {
  return "{\n  \"name\": \"@hrm-synth/" + family +
         "\",\n  \"private\": true,\n  \"license\": \"MIT\",\n  \"devDependencies\": {\n"
         "    \"@babel/core\": \"^7.25.2\",\n    \"@exercism/babel-preset-javascript\": \"^0.2.1\",\n"
         "    \"babel-jest\": \"^29.6.4\",\n    \"core-js\": \"~3.37.1\",\n    \"jest\": \"^29.7.0\"\n  },\n"
         "  \"scripts\": {\n    \"test\": \"jest ./*\"\n  }\n}\n";
}

const char* const kBuildGradle =
    "plugins {\n    id \"java\"\n}\n\nrepositories {\n    mavenCentral()\n}\n\ndependencies {\n"
    "    testImplementation platform(\"org.junit:junit-bom:5.10.0\")\n    testImplementation "
    "\"org.junit.jupiter:junit-jupiter\"\n"
    "}\n\ntest {\n    useJUnitPlatform()\n}\n";

std::string cmake_lists(const std::string& base) {
  return "# Exercise name from the folder name (as the Exercism C++ track does).\n"
         "get_filename_component(exercise ${CMAKE_CURRENT_SOURCE_DIR} NAME)\ncmake_minimum_required(VERSION 3.14)\n"
         "project(${exercise} CXX)\nadd_executable(${exercise} " +
         base + "_test.cpp " + base + ".cpp " + base +
         ".h)\n"
         "set_target_properties(${exercise} PROPERTIES CXX_STANDARD 17 CXX_EXTENSIONS OFF)\n"
         "target_compile_options(${exercise} PRIVATE -Wall -Wextra -Wpedantic -Werror)\n"
         "if(${EXERCISM_RUN_ALL_TESTS})\n    target_compile_definitions(${exercise} PRIVATE "
         "EXERCISM_RUN_ALL_TESTS)\nendif()\n"
         "# The tests run as part of the build.\n"
         "add_custom_target(test_${exercise} ALL DEPENDS ${exercise} COMMAND ${exercise})\n";
}

}  // namespace

std::string solution_file(const Family& fam, const Instance& inst, const std::string& lang,
                          const std::string& function) {
  const auto pre = fam.prelude.find(lang);
  const std::string prelude = pre == fam.prelude.end() ? "" : pre->second;
  if (lang == "python" || lang == "javascript" || lang == "rust")
    return prelude + (prelude.empty() ? "" : "\n") + function;
  if (lang == "go")
    return "package " + go_package(inst.family) + "\n\n" + prelude + (prelude.empty() ? "" : "\n") + function;
  if (lang == "java")
    return prelude + (prelude.empty() ? "" : "\n") + "class " + java_class(inst.family) + " {\n\n" + function + "}\n";
  if (lang == "cpp") {
    const std::string ns = snake(inst.family);
    return "#include \"" + ns + ".h\"\n\n#include <algorithm>\n\nnamespace " + ns + " {\n" + function +
           "}  // namespace " + ns + "\n";
  }
  throw Error("synth: no solution layout for language '" + lang + "'");
}

ExerciseFiles polyglot_exercise(const Family& fam, const Instance& inst, const std::string& lang,
                                const std::string& slug) {
  HRM_CHECK(fam.has(lang), "synth: family " + fam.name + " has no " + lang + " solution");
  ExerciseFiles ex;
  ex.language = lang;
  ex.slug = slug;
  auto& files = ex.files;
  const std::string base = snake(fam.name);
  const std::string stub = solution_file(fam, inst, lang, function_source(inst, lang, stub_body(inst, lang)));
  const std::string reference = solution_file(fam, inst, lang, reference_function(fam, inst, lang));
  files[".docs/instructions.md"] = instructions(fam, inst, lang);
  const std::string blurb = "hrm synthetic task " + fam.name + " #" + std::to_string(inst.index) + " (stage " +
                            std::to_string(fam.stage) + ")";
  if (lang == "python") {
    ex.solution_path = base + ".py";
    files[base + "_test.py"] = python_tests(inst);
    files[".meta/example.py"] = reference;
    files[".meta/config.json"] = config_json({ex.solution_path}, {base + "_test.py"}, {".meta/example.py"}, blurb);
  } else if (lang == "javascript") {
    ex.solution_path = fam.name + ".js";
    files[fam.name + ".spec.js"] = javascript_tests(inst);
    files[".meta/proof.ci.js"] = reference;
    files["babel.config.js"] = kBabelConfig;
    files["package.json"] = package_json(fam.name);
    files[".meta/config.json"] = config_json({ex.solution_path}, {fam.name + ".spec.js"}, {".meta/proof.ci.js"}, blurb);
  } else if (lang == "java") {
    const std::string cls = java_class(fam.name);
    ex.solution_path = "src/main/java/" + cls + ".java";
    files["src/test/java/" + cls + "Test.java"] = java_tests(inst);
    files[".meta/src/reference/java/" + cls + ".java"] = reference;
    files["build.gradle"] = kBuildGradle;
    files[".meta/config.json"] = config_json({ex.solution_path}, {"src/test/java/" + cls + "Test.java"},
                                             {".meta/src/reference/java/" + cls + ".java"}, blurb);
  } else if (lang == "go") {
    ex.solution_path = base + ".go";
    files[base + "_test.go"] = go_tests(inst);
    files[".meta/example.go"] = reference;
    files["go.mod"] = "module " + go_package(fam.name) + "\n\ngo 1.21\n";
    files[".meta/config.json"] = config_json({ex.solution_path}, {base + "_test.go"}, {".meta/example.go"}, blurb);
  } else if (lang == "rust") {
    ex.solution_path = "src/lib.rs";
    files["tests/" + base + ".rs"] = rust_tests(inst);
    files[".meta/example.rs"] = reference;
    files["Cargo.toml"] = "[package]\nedition = \"2021\"\nname = \"" + base + "\"\nversion = \"1.0.0\"\n";
    files[".meta/config.json"] =
        config_json({ex.solution_path}, {"tests/" + base + ".rs"}, {".meta/example.rs"}, blurb);
  } else if (lang == "cpp") {
    ex.solution_path = base + ".cpp";
    files[base + ".h"] = cpp_header(inst);
    files[base + "_test.cpp"] = cpp_tests(inst);
    files[".meta/example.cpp"] = reference;
    files[".meta/example.h"] = cpp_header(inst);
    files["CMakeLists.txt"] = cmake_lists(base);
    files[".meta/config.json"] = config_json({ex.solution_path, base + ".h"}, {base + "_test.cpp"},
                                             {".meta/example.cpp", ".meta/example.h"}, blurb);
  } else {
    throw Error("synth: unknown language '" + lang + "'", "use cpp, go, java, javascript, python or rust");
  }
  files[ex.solution_path] = stub;
  return ex;
}

void write_exercise(const ExerciseFiles& ex, const fs::path& dir) {
  for (const auto& [path, contents] : ex.files) {
    const fs::path p = dir / path;
    fs::create_directories(p.parent_path());
    write_file_atomic(p, contents);
  }
}

}  // namespace hrm::synth
