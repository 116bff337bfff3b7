// Exercism track discovery and decontamination against a polyglot-benchmark checkout.
#include "hrm/synth/exercism_tracks.hpp"

#include <algorithm>
#include <set>
#include <unordered_set>

#include "hrm/data/decontam.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::synth {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json read_json(const fs::path& path) {
  try {
    return json::parse(read_file(path));
  } catch (const json::exception& e) {
    throw Error(path.string() + ": invalid JSON: " + e.what());
  }
}

std::vector<std::string> deprecated_slugs(const json& config) {
  std::vector<std::string> out;
  if (!config.contains("exercises") || !config["exercises"].is_object()) return out;
  const auto& ex = config["exercises"];
  if (!ex.contains("practice") || !ex["practice"].is_array()) return out;
  for (const auto& e : ex["practice"]) {
    if (e.is_object() && e.value("status", "") == "deprecated" && e.contains("slug") && e["slug"].is_string()) {
      out.push_back(e["slug"].get<std::string>());
    }
  }
  return out;
}

}  // namespace

std::string track_language(const fs::path& track) {
  const fs::path config = track / "config.json";
  HRM_CHECK(fs::is_regular_file(config), "'" + track.string() + "' is not an Exercism track checkout: no config.json",
            "--track takes a clone of a track repository, e.g. git clone https://github.com/exercism/python");
  const json j = read_json(config);
  HRM_CHECK(j.contains("slug") && j["slug"].is_string(), config.string() + ": missing the track's 'slug'");
  const std::string slug = j["slug"].get<std::string>();
  HRM_CHECK(std::find(eval::kLanguages.begin(), eval::kLanguages.end(), slug) != eval::kLanguages.end(),
            config.string() + ": track slug '" + slug + "' is not a Polyglot language",
            "use the cpp, go, java, javascript, python or rust track");
  return slug;
}

TrackListing list_track(const fs::path& track) {
  TrackListing out;
  out.language = track_language(track);
  out.deprecated = deprecated_slugs(read_json(track / "config.json"));
  const fs::path practice = track / "exercises" / "practice";
  HRM_CHECK(fs::is_directory(practice), "'" + track.string() + "' has no exercises/practice folder",
            "point --track at the root of the track checkout");
  for (const auto& d : eval::exercise_dirs(practice)) {
    const std::string slug = d.filename().string();
    if (std::find(out.deprecated.begin(), out.deprecated.end(), slug) != out.deprecated.end()) continue;
    out.exercises.push_back(eval::load_exercise(d, out.language));
  }
  return out;
}

std::string exercise_instructions(const eval::Exercise& exercise) { return eval::instructions_text(exercise); }

std::string exercise_tests(const eval::Exercise& exercise) {
  std::string text;
  for (const auto& [path, contents] : eval::read_files(exercise.dir, exercise.test_files)) text += contents + "\n";
  return text;
}

ExcludeSet::ExcludeSet(const std::vector<fs::path>& roots, int ngram, double threshold)
    : ngram_(ngram), threshold_(threshold) {
  HRM_CHECK(ngram >= 1, "exercism: --ngram must be at least 1");
  HRM_CHECK(threshold > 0 && threshold <= 1, "exercism: --threshold must be in (0, 1]");
  struct Text {
    std::string id;
    std::vector<uint64_t> grams;  // distinct
  };
  std::vector<Text> texts;
  std::unordered_map<uint64_t, std::set<std::string>> slugs_of_gram;
  for (const auto& root : roots) {
    for (const auto& ex : eval::find_exercises(root, {}, "")) {
      ++num_exercises_;
      slugs_.emplace(ex.slug, ex.id());
      for (const auto& [part, text] : {std::pair<std::string, std::string>{"instructions", exercise_instructions(ex)},
                                       {"tests", exercise_tests(ex)}}) {
        auto grams = word_ngrams(text, ngram_);
        std::sort(grams.begin(), grams.end());
        grams.erase(std::unique(grams.begin(), grams.end()), grams.end());
        for (const uint64_t g : grams) slugs_of_gram[g].insert(ex.slug);
        texts.push_back({ex.id() + " " + part, std::move(grams)});
      }
    }
  }
  // Track boilerplate (test-file headers, the shared error-handling notes appended to instructions)
  // recurs across unrelated problems; an n-gram found in kBoilerplateSlugs different problems says
  // nothing about which one an exercise copies, so it is not compared.
  for (auto& t : texts) {
    std::vector<uint64_t> kept;
    for (const uint64_t g : t.grams) {
      if (slugs_of_gram[g].size() < kBoilerplateSlugs) kept.push_back(g);
    }
    if (kept.empty()) continue;  // nothing specific to compare (the slug check still applies)
    const auto index = static_cast<uint32_t>(parts_.size());
    parts_.push_back({t.id, kept.size()});
    for (const uint64_t g : kept) parts_of_ngram_[g].push_back(index);
  }
}

std::optional<Exclusion> ExcludeSet::check(const eval::Exercise& exercise) const {
  if (const auto it = slugs_.find(exercise.slug); it != slugs_.end()) {
    return Exclusion{exercise.id(), "slug", it->second, 1.0};
  }
  const auto grams = word_ngrams(exercise_instructions(exercise) + "\n" + exercise_tests(exercise), ngram_);
  const std::unordered_set<uint64_t> distinct(grams.begin(), grams.end());
  std::vector<size_t> hits(parts_.size(), 0);
  for (const uint64_t g : distinct) {
    const auto it = parts_of_ngram_.find(g);
    if (it == parts_of_ngram_.end()) continue;
    for (const uint32_t p : it->second) ++hits[p];
  }
  std::optional<Exclusion> worst;
  for (size_t p = 0; p < parts_.size(); ++p) {
    const double overlap = static_cast<double>(hits[p]) / static_cast<double>(parts_[p].ngrams);
    if (overlap >= threshold_ && (!worst || overlap > worst->overlap)) {
      worst = Exclusion{exercise.id(), "ngram", parts_[p].id, overlap};
    }
  }
  return worst;
}

}  // namespace hrm::synth
