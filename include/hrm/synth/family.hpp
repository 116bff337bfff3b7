// Template families of the synthetic curriculum. A family is data: a statement template, one
// solution-body template per language, a parameter sampler (names, constants, operators) and a C++
// oracle that computes the expected result of every generated test input. An Instance is one draw of
// the parameters plus its test cases; rendering it for a language substitutes the `$name` variables.
//
// Template variables: `$f` is the function, parameters by their key (`$x`, `$nums`), constants and
// words by theirs (`$k`, `$opw`). A variable's text depends on the language: function and parameter
// names follow its naming convention (value.hpp identifier()), values are its literals.
//
// Exports: Rng, Var, Param, TestCase, Instance, Family, all_families(), find_family(), render_template(),
// signature_line().
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "hrm/synth/value.hpp"

namespace hrm::synth {

// Deterministic on every platform (std::mt19937_64 plus explicit modulo, not std::uniform_*).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next();
  int64_t range(int64_t lo, int64_t hi);  // inclusive
  bool coin() { return next() & 1; }
  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(range(0, static_cast<int64_t>(items.size()) - 1))];
  }

 private:
  uint64_t state_;
};
// A seed for (seed, family, index): instances do not depend on which other families are generated.
uint64_t mix_seed(uint64_t seed, const std::string& family, uint64_t index);

struct Var {
  enum class Kind { kFunction, kParam, kValue, kText } kind = Kind::kText;
  std::string name;  // kFunction / kParam: snake_case; kText: the text itself (same in every language)
  Value value;       // kValue
};

struct Param {
  std::string key;  // template variable ("x")
  Type type;
};

struct TestCase {
  std::vector<Value> args;
  Value expected;
};

struct Instance {
  std::string family;
  int stage = 1;
  int index = 0;  // instance number within the family
  std::map<std::string, Var> vars;
  std::vector<Param> params;
  Type result = Type::kInt;
  std::vector<TestCase> tests;

  // Builders used by the families' samplers.
  void function(const std::string& snake) { vars["f"] = {Var::Kind::kFunction, snake, {}}; }
  void param(const std::string& key, const std::string& snake, Type type);
  void value(const std::string& key, Value v) { vars[key] = {Var::Kind::kValue, "", std::move(v)}; }
  void text(const std::string& key, const std::string& t) { vars[key] = {Var::Kind::kText, t, {}}; }
  int64_t integer(const std::string& key) const;
  const std::string& word(const std::string& key) const;  // a kText var
  const Value& constant(const std::string& key) const;    // a kValue var
  std::string function_name(const std::string& language) const;
  std::string param_name(const std::string& language, size_t k) const;
  // Identifies the parameter draw (function, parameter names, constants); equal keys = duplicates.
  std::string key() const;
};

struct Family {
  std::string name;  // "add-const": slug prefix, file names, split by family
  int stage = 1;
  bool held_out = false;                                                      // in the test-family split by default
  std::string title;                                                          // "Add a constant"
  std::string statement;                                                      // template; a few short sentences
  std::function<void(Rng&, Instance&)> sample;                                // fills vars, params, result
  std::function<std::vector<Value>(Rng&, const Instance&)> input;             // one random test input
  std::vector<std::vector<Value>> (*edge_inputs)(const Instance&) = nullptr;  // fixed inputs, optional
  std::function<Value(const Instance&, const std::vector<Value>&)> oracle;    // the expected result
  std::map<std::string, std::string> body;     // language -> body template (4-space indents)
  std::map<std::string, std::string> prelude;  // language -> imports the body needs (Go, Java, Rust)
  bool has(const std::string& language) const { return body.count(language) > 0; }
};

const std::vector<Family>& all_families();
const Family& find_family(const std::string& name);  // throws hrm::Error listing the names

// Draws instance `index` of `family` with `tests_per_instance` tests (edge inputs first, then
// random distinct ones; fewer when the input space is small).
Instance make_instance(const Family& family, uint64_t seed, int index, int tests_per_instance);

// `$name` variables replaced for `language` (unknown names throw hrm::Error naming the template).
std::string render_template(const std::string& templ, const Instance& inst, const std::string& language);

// The statement as shown for `language` (its identifiers).
std::string statement(const Family& family, const Instance& inst, const std::string& language);

// The function with its body in `language` (Python `def`, Go `func`, ...), indented for a
// top-level function (Java: for a method inside the class). `body` is the rendered body.
std::string function_source(const Instance& inst, const std::string& language, const std::string& body);
// The reference function: the family's body template rendered.
std::string reference_function(const Family& family, const Instance& inst, const std::string& language);

}  // namespace hrm::synth
