// Exercism track checkouts as a data source: the practice exercises of a track (the Exercism layout
// the Polyglot benchmark was drawn from: <track>/exercises/practice/<slug>/ with .meta/config.json,
// .docs/instructions.md, stubs, tests, the reference under .meta/), and the decontamination against a
// polyglot-benchmark checkout: an exercise is excluded when the benchmark has its slug (in any
// language) or when the benchmark's instructions or tests of some exercise share a large part of their
// word n-grams with the exercise's instructions and tests (n-grams that recur across several benchmark
// problems, the tracks' boilerplate, are not compared).
//
// Exports: track_language(), TrackListing, list_track(), exercise_instructions(), exercise_tests(), Exclusion,
// ExcludeSet.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "hrm/eval/polyglot_exercise.hpp"

namespace hrm::synth {

// The track's language ("python", ...), from the `slug` of <track>/config.json; throws hrm::Error when
// the file is missing or names none of the six Polyglot languages.
std::string track_language(const std::filesystem::path& track);

struct TrackListing {
  std::string language;
  std::vector<eval::Exercise> exercises;  // sorted by slug
  std::vector<std::string> deprecated;    // slugs the track's config.json marks deprecated (skipped)
};
// Every practice exercise of the track that has a .meta/config.json. A malformed config throws,
// naming the file.
TrackListing list_track(const std::filesystem::path& track);

// The text decontamination compares: instructions (introduction, instructions, append) and tests.
std::string exercise_instructions(const eval::Exercise& exercise);
std::string exercise_tests(const eval::Exercise& exercise);

struct Exclusion {
  std::string id;         // "<language>/<slug>" of the track exercise
  std::string reason;     // "slug" or "ngram"
  std::string benchmark;  // the benchmark exercise it collides with ("go/two-fer"), with the part for ngram
  double overlap = 0.0;   // ngram: the share of that part's distinct n-grams found in the exercise
};

class ExcludeSet {
 public:
  // N-grams shared by this many different benchmark problems are boilerplate and not compared.
  static constexpr size_t kBoilerplateSlugs = 3;
  // Loads every exercise of the polyglot-benchmark checkouts (<root>/<language>/exercises/practice/).
  ExcludeSet(const std::vector<std::filesystem::path>& roots, int ngram, double threshold);
  // Why `exercise` must not be trained on, or nullopt when it is clean.
  std::optional<Exclusion> check(const eval::Exercise& exercise) const;
  size_t num_exercises() const { return num_exercises_; }
  size_t num_slugs() const { return slugs_.size(); }

 private:
  struct Part {
    std::string id;  // "go/two-fer instructions"
    size_t ngrams = 0;
  };
  int ngram_;
  double threshold_;
  size_t num_exercises_ = 0;
  std::map<std::string, std::string> slugs_;  // slug -> the first benchmark id that has it
  std::vector<Part> parts_;
  std::unordered_map<uint64_t, std::vector<uint32_t>> parts_of_ngram_;
};

}  // namespace hrm::synth
