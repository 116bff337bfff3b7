// The `hrm-data synth` pipeline: draw instances, write LCB rows and Polyglot exercises, verify the
// references in the sandbox, write SFT chats and self-repair data, count everything.
#include "hrm/synth/synth.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>

#include "hrm/eval/edit_format.hpp"
#include "hrm/eval/lcb_prompts.hpp"
#include "hrm/synth/family.hpp"
#include "hrm/synth/lcb_render.hpp"
#include "hrm/synth/mutate.hpp"
#include "hrm/synth/polyglot_render.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "verify.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<std::string> kSplits = {"train", "test_instance", "test_family"};

// Locals of the bodies that a wrong-variable mutation may swap (with the parameters).
const std::vector<std::string> kLocals = {"total", "count", "out", "v",   "i",      "j",      "best", "window",
                                          "ways",  "lo",    "hi",  "mid", "parent", "groups", "a",    "b",
                                          "dist",  "u",     "w",   "c",   "step",   "coin"};

// j[key] += 1, creating the object and the counter as needed.
void bump(json& j, const std::string& key) {
  if (!j.is_object()) j = json::object();
  j[key] = j.value(key, 0) + 1;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

struct Task {
  const Family* fam = nullptr;
  const Instance* inst = nullptr;
  std::string split, language, bench;  // bench: "livecodebench" or "polyglot"
  std::string id;                      // LCB question_id or "<lang>/<slug>"
  // livecodebench
  LcbStyle style = LcbStyle::kFunctional;
  json row;
  eval::lcb::Problem problem;
  std::vector<eval::lcb::Test> tests;
  std::string program;
  // polyglot
  fs::path dir;
  eval::Exercise exercise;
  std::string solution_path;
  bool passed = false;
  std::string failure;
};

json messages_json(const std::vector<eval::ChatMessage>& messages, const std::string& answer) {
  json m = json::array();
  for (const auto& msg : messages) m.push_back({{"role", msg.role}, {"content", msg.content}});
  m.push_back({{"role", "assistant"}, {"content", answer}});
  return m;
}

json row_of(const Task& t, json messages) {
  return {{"messages", std::move(messages)},
          {"language", t.language},
          {"stage", t.fam->stage},
          {"family", t.fam->name},
          {"task_id", t.id},
          {"split", t.split},
          {"bench", t.bench}};
}

std::vector<std::string> identifiers_of(const Instance& inst, const std::string& lang) {
  std::vector<std::string> ids;
  for (size_t k = 0; k < inst.params.size(); ++k) ids.push_back(inst.param_name(lang, k));
  for (const auto& l : kLocals) ids.push_back(l);
  return ids;
}

// A mutated body for task `t`, trying the kinds in turn from a seed-chosen one.
struct Mutant {
  Mutation kind;
  std::string function;
};
std::optional<Mutant> make_mutant(const Task& t, uint64_t seed, int attempt) {
  const std::string body = render_template(t.fam->body.at(t.language), *t.inst, t.language);
  Rng rng(mix_seed(seed ^ 0x5eedULL, t.id, static_cast<uint64_t>(attempt)));
  const size_t first = static_cast<size_t>(rng.range(0, static_cast<int64_t>(kMutations.size()) - 1));
  for (size_t k = 0; k < kMutations.size(); ++k) {
    const Mutation m = kMutations[(first + k) % kMutations.size()];
    const auto broken = mutate(body, m, t.language, identifiers_of(*t.inst, t.language), rng);
    if (broken && *broken != body) return Mutant{m, function_source(*t.inst, t.language, *broken)};
  }
  return std::nullopt;
}

void append_jsonl(std::map<std::string, std::string>& files, const std::string& name, const json& row) {
  files[name] += row.dump() + "\n";
}

std::vector<eval::EditFormat> edit_formats(const std::string& name) {
  if (name == "whole") return {eval::EditFormat::kWhole};
  if (name == "diff") return {eval::EditFormat::kDiff};
  if (name == "both") return {eval::EditFormat::kWhole, eval::EditFormat::kDiff};
  throw Error("--edit-format '" + name + "' is not whole, diff or both");
}

void check_options(const SynthOptions& o) {
  HRM_CHECK(!o.out_dir.empty(), "synth: --out is required");
  HRM_CHECK(o.per_family >= 1, "synth: --per-family must be at least 1 (got " + std::to_string(o.per_family) + ")");
  HRM_CHECK(o.tests_per_task >= 1, "synth: --tests must be at least 1");
  HRM_CHECK(o.test_instance_fraction >= 0 && o.test_instance_fraction < 1, "synth: --test-fraction must be in [0, 1)");
  HRM_CHECK(o.lcb_style == "functional" || o.lcb_style == "stdin" || o.lcb_style == "mixed",
            "synth: --lcb-style '" + o.lcb_style + "' is not functional, stdin or mixed");
  edit_formats(o.edit_format);
  for (int s : o.stages) HRM_CHECK(s == 1 || s == 2, "synth: unknown stage " + std::to_string(s), "use --stages 1,2");
  for (const auto& l : o.languages) {
    HRM_CHECK(std::find(kSynthLanguages.begin(), kSynthLanguages.end(), l) != kSynthLanguages.end(),
              "synth: unknown language '" + l + "'", "use a subset of cpp,go,java,javascript,python,rust");
  }
  for (const auto& f : o.holdout_families) find_family(f);
  if (fs::exists(o.out_dir)) {
    HRM_CHECK(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir),
              "synth: output directory '" + o.out_dir.string() + "' is not empty",
              "choose a new --out (stale exercises would mix into the benchmark directories)");
  }
}

// The families the options select (named ones whatever their stage, else every family of the stages).
std::vector<const Family*> select_families(const SynthOptions& o) {
  std::vector<const Family*> families;
  for (const auto& f : all_families()) {
    const bool stage = std::find(o.stages.begin(), o.stages.end(), f.stage) != o.stages.end();
    const bool named = std::find(o.families.begin(), o.families.end(), f.name) != o.families.end();
    if (o.families.empty() ? stage : named) families.push_back(&f);
  }
  for (const auto& name : o.families) find_family(name);
  HRM_CHECK(!families.empty(), "synth: no family matches --stages/--families");
  return families;
}

// Phase 1: distinct instances per family, each with its split ("train", "test_instance", "test_family").
struct Drawn {
  std::vector<std::unique_ptr<Instance>> instances;
  std::vector<std::string> split;  // per instance
  json family_stats = json::object();
};
Drawn draw_instances(const SynthOptions& o, const std::vector<const Family*>& families) {
  auto held_out = [&](const Family& f) {
    if (o.holdout_families.empty()) return f.held_out;
    return std::find(o.holdout_families.begin(), o.holdout_families.end(), f.name) != o.holdout_families.end();
  };
  Drawn d;
  for (const Family* f : families) {
    std::set<std::string> keys;
    std::vector<std::unique_ptr<Instance>> drawn;
    for (int index = 0; static_cast<int>(drawn.size()) < o.per_family && index < 8 * o.per_family; ++index) {
      auto inst = std::make_unique<Instance>(make_instance(*f, o.seed, index, o.tests_per_task));
      if (keys.insert(inst->key()).second) drawn.push_back(std::move(inst));
    }
    const size_t n = drawn.size();
    const size_t n_test =
        held_out(*f) || n < 2 ? 0 : std::max<size_t>(1, static_cast<size_t>(o.test_instance_fraction * n + 0.5));
    for (size_t k = 0; k < n; ++k) {
      d.split.push_back(held_out(*f) ? "test_family" : k + n_test >= n && n_test > 0 ? "test_instance" : "train");
      d.instances.push_back(std::move(drawn[k]));
    }
    d.family_stats[f->name] = {{"stage", f->stage}, {"instances", n}, {"held_out", held_out(*f)}};
  }
  return d;
}

// A task of `inst` in `lang` (benchmark, id and, for Polyglot, the exercise directory still to fill).
Task task_of(const Family& fam, const Instance& inst, const std::string& split, const std::string& lang,
             const std::string& bench, const std::string& id) {
  Task t;
  t.fam = &fam;
  t.inst = &inst;
  t.split = split;
  t.language = lang;
  t.bench = bench;
  t.id = id;
  return t;
}

// Phase 2: the tasks, LCB rows (Python) and Polyglot exercises (written under <out>).
std::vector<Task> make_tasks(const SynthOptions& o, const Drawn& drawn) {
  std::vector<Task> tasks;
  for (size_t k = 0; k < drawn.instances.size(); ++k) {
    const Instance& inst = *drawn.instances[k];
    const Family& fam = find_family(inst.family);
    char idx[16];
    std::snprintf(idx, sizeof idx, "%04d", inst.index);
    const std::string slug = fam.name + "-" + idx;
    for (const auto& lang : o.languages) {
      if (!fam.has(lang)) continue;
      if (o.lcb && lang == "python") {
        Task t = task_of(fam, inst, drawn.split[k], lang, "livecodebench",
                         "synth-s" + std::to_string(fam.stage) + "-" + slug);
        t.style = o.lcb_style == "stdin" || (o.lcb_style == "mixed" && inst.index % 2 == 1) ? LcbStyle::kStdin
                                                                                            : LcbStyle::kFunctional;
        t.row = lcb_row(fam, inst, t.id, t.style);
        t.problem = eval::lcb::parse_problem(t.row.dump(), "synth:" + t.id);
        t.tests = eval::lcb::problem_tests(t.problem);
        t.program = lcb_program(inst, reference_function(fam, inst, lang), t.style);
        tasks.push_back(std::move(t));
      }
      if (o.polyglot) {
        Task t = task_of(fam, inst, drawn.split[k], lang, "polyglot", lang + "/" + slug);
        t.dir = o.out_dir / "polyglot" / t.split / lang / "exercises" / "practice" / slug;
        const ExerciseFiles files = polyglot_exercise(fam, inst, lang, slug);
        write_exercise(files, t.dir);
        t.exercise = eval::load_exercise(t.dir, lang);
        t.solution_path = files.solution_path;
        tasks.push_back(std::move(t));
      }
    }
  }
  return tasks;
}

// Wall seconds of the phases, for stats.json.
struct Seconds {
  double generate = 0, verify = 0, lcb = 0, polyglot = 0, repair = 0;
};

// Phase 3: every reference solution run in the sandbox; a Polyglot task whose reference fails is dropped
// (its directory removed). Returns the verifier the repair phase reuses (null without Polyglot tasks).
std::unique_ptr<PolyglotVerifier> verify_references(const SynthOptions& o, std::vector<Task>& tasks, size_t instances,
                                                    Seconds& seconds) {
  const auto tv = Clock::now();
  std::vector<LcbCheck> lcb_checks;
  std::vector<PolyglotCheck> poly_checks;
  std::vector<Task*> lcb_tasks, poly_tasks;
  std::vector<std::string> poly_languages;
  for (auto& t : tasks) {
    if (t.bench == "livecodebench") {
      lcb_checks.push_back({&t.problem, &t.tests, t.program, false, {}});
      lcb_tasks.push_back(&t);
    } else {
      poly_checks.push_back({&t.exercise, eval::reference_solution(t.exercise), false, "", ""});
      poly_tasks.push_back(&t);
      if (std::find(poly_languages.begin(), poly_languages.end(), t.language) == poly_languages.end()) {
        poly_languages.push_back(t.language);
      }
    }
  }
  spdlog::info("synth: {} instances, {} LiveCodeBench rows, {} Polyglot exercises; verifying in the sandbox", instances,
               lcb_checks.size(), poly_checks.size());
  const auto tl = Clock::now();
  run_lcb_checks(lcb_checks, o.jobs);
  seconds.lcb = seconds_since(tl);
  spdlog::info("synth: LiveCodeBench rows judged in {:.1f} s", seconds.lcb);
  for (size_t k = 0; k < lcb_checks.size(); ++k) {
    lcb_tasks[k]->passed = lcb_checks[k].passed;
    if (!lcb_checks[k].passed) lcb_tasks[k]->failure = lcb_checks[k].metadata.dump();
  }
  std::unique_ptr<PolyglotVerifier> verifier;
  if (!poly_checks.empty())
    verifier = std::make_unique<PolyglotVerifier>(poly_languages, o.jobs, o.timeout_seconds, o.cache_dir);
  const auto tp = Clock::now();
  if (verifier) verifier->run(poly_checks);
  seconds.polyglot = seconds_since(tp);
  if (verifier) spdlog::info("synth: Polyglot exercises tested in {:.1f} s", seconds.polyglot);
  for (size_t k = 0; k < poly_checks.size(); ++k) {
    poly_tasks[k]->passed = poly_checks[k].passed;
    if (!poly_checks[k].passed) {
      poly_tasks[k]->failure = poly_checks[k].verdict + ": " + poly_checks[k].output.substr(0, 2000);
      fs::remove_all(poly_tasks[k]->dir);  // a task whose reference fails is dropped
    }
  }
  seconds.verify = seconds_since(tv);
  return verifier;
}

// Phase 4: SFT chats (the evaluators' prompts with an ideal answer) into `files`; the pass counts per
// stage/language/benchmark into `verified`, the first failures into `failures`.
void add_sft_rows(const SynthOptions& o, const std::vector<Task>& tasks, std::map<std::string, std::string>& files,
                  json& verified, json& failures) {
  const auto formats = edit_formats(o.edit_format);
  for (const auto& t : tasks) {
    const std::string group = "stage" + std::to_string(t.fam->stage) + "/" + t.language + "/" + t.bench;
    auto& g = verified[group];
    if (g.is_null()) g = {{"generated", 0}, {"passed", 0}, {"dropped", 0}};
    bump(g, "generated");
    bump(g, t.passed ? "passed" : "dropped");
    if (!t.passed) {
      if (failures.size() < 20) failures.push_back({{"task", t.id}, {"failure", t.failure}});
      continue;
    }
    if (t.bench == "livecodebench") {
      append_jsonl(files, "lcb/" + t.split + ".jsonl", t.row);
      append_jsonl(files, "sft/" + t.split + ".jsonl",
                   row_of(t, messages_json(eval::lcb::codegen_messages(t.problem), lcb_answer(t.program))));
    } else {
      const auto current = eval::read_files(t.dir, t.exercise.solution_files);
      const auto reference = eval::reference_solution(t.exercise);
      for (const auto fmt : formats) {
        json r = row_of(t, messages_json(eval::build_messages(t.exercise, fmt, current, {}, {}),
                                         eval::render_reply(fmt, current, reference)));
        r["edit_format"] = eval::edit_format_name(fmt);
        append_jsonl(files, "sft/" + t.split + ".jsonl", r);
      }
    }
  }
}

// A mutant of a verified task, as a program (LiveCodeBench) or solution files (Polyglot).
struct Repair {
  const Task* task;
  Mutant mutant;
  std::string program;                          // livecodebench
  std::map<std::string, std::string> solution;  // polyglot
};

// Phase 5a: up to repairs_per_task mutants of every verified task (counted in `repair_stats`).
std::vector<Repair> make_repairs(const SynthOptions& o, const std::vector<Task>& tasks, json& repair_stats) {
  std::vector<Repair> repairs;
  for (const auto& t : tasks) {
    if (!t.passed) continue;
    for (int a = 0; a < o.repairs_per_task; ++a) {
      auto m = make_mutant(t, o.seed, a);
      auto& s = repair_stats[t.language + "/" + t.bench];
      if (!m) {
        bump(s, "no_site");
        continue;
      }
      Repair r{&t, *m, "", {}};
      if (t.bench == "livecodebench") {
        r.program = lcb_program(*t.inst, m->function, t.style);
      } else {
        r.solution = eval::read_files(t.dir, t.exercise.solution_files);
        r.solution[t.solution_path] = solution_file(*t.fam, *t.inst, t.language, m->function);
      }
      repairs.push_back(std::move(r));
    }
  }
  return repairs;
}

// A self-repair row of a Polyglot mutant in both edit formats: try 2 of the Polyglot runner (the
// broken reply, its real test output), then the fix.
void add_polyglot_repair_rows(const Repair& r, const PolyglotCheck& check, const std::string& file,
                              std::map<std::string, std::string>& files) {
  const Task& t = *r.task;
  const auto stub = eval::read_files(t.dir, t.exercise.solution_files);
  const auto reference = eval::reference_solution(t.exercise);
  for (const auto fmt : {eval::EditFormat::kWhole, eval::EditFormat::kDiff}) {
    const std::string broken_reply = eval::render_reply(fmt, stub, check.solution);
    const auto msgs = eval::build_messages(t.exercise, fmt, check.solution, {broken_reply}, {check.output});
    std::string answer;
    if (fmt == eval::EditFormat::kWhole) {
      answer = eval::render_reply(fmt, check.solution, reference);
    } else {
      std::vector<std::string> texts;
      for (const auto& [p, c] : check.solution) texts.push_back(c);
      for (const auto& [p, c] : reference) texts.push_back(c);
      answer = search_replace_edit(t.solution_path, check.solution.at(t.solution_path), reference.at(t.solution_path),
                                   eval::choose_fence(texts));
    }
    json row = row_of(t, messages_json(msgs, answer));
    row["mutation"] = mutation_name(r.mutant.kind);
    row["edit_format"] = eval::edit_format_name(fmt);
    append_jsonl(files, file, row);
  }
}

// Phase 5: self-repair data from the mutants whose tests really fail, with the real error output.
void add_repair_rows(const SynthOptions& o, const std::vector<Task>& tasks, PolyglotVerifier* verifier,
                     std::map<std::string, std::string>& files, json& repair_stats) {
  const std::vector<Repair> repairs = make_repairs(o, tasks, repair_stats);
  std::vector<LcbCheck> lcb_repair;
  std::vector<PolyglotCheck> poly_repair;
  for (const auto& r : repairs) {
    if (r.task->bench == "livecodebench") {
      lcb_repair.push_back({&r.task->problem, &r.task->tests, r.program, false, {}});
    } else {
      poly_repair.push_back({&r.task->exercise, r.solution, false, "", ""});
    }
  }
  run_lcb_checks(lcb_repair, o.jobs);
  if (verifier) verifier->run(poly_repair);
  size_t li = 0, pi = 0;
  for (const auto& r : repairs) {
    const Task& t = *r.task;
    auto& s = repair_stats[t.language + "/" + t.bench][mutation_name(r.mutant.kind)];
    if (s.is_null()) s = {{"tried", 0}, {"kept", 0}, {"survived", 0}};
    bump(s, "tried");
    const bool lcb = t.bench == "livecodebench";
    const bool failed = lcb ? !lcb_repair[li].passed : !poly_repair[pi].passed;
    if (!failed) {
      bump(s, "survived");  // an equivalent mutant: no repair example
      lcb ? ++li : ++pi;
      continue;
    }
    bump(s, "kept");
    const std::string file = "repair/" + t.split + ".jsonl";
    if (!lcb) {
      add_polyglot_repair_rows(r, poly_repair[pi++], file, files);
      continue;
    }
    const auto& check = lcb_repair[li++];
    auto msgs = eval::lcb::self_repair_messages(t.problem.question_content, check.code, check.metadata.dump());
    json row = row_of(t, messages_json(msgs, mutation_explanation(r.mutant.kind) + "\n\n" + lcb_answer(t.program)));
    row["mutation"] = mutation_name(r.mutant.kind);
    append_jsonl(files, file, row);
  }
}

// Phase 6: the JSONL files of every split (empty ones too, so the layout is fixed).
void write_splits(const SynthOptions& o, std::map<std::string, std::string>& files) {
  for (const auto& split : kSplits) {
    for (const char* dir : {"sft", "lcb", "repair"}) {
      const std::string name = std::string(dir) + "/" + split + ".jsonl";
      if (std::string(dir) == "lcb" && !o.lcb) continue;
      if (std::string(dir) == "repair" && o.repairs_per_task == 0) continue;
      fs::create_directories(o.out_dir / dir);
      write_file_atomic(o.out_dir / name, files[name]);
    }
  }
}

}  // namespace

nlohmann::json run_synth(const SynthOptions& o) {
  check_options(o);
  const auto t0 = Clock::now();
  const Drawn drawn = draw_instances(o, select_families(o));
  std::vector<Task> tasks = make_tasks(o, drawn);
  Seconds seconds;
  seconds.generate = seconds_since(t0);
  const std::unique_ptr<PolyglotVerifier> verifier = verify_references(o, tasks, drawn.instances.size(), seconds);

  std::map<std::string, std::string> files;  // relative output path -> JSONL text
  json verified = json::object(), failures = json::array(), repair_stats = json::object();
  add_sft_rows(o, tasks, files, verified, failures);
  const auto tr = Clock::now();
  add_repair_rows(o, tasks, verifier.get(), files, repair_stats);
  seconds.repair = seconds_since(tr);
  write_splits(o, files);

  json split_counts = json::object();
  for (const auto& t : tasks) {
    if (t.passed) bump(split_counts[t.split], t.bench);
  }
  json stats = {{"seed", o.seed},
                {"per_family", o.per_family},
                {"tests_per_task", o.tests_per_task},
                {"languages", o.languages},
                {"stages", o.stages},
                {"lcb_style", o.lcb_style},
                {"families", drawn.family_stats},
                {"verified", verified},
                {"splits", split_counts},
                {"repair", repair_stats},
                {"failures", failures},
                {"seconds",
                 {{"generate", seconds.generate},
                  {"verify", seconds.verify},
                  {"verify_lcb", seconds.lcb},
                  {"verify_polyglot", seconds.polyglot},
                  {"repair", seconds.repair},
                  {"total", seconds_since(t0)}}}};
  write_file_atomic(o.out_dir / "stats.json", stats.dump(2) + "\n");
  return stats;
}

std::string format_stats(const json& stats) {
  std::ostringstream out;
  out << "verified reference solutions (stage/language/benchmark: passed / generated, dropped):\n";
  for (const auto& [group, g] : stats.at("verified").items()) {
    out << "  " << group << ": " << g.at("passed").get<int>() << " / " << g.at("generated").get<int>() << ", dropped "
        << g.at("dropped").get<int>() << "\n";
  }
  out << "splits:";
  for (const auto& [split, c] : stats.at("splits").items()) out << " " << split << " " << c.dump();
  out << "\nrepair examples (kept = tests failed with the mutant):\n";
  for (const auto& [group, g] : stats.at("repair").items()) {
    out << "  " << group << ":";
    for (const auto& [kind, s] : g.items()) {
      if (s.is_object()) out << " " << kind << " " << s.at("kept").get<int>() << "/" << s.at("tried").get<int>();
    }
    out << "\n";
  }
  const auto& sec = stats.at("seconds");
  out << "seconds: generate " << sec.at("generate").get<double>() << ", verify " << sec.at("verify").get<double>()
      << " (lcb " << sec.at("verify_lcb").get<double>() << ", polyglot " << sec.at("verify_polyglot").get<double>()
      << "), repair " << sec.at("repair").get<double>() << ", total " << sec.at("total").get<double>() << "\n";
  return out.str();
}

}  // namespace hrm::synth
