#include "hrm/data/decontam.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <unordered_set>

#include "hrm/data/input.hpp"
#include "hrm/data/minhash.hpp"
#include "hrm/util/utf8.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm {

namespace fs = std::filesystem;

std::vector<uint64_t> word_ngrams(std::string_view text, int n) {
  std::vector<uint64_t> words;
  std::string w;
  const auto flush = [&] {
    if (!w.empty()) words.push_back(hash64(w));
    w.clear();
  };
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '_' || c >= 0x80) {
      w.push_back(static_cast<char>(std::tolower(c)));
    } else {
      flush();
    }
  }
  flush();
  std::vector<uint64_t> out;
  const size_t k = static_cast<size_t>(std::max(n, 1));
  if (words.size() < k) return out;
  out.reserve(words.size() - k + 1);
  for (size_t i = 0; i + k <= words.size(); ++i) {
    uint64_t h = 0x84222325cbf29ce4ULL;
    for (size_t j = 0; j < k; ++j) h = (h ^ words[i + j]) * 0x100000001b3ULL + (h >> 29);
    out.push_back(h);
  }
  return out;
}

namespace {

void load_polyglot(const fs::path& root, std::vector<BenchmarkProblem>& out) {
  // Every directory .../exercises/practice/<slug>; the language is the directory above "exercises".
  std::vector<fs::path> exercises;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end; it != end;
       it.increment(ec)) {
    if (ec) break;
    if (!it->is_directory()) continue;
    const auto p = it->path();
    if (p.parent_path().filename() == "practice" && p.parent_path().parent_path().filename() == "exercises") {
      exercises.push_back(p);
      it.disable_recursion_pending();
    } else if (it.depth() > 4) {
      it.disable_recursion_pending();
    }
  }
  std::sort(exercises.begin(), exercises.end());
  for (const auto& ex : exercises) {
    BenchmarkProblem problem;
    problem.id = ex.parent_path().parent_path().parent_path().filename().string() + "/" + ex.filename().string();
    std::vector<fs::path> files;
    for (fs::recursive_directory_iterator it(ex, ec), end; it != end; it.increment(ec)) {
      if (ec) break;
      if (it->is_regular_file() && it->file_size() < (1u << 20)) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::string text = read_file(f);
      if (utf8::is_valid(text) && text.find('\0') == std::string::npos) problem.text += text + "\n";
    }
    out.push_back(std::move(problem));
  }
}

void load_lcb(const fs::path& path, const std::string& cutoff, std::vector<BenchmarkProblem>& out) {
  ProblemLog problems(OnError::Stop);
  JsonlReader reader(path, problems);
  while (auto row = reader.next()) {
    const auto str = [&](const char* key) {
      return row->contains(key) && (*row)[key].is_string() ? (*row)[key].get<std::string>() : std::string();
    };
    if (!cutoff.empty()) {
      const std::string date = str("contest_date");
      if (date.empty()) {
        throw Error(reader.where() + ": no contest_date, but a cutoff date was given",
                    "LiveCodeBench rows carry contest_date (e.g. \"2024-09-01T00:00:00\")");
      }
      if (date.substr(0, 10) < cutoff) continue;
    }
    BenchmarkProblem p;
    p.id = str("question_id");
    if (p.id.empty()) p.id = path.filename().string() + ":" + std::to_string(reader.line());
    p.text = str("question_title") + "\n" + str("question_content") + "\n" + str("starter_code");
    out.push_back(std::move(p));
  }
}

}  // namespace

std::vector<BenchmarkProblem> load_benchmark(const fs::path& path, const std::string& lcb_cutoff) {
  std::vector<BenchmarkProblem> out;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    load_polyglot(path, out);
    if (out.empty()) {
      throw Error("no Polyglot exercises under '" + path.string() + "'",
                  "a Polyglot benchmark has <language>/exercises/practice/<slug>/ directories");
    }
  } else if (fs::is_regular_file(path, ec)) {
    load_lcb(path, lcb_cutoff, out);
  } else {
    throw Error("benchmark '" + path.string() + "' does not exist",
                "pass a Polyglot directory or a LiveCodeBench .jsonl");
  }
  return out;
}

OverlapIndex::OverlapIndex(std::vector<BenchmarkProblem> problems, DecontamOptions options)
    : options_(options), problems_(std::move(problems)) {
  if (options_.ngram < 1) throw Error("decontamination n-gram size must be at least 1");
  for (const auto& p : problems_) {
    std::vector<uint32_t> ids;
    std::unordered_set<uint64_t> seen;
    for (uint64_t h : word_ngrams(p.text, options_.ngram)) {
      if (!seen.insert(h).second) continue;
      auto [it, added] = ngram_ids_.emplace(h, static_cast<uint32_t>(ngram_ids_.size()));
      ids.push_back(it->second);
    }
    problem_ngrams_.push_back(std::move(ids));
  }
  hit_.assign(ngram_ids_.size(), 0);
  first_hit_.assign(ngram_ids_.size(), std::string());
}

void OverlapIndex::scan(std::string_view text, const std::string& where) {
  ++documents_;
  if (ngram_ids_.empty()) return;
  for (uint64_t h : word_ngrams(text, options_.ngram)) {
    const auto it = ngram_ids_.find(h);
    if (it == ngram_ids_.end() || hit_[it->second]) continue;
    hit_[it->second] = 1;
    first_hit_[it->second] = where;
  }
}

OverlapReport OverlapIndex::report() const {
  OverlapReport r;
  r.ngram = options_.ngram;
  r.threshold = options_.threshold;
  r.training_documents = documents_;
  for (size_t i = 0; i < problems_.size(); ++i) {
    OverlapReport::Problem p;
    p.id = problems_[i].id;
    p.ngrams = problem_ngrams_[i].size();
    for (uint32_t id : problem_ngrams_[i]) {
      if (!hit_[id]) continue;
      if (p.first_hit.empty()) p.first_hit = first_hit_[id];
      ++p.hits;
    }
    p.overlap = p.ngrams ? static_cast<double>(p.hits) / static_cast<double>(p.ngrams) : 0.0;
    r.problems.push_back(std::move(p));
  }
  std::stable_sort(r.problems.begin(), r.problems.end(),
                   [](const auto& a, const auto& b) { return a.overlap > b.overlap; });
  return r;
}

size_t OverlapReport::contaminated() const {
  return static_cast<size_t>(std::count_if(problems.begin(), problems.end(),
                                           [&](const Problem& p) { return p.ngrams > 0 && p.overlap >= threshold; }));
}

std::string OverlapReport::format(size_t max_rows) const {
  char line[512];
  std::string out;
  std::snprintf(line, sizeof line,
                "decontamination: %zu benchmark problems, %zu training documents, %d-gram overlap, threshold %.3f\n",
                problems.size(), training_documents, ngram, threshold);
  out += line;
  std::snprintf(line, sizeof line, "contaminated problems (overlap >= threshold): %zu\n", contaminated());
  out += line;
  for (size_t i = 0; i < problems.size() && i < max_rows; ++i) {
    const auto& p = problems[i];
    if (p.hits == 0) break;
    std::snprintf(line, sizeof line, "  %-40s overlap %.3f (%zu of %zu n-grams) first seen in %s\n", p.id.c_str(),
                  p.overlap, p.hits, p.ngrams, p.first_hit.c_str());
    out += line;
  }
  return out;
}

}  // namespace hrm
