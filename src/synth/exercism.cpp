// The `hrm-data exercism` pipeline: list the tracks, exclude the benchmark's exercises, verify every
// reference solution in the sandbox, split by slug, write SFT / repair / RL rows and the exercises.
#include "hrm/synth/exercism.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>

#include "hrm/synth/exercism_tracks.hpp"
#include "hrm/synth/family.hpp"
#include "hrm/synth/mutate.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/synth/polyglot_rows.hpp"
#include "verify.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<std::string> kSplits = {"train", "test"};

struct Candidate {
  eval::Exercise exercise;
  FileMap stub, reference;
  std::string split;
  bool passed = false;
};

void bump(json& j, const std::string& key) {
  if (!j.is_object()) j = json::object();
  j[key] = j.value(key, 0) + 1;
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

void check_options(const ExercismOptions& o) {
  HRM_CHECK(!o.out_dir.empty(), "exercism: --out is required");
  HRM_CHECK(!o.tracks.empty(), "exercism: no --track given", "pass one or more Exercism track checkouts");
  HRM_CHECK(!o.exclude.empty(), "exercism: no --exclude given",
            "pass the polyglot-benchmark checkout, so that none of its exercises is trained on");
  HRM_CHECK(o.test_fraction >= 0 && o.test_fraction < 1, "exercism: --test-fraction must be in [0, 1)");
  HRM_CHECK(o.repairs_per_exercise >= 0, "exercism: --repairs must be >= 0");
  if (fs::exists(o.out_dir)) {
    HRM_CHECK(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir),
              "exercism: output directory '" + o.out_dir.string() + "' is not empty", "choose a new --out");
  }
}

std::string split_of(const ExercismOptions& o, const std::string& slug) {
  if (!o.holdout.empty()) {
    return std::find(o.holdout.begin(), o.holdout.end(), slug) != o.holdout.end() ? "test" : "train";
  }
  // By slug, so that the same problem in two tracks never straddles the splits.
  const double u = static_cast<double>(mix_seed(o.seed, slug, 0) % 1000000) / 1e6;
  return u < o.test_fraction ? "test" : "train";
}

// Lists every track, records exclusions, and returns the exercises left to verify.
std::vector<Candidate> collect(const ExercismOptions& o, const ExcludeSet& exclude, json& languages, json& excluded) {
  std::vector<Candidate> out;
  for (const auto& track : o.tracks) {
    const TrackListing listing = list_track(track);
    json& lang = languages[listing.language];
    if (lang.is_null()) lang = json::object();
    lang["deprecated"] = listing.deprecated.size();
    for (const auto& ex : listing.exercises) {
      bump(lang, "found");
      if (const auto why = exclude.check(ex)) {
        bump(lang, "excluded_" + why->reason);
        excluded.push_back(
            {{"id", why->id}, {"reason", why->reason}, {"benchmark", why->benchmark}, {"overlap", why->overlap}});
        continue;
      }
      Candidate c{ex, eval::read_files(ex.dir, ex.solution_files), {}, split_of(o, ex.slug)};
      bool has_reference = !ex.example_files.empty();
      for (const auto& e : ex.example_files) has_reference = has_reference && fs::is_regular_file(ex.dir / e);
      if (!has_reference) {
        bump(lang, "no_reference");
        continue;
      }
      c.reference = eval::reference_solution(ex);
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Solution files the reference changes, largest first: where a mutation goes.
std::string mutation_target(const Candidate& c) {
  std::string best;
  for (const auto& [path, text] : c.reference) {
    const bool solution = std::find(c.exercise.solution_files.begin(), c.exercise.solution_files.end(), path) !=
                          c.exercise.solution_files.end();
    if (solution && (best.empty() || text.size() > c.reference.at(best).size())) best = path;
  }
  return best;
}

// Names in the program that a wrong-variable mutation may swap: lower-case identifiers used at least
// twice that are not keywords of the six languages.
std::vector<std::string> identifiers_in(const std::string& text) {
  static const std::set<std::string> keywords = {
      "and",   "as",    "auto",   "bool",   "break", "case",   "catch",  "char",   "class", "const", "continue",
      "def",   "del",   "do",     "double", "elif",  "else",   "enum",   "false",  "final", "float", "fn",
      "for",   "from",  "func",   "if",     "impl",  "import", "in",     "int",    "is",    "let",   "long",
      "match", "mut",   "new",    "not",    "null",  "or",     "pass",   "pub",    "raise", "range", "return",
      "self",  "short", "size_t", "static", "std",   "string", "struct", "switch", "this",  "throw", "true",
      "try",   "type",  "use",    "var",    "void",  "while",  "with",   "yield",  "none",  "nil",   "len"};
  std::map<std::string, int> counts;
  for (size_t p = 0; p < text.size();) {
    if (std::islower(static_cast<unsigned char>(text[p])) &&
        (p == 0 || !std::isalnum(static_cast<unsigned char>(text[p - 1])))) {
      size_t e = p;
      while (e < text.size() && (std::isalnum(static_cast<unsigned char>(text[e])) || text[e] == '_')) ++e;
      ++counts[text.substr(p, e - p)];
      p = e;
    } else {
      ++p;
    }
  }
  std::vector<std::string> out;
  for (const auto& [word, n] : counts) {
    if (n >= 2 && word.size() >= 2 && !keywords.count(word)) out.push_back(word);
  }
  return out;
}

struct Mutant {
  const Candidate* candidate;
  Mutation kind;
  FileMap solution;
};

// Up to `repairs` mutants of the reference, each a different kind where the file allows.
std::vector<Mutant> make_mutants(const Candidate& c, const ExercismOptions& o) {
  std::vector<Mutant> out;
  const std::string target = mutation_target(c);
  if (target.empty()) return out;
  const std::string& text = c.reference.at(target);
  const auto names = identifiers_in(text);
  Rng rng(mix_seed(o.seed ^ 0x7e57ULL, c.exercise.id(), 0));
  const size_t first = static_cast<size_t>(rng.range(0, static_cast<int64_t>(kMutations.size()) - 1));
  for (size_t k = 0; k < kMutations.size() && static_cast<int>(out.size()) < o.repairs_per_exercise; ++k) {
    const Mutation m = kMutations[(first + k) % kMutations.size()];
    const auto broken = mutate(text, m, c.exercise.language, names, rng);
    if (!broken || *broken == text) continue;
    FileMap solution = c.reference;
    solution[target] = *broken;
    out.push_back({&c, m, std::move(solution)});
  }
  return out;
}

void verify_references(std::vector<Candidate>& cands, PolyglotVerifier& verifier, json& languages, json& failures) {
  std::vector<PolyglotCheck> checks;
  for (const auto& c : cands) checks.push_back({&c.exercise, c.reference, false, "", ""});
  verifier.run(checks);
  for (size_t k = 0; k < cands.size(); ++k) {
    cands[k].passed = checks[k].passed;
    bump(languages[cands[k].exercise.language], checks[k].passed ? "verified" : "failed");
    if (!checks[k].passed) {
      failures.push_back({{"id", cands[k].exercise.id()},
                          {"verdict", checks[k].verdict},
                          {"output", checks[k].output.substr(0, 2000)}});
    }
  }
}

json row_of(const Candidate& c, json messages) {
  return {{"messages", std::move(messages)},
          {"language", c.exercise.language},
          {"task_id", c.exercise.id()},
          {"split", c.split},
          {"bench", "polyglot"},
          {"source", "exercism"}};
}

std::string exercise_rel_dir(const Candidate& c) {
  return "polyglot/" + c.split + "/" + c.exercise.language + "/exercises/practice/" + c.exercise.slug;
}

// SFT rows (whole, diff), the RL task row, and the exercise copied in the Polyglot layout.
void write_exercise_rows(const Candidate& c, const fs::path& out, std::map<std::string, std::string>& files) {
  fs::create_directories((out / exercise_rel_dir(c)).parent_path());
  fs::copy(c.exercise.dir, out / exercise_rel_dir(c), fs::copy_options::recursive);
  for (const auto fmt : {eval::EditFormat::kWhole, eval::EditFormat::kDiff}) {
    const std::string answer = fmt == eval::EditFormat::kWhole ? eval::render_reply(fmt, c.stub, c.reference)
                                                               : diff_reply(c.stub, c.reference);
    json row = row_of(c, chat_json(eval::build_messages(c.exercise, fmt, c.stub, {}, {}), answer));
    row["edit_format"] = eval::edit_format_name(fmt);
    files["sft/" + c.split + ".jsonl"] += row.dump() + "\n";
  }
  json prompt = chat_json(eval::build_messages(c.exercise, eval::EditFormat::kWhole, c.stub, {}, {}), "");
  prompt.erase(prompt.size() - 1);  // the prompt only: the policy writes the answer
  json task = row_of(c, prompt);
  task["edit_format"] = "whole";
  task["exercise"] = exercise_rel_dir(c);
  files["gspo/" + c.split + ".jsonl"] += task.dump() + "\n";
}

json write_repairs(const std::vector<Candidate>& cands, const ExercismOptions& o, PolyglotVerifier& verifier,
                   std::map<std::string, std::string>& files) {
  std::vector<Mutant> mutants;
  for (const auto& c : cands) {
    if (!c.passed) continue;
    for (auto& m : make_mutants(c, o)) mutants.push_back(std::move(m));
  }
  std::vector<PolyglotCheck> checks;
  for (const auto& m : mutants) checks.push_back({&m.candidate->exercise, m.solution, false, "", ""});
  verifier.run(checks);
  json stats = json::object();
  for (size_t k = 0; k < mutants.size(); ++k) {
    const Candidate& c = *mutants[k].candidate;
    json& s = stats[c.exercise.language][mutation_name(mutants[k].kind)];
    bump(s, "tried");
    if (checks[k].passed) {
      bump(s, "survived");  // the tests do not tell this mutant from the reference: no example
      continue;
    }
    bump(s, "kept");
    for (const auto& chat : repair_chats(c.exercise, c.stub, mutants[k].solution, checks[k].output, c.reference)) {
      json row = row_of(c, chat_json(chat.messages, chat.answer));
      row["mutation"] = mutation_name(mutants[k].kind);
      row["edit_format"] = eval::edit_format_name(chat.format);
      files["repair/" + c.split + ".jsonl"] += row.dump() + "\n";
    }
  }
  return stats;
}

}  // namespace

json run_exercism(const ExercismOptions& o) {
  check_options(o);
  const auto t0 = Clock::now();
  const ExcludeSet exclude(o.exclude, o.ngram, o.threshold);
  spdlog::info("exercism: excluding {} benchmark exercises ({} slugs)", exclude.num_exercises(), exclude.num_slugs());
  json languages = json::object(), excluded = json::array(), failures = json::array();
  auto cands = collect(o, exclude, languages, excluded);
  for (const auto& e : excluded) {
    spdlog::info("exercism: excluded {} ({} {}, overlap {:.2f})", e["id"].get<std::string>(),
                 e["reason"].get<std::string>(), e["benchmark"].get<std::string>(), e["overlap"].get<double>());
  }
  std::vector<std::string> langs;
  for (const auto& [l, s] : languages.items()) langs.push_back(l);
  PolyglotVerifier verifier(langs, o.jobs, o.timeout_seconds, o.cache_dir);
  const auto tv = Clock::now();
  spdlog::info("exercism: verifying {} reference solutions in the sandbox", cands.size());
  verify_references(cands, verifier, languages, failures);
  const double verify_seconds = seconds_since(tv);

  fs::create_directories(o.out_dir);
  std::map<std::string, std::string> files;
  json splits = json::object();
  for (const auto& c : cands) {
    if (!c.passed) continue;
    bump(splits[c.split], c.exercise.language);
    write_exercise_rows(c, o.out_dir, files);
  }
  const auto tr = Clock::now();
  const json repair = o.repairs_per_exercise > 0 ? write_repairs(cands, o, verifier, files) : json::object();
  const double repair_seconds = seconds_since(tr);
  for (const auto& split : kSplits) {
    for (const std::string dir : {"sft", "repair", "gspo"}) {
      if (dir == "repair" && o.repairs_per_exercise == 0) continue;
      fs::create_directories(o.out_dir / dir);
      write_file_atomic(o.out_dir / dir / (split + ".jsonl"), files[dir + "/" + split + ".jsonl"]);
    }
  }
  write_file_atomic(o.out_dir / "excluded.json", excluded.dump(2) + "\n");
  json stats = {{"seed", o.seed},
                {"languages", languages},
                {"excluded", excluded.size()},
                {"splits", splits},
                {"repair", repair},
                {"failures", failures},
                {"decontamination",
                 {{"ngram", o.ngram}, {"threshold", o.threshold}, {"benchmark_exercises", exclude.num_exercises()}}},
                {"seconds", {{"verify", verify_seconds}, {"repair", repair_seconds}, {"total", seconds_since(t0)}}}};
  write_file_atomic(o.out_dir / "stats.json", stats.dump(2) + "\n");
  return stats;
}

std::string format_exercism_stats(const json& stats) {
  std::ostringstream out;
  out << "exercises per language (found: excluded by slug / by n-grams, no reference, failed, verified):\n";
  for (const auto& [lang, s] : stats.at("languages").items()) {
    out << "  " << lang << ": found " << s.value("found", 0) << ", excluded " << s.value("excluded_slug", 0) << " / "
        << s.value("excluded_ngram", 0) << ", no reference " << s.value("no_reference", 0) << ", failed "
        << s.value("failed", 0) << ", verified " << s.value("verified", 0) << "\n";
  }
  out << "splits:";
  for (const auto& [split, c] : stats.at("splits").items()) out << " " << split << " " << c.dump();
  out << "\nrepair examples (kept = tests failed with the mutant):\n";
  for (const auto& [lang, g] : stats.at("repair").items()) {
    out << "  " << lang << ":";
    for (const auto& [kind, s] : g.items())
      out << " " << kind << " " << s.value("kept", 0) << "/" << s.value("tried", 0);
    out << "\n";
  }
  for (const auto& f : stats.at("failures")) {
    out << "dropped " << f.at("id").get<std::string>() << ": " << f.at("verdict").get<std::string>() << "\n";
  }
  return out.str();
}

}  // namespace hrm::synth
