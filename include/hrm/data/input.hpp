// Bad input handling shared by the data builders: every problem names its file (and line), and is either
// counted and skipped or stops the build, as configured (`on_error: skip|stop`). Nothing is dropped
// without being counted.
#pragma once
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace hrm {

enum class OnError { Skip, Stop };
OnError parse_on_error(const std::string& value);  // "skip" or "stop"; throws otherwise

// Counts problems by reason; with OnError::Stop, report() throws the problem as an hrm::Error.
class ProblemLog {
 public:
  explicit ProblemLog(OnError on_error = OnError::Skip) : on_error_(on_error) {}
  // `where` names the input ("a/b.jsonl:12"); `reason` is a short key ("broken_json"); `detail` explains.
  void report(const std::string& reason, const std::string& where, const std::string& detail);
  const std::map<std::string, size_t>& counts() const { return counts_; }
  size_t total() const;
  // The first few problems, "where: detail", to print after a build.
  const std::vector<std::string>& examples() const { return examples_; }
  OnError on_error() const { return on_error_; }

 private:
  OnError on_error_;
  std::map<std::string, size_t> counts_;
  std::vector<std::string> examples_;
};

// Reads a JSONL file one object at a time. Broken lines (not JSON, not an object, invalid UTF-8) are
// reported to the ProblemLog as "<path>:<line>" and skipped (or stop the build); blank lines are ignored.
class JsonlReader {
 public:
  JsonlReader(const std::filesystem::path& path, ProblemLog& problems);
  // The next valid object, or nullopt at the end of the file.
  std::optional<nlohmann::json> next();
  size_t line() const { return line_; }
  std::string where() const { return path_.string() + ":" + std::to_string(line_); }
  // Bytes read so far (for progress bars).
  size_t bytes_read() const { return bytes_; }
  // Byte offset in the file where the line of the last returned object starts (to seek back to it).
  size_t line_offset() const { return line_offset_; }

 private:
  std::filesystem::path path_;
  ProblemLog& problems_;
  std::ifstream in_;
  size_t line_ = 0;
  size_t bytes_ = 0;
  size_t line_offset_ = 0;
};

}  // namespace hrm
