// Benchmark decontamination: n-gram overlap between training text and a benchmark's evaluation problems.
//
// A benchmark is either
//   - a directory in the Polyglot layout: <root>/<language>/exercises/practice/<slug>/ (each exercise
//     directory is one problem, id "<language>/<slug>", its text every UTF-8 file below it: instructions,
//     stub, tests, example solution), or
//   - a LiveCodeBench JSONL file (one problem per row, id "question_id"; text question_title +
//     question_content + starter_code); with a cutoff date only problems whose contest_date is on or
//     after it count (those are the evaluation problems; older ones may be trained on).
//
// Text is split into words (runs of letters, digits and '_', lower-cased); an n-gram is n consecutive
// words. A problem's overlap is the fraction of its distinct n-grams that occur anywhere in the training
// text. A problem is contaminated when its overlap is at least the threshold; `hrm-data build` refuses
// to write shards while any problem is contaminated, unless forced.
#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hrm {

struct BenchmarkProblem {
  std::string id;
  std::string text;
};

// Loads the problems of one benchmark path (directory or .jsonl); `lcb_cutoff` is "YYYY-MM-DD" or "".
std::vector<BenchmarkProblem> load_benchmark(const std::filesystem::path& path, const std::string& lcb_cutoff = "");

struct DecontamOptions {
  int ngram = 13;
  double threshold = 0.1;
};

struct OverlapReport {
  struct Problem {
    std::string id;
    size_t ngrams = 0, hits = 0;
    double overlap = 0.0;
    std::string first_hit;  // where a training document first shared an n-gram ("file:line")
  };
  std::vector<Problem> problems;  // sorted by overlap, highest first
  int ngram = 0;
  double threshold = 0.0;
  size_t training_documents = 0;
  size_t contaminated() const;
  std::string format(size_t max_rows = 20) const;
};

class OverlapIndex {
 public:
  OverlapIndex(std::vector<BenchmarkProblem> problems, DecontamOptions options);
  // Marks the benchmark n-grams found in one training document; `where` names it for the report.
  void scan(std::string_view text, const std::string& where);
  OverlapReport report() const;
  size_t num_problems() const { return problems_.size(); }

 private:
  DecontamOptions options_;
  std::vector<BenchmarkProblem> problems_;
  std::unordered_map<uint64_t, uint32_t> ngram_ids_;   // n-gram hash -> distinct n-gram index
  std::vector<std::vector<uint32_t>> problem_ngrams_;  // per problem, its distinct n-gram indices
  std::vector<uint8_t> hit_;                           // per distinct n-gram
  std::vector<std::string> first_hit_;                 // per distinct n-gram
  size_t documents_ = 0;
};

// The word n-gram hashes of `text` (exposed for tests).
std::vector<uint64_t> word_ngrams(std::string_view text, int n);

}  // namespace hrm
