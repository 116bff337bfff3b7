#include "hrm/data/input.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

#include "hrm/util/utf8.hpp"
#include "hrm/util/error.hpp"

namespace hrm {

OnError parse_on_error(const std::string& value) {
  if (value == "skip") return OnError::Skip;
  if (value == "stop") return OnError::Stop;
  throw Error("on_error is '" + value + "'", "use skip (count and go on) or stop (fail on the first bad input)");
}

void ProblemLog::report(const std::string& reason, const std::string& where, const std::string& detail) {
  if (on_error_ == OnError::Stop) {
    throw Error(where + ": " + detail, "fix the input, or set on_error: skip (--on-error skip) to count and skip it");
  }
  ++counts_[reason];
  if (examples_.size() < 10) {
    examples_.push_back(where + ": " + detail);
    spdlog::warn("skipping {}: {}", where, detail);
  }
}

size_t ProblemLog::total() const {
  size_t n = 0;
  for (const auto& [_, c] : counts_) n += c;
  return n;
}

JsonlReader::JsonlReader(const std::filesystem::path& path, ProblemLog& problems)
    : path_(path), problems_(problems), in_(path, std::ios::binary) {
  if (!in_) throw Error("cannot open '" + path.string() + "': " + std::strerror(errno), "check the path in the config");
}

std::optional<nlohmann::json> JsonlReader::next() {
  std::string text;
  while (std::getline(in_, text)) {
    ++line_;
    line_offset_ = bytes_;
    bytes_ += text.size() + 1;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.find_first_not_of(" \t") == std::string::npos) continue;
    if (!utf8::is_valid(text)) {
      problems_.report("encoding", where(), utf8::describe_invalid(text));
      continue;
    }
    nlohmann::json row = nlohmann::json::parse(text, nullptr, false);
    if (row.is_discarded()) {
      problems_.report("broken_json", where(), "not valid JSON");
      continue;
    }
    if (!row.is_object()) {
      problems_.report("broken_json", where(), "a JSON line must be an object");
      continue;
    }
    return row;
  }
  if (in_.bad()) throw Error("error reading '" + path_.string() + "' after line " + std::to_string(line_));
  return std::nullopt;
}

}  // namespace hrm
