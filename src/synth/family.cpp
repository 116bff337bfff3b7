// Instances of template families: parameter draws, test inputs with oracle results, and the `$var`
// template rendering shared by statements and solutions.
#include "hrm/synth/family.hpp"

#include <set>

#include "family_kit.hpp"

#include "hrm/util/error.hpp"

namespace hrm::synth {

uint64_t Rng::next() {
  // splitmix64: tiny, fast, the same sequence everywhere.
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

int64_t Rng::range(int64_t lo, int64_t hi) {
  HRM_CHECK(lo <= hi, "synth: empty range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(next() % span);
}

uint64_t mix_seed(uint64_t seed, const std::string& family, uint64_t index) {
  uint64_t h = 1469598103934665603ULL ^ seed;  // FNV-1a over the family name
  for (unsigned char c : family) h = (h ^ c) * 1099511628211ULL;
  Rng r(h ^ (index * 0x9e3779b97f4a7c15ULL));
  return r.next();
}

void Instance::param(const std::string& key, const std::string& snake, Type type) {
  vars[key] = {Var::Kind::kParam, snake, {}};
  params.push_back({key, type});
}

int64_t Instance::integer(const std::string& key) const { return constant(key).i; }

const Value& Instance::constant(const std::string& key) const {
  const auto it = vars.find(key);
  HRM_CHECK(it != vars.end() && it->second.kind == Var::Kind::kValue, "synth: " + family + ": no constant $" + key);
  return it->second.value;
}

const std::string& Instance::word(const std::string& key) const {
  const auto it = vars.find(key);
  HRM_CHECK(it != vars.end() && it->second.kind == Var::Kind::kText, "synth: " + family + ": no word $" + key);
  return it->second.name;
}

std::string Instance::function_name(const std::string& language) const {
  return identifier(language, vars.at("f").name, true);
}

std::string Instance::param_name(const std::string& language, size_t k) const {
  return identifier(language, vars.at(params.at(k).key).name, false);
}

std::string Instance::key() const {
  std::string out = family;
  for (const auto& [k, v] : vars) {
    out += "|" + k + "=" + (v.kind == Var::Kind::kValue ? json_of(v.value).dump() : v.name);
  }
  return out;
}

namespace {

std::string args_key(const std::vector<Value>& args) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& a : args) j.push_back(json_of(a));
  return j.dump();
}

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// The language's indentation unit; templates are written with four spaces per level.
std::string indent_unit(const std::string& lang) {
  if (lang == "go") return "\t";
  if (lang == "javascript") return "  ";
  return "    ";
}

std::string reindent(const std::string& body, const std::string& lang, int base_levels) {
  const std::string unit = indent_unit(lang);
  std::string out;
  size_t start = 0;
  while (start < body.size()) {
    size_t nl = body.find('\n', start);
    if (nl == std::string::npos) nl = body.size();
    std::string line = body.substr(start, nl - start);
    start = nl + 1;
    if (line.empty()) {
      out += "\n";
      continue;
    }
    size_t spaces = 0;
    while (spaces < line.size() && line[spaces] == ' ') ++spaces;
    std::string prefix;
    for (int k = 0; k < base_levels + static_cast<int>(spaces / 4); ++k) prefix += unit;
    out += prefix + line.substr(spaces - spaces % 4) + "\n";
  }
  return out;
}

}  // namespace

Instance make_instance(const Family& fam, uint64_t seed, int index, int tests_per_instance) {
  Instance inst;
  inst.family = fam.name;
  inst.stage = fam.stage;
  inst.index = index;
  Rng rng(mix_seed(seed, fam.name, static_cast<uint64_t>(index)));
  fam.sample(rng, inst);
  std::set<std::string> seen;
  auto add = [&](std::vector<Value> args) {
    if (static_cast<int>(inst.tests.size()) >= tests_per_instance || !seen.insert(args_key(args)).second) return;
    Value expected = fam.oracle(inst, args);
    inst.tests.push_back({std::move(args), std::move(expected)});
  };
  if (fam.edge_inputs) {
    for (auto& args : fam.edge_inputs(inst)) add(std::move(args));
  }
  for (int attempt = 0; attempt < 20 * tests_per_instance && static_cast<int>(inst.tests.size()) < tests_per_instance;
       ++attempt) {
    add(fam.input(rng, inst));
  }
  return inst;
}

std::string render_template(const std::string& templ, const Instance& inst, const std::string& lang) {
  std::string out;
  for (size_t i = 0; i < templ.size(); ++i) {
    if (templ[i] != '$' || i + 1 >= templ.size() || !ident_char(templ[i + 1])) {
      out += templ[i];
      continue;
    }
    size_t j = i + 1;
    while (j < templ.size() && ident_char(templ[j])) ++j;
    const std::string name = templ.substr(i + 1, j - i - 1);
    const auto it = inst.vars.find(name);
    if (it == inst.vars.end()) {
      throw Error("synth: family " + inst.family + ": template uses $" + name + ", which the sampler did not set",
                  "set it in the family's sample() or fix the template");
    }
    const Var& v = it->second;
    switch (v.kind) {
      case Var::Kind::kFunction:
        out += identifier(lang, v.name, true);
        break;
      case Var::Kind::kParam:
        out += identifier(lang, v.name, false);
        break;
      case Var::Kind::kValue:
        out += literal(lang, v.value);
        break;
      case Var::Kind::kText:
        out += v.name;
        break;
    }
    i = j - 1;
  }
  return out;
}

std::string statement(const Family& fam, const Instance& inst, const std::string& lang) {
  return render_template(fam.statement, inst, lang);
}

std::string function_source(const Instance& inst, const std::string& lang, const std::string& body) {
  const std::string f = inst.function_name(lang);
  std::string params;
  for (size_t k = 0; k < inst.params.size(); ++k) {
    const std::string name = inst.param_name(lang, k);
    const std::string type = type_name(lang, inst.params[k].type, true);
    if (k) params += ", ";
    if (lang == "python" || lang == "javascript") {
      params += name;
    } else if (lang == "go" || lang == "rust") {
      params += name + (lang == "rust" ? ": " : " ") + type;
    } else {
      params += type + " " + name;
    }
  }
  const std::string ret = type_name(lang, inst.result, false);
  if (lang == "python") return "def " + f + "(" + params + "):\n" + reindent(body, lang, 1);
  if (lang == "javascript")
    return "export const " + f + " = (" + params + ") => {\n" + reindent(body, lang, 1) + "};\n";
  if (lang == "go") return "func " + f + "(" + params + ") " + ret + " {\n" + reindent(body, lang, 1) + "}\n";
  if (lang == "rust") return "pub fn " + f + "(" + params + ") -> " + ret + " {\n" + reindent(body, lang, 1) + "}\n";
  if (lang == "java") return "    " + ret + " " + f + "(" + params + ") {\n" + reindent(body, lang, 2) + "    }\n";
  if (lang == "cpp") return ret + " " + f + "(" + params + ") {\n" + reindent(body, lang, 1) + "}\n";
  throw Error("synth: no function syntax for language '" + lang + "'");
}

std::string reference_function(const Family& fam, const Instance& inst, const std::string& lang) {
  const auto it = fam.body.find(lang);
  HRM_CHECK(it != fam.body.end(), "synth: family " + fam.name + " has no " + lang + " solution");
  return function_source(inst, lang, render_template(it->second, inst, lang));
}

const std::vector<Family>& all_families() {
  static const std::vector<Family> families = [] {
    auto out = stage1_families();
    for (auto& f : stage2_families()) out.push_back(std::move(f));
    return out;
  }();
  return families;
}

const Family& find_family(const std::string& name) {
  std::string names;
  for (const auto& f : all_families()) {
    if (f.name == name) return f;
    names += (names.empty() ? "" : ", ") + f.name;
  }
  throw Error("synth: unknown family '" + name + "'", "families: " + names);
}

}  // namespace hrm::synth
