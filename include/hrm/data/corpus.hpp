// `hrm-data corpus`: walk source trees and write a deduplicated JSONL corpus of source files.
//
// Each kept file becomes one row:
//   {"path": "/usr/lib/python3.11/heapq.py", "root": "/usr/lib/python3.11", "language": "python",
//    "license": "/usr/lib/python3.11/LICENSE.txt" or null, "bytes": 23011, "hash": "<32 hex>", "content": "..."}
// Files are visited in sorted path order (symlinks inside the trees are not followed, hidden entries are
// skipped), so the same trees give the same corpus. Every file that is not kept is counted under one
// reason (CorpusStats::dropped):
//   not_source       no known language (extension, or first line for extensionless files)
//   symlink          a symbolic link inside a tree (not followed)   not_regular  fifo, socket, device
//   unreadable_dir   a directory that cannot be listed (its files are not seen)
//   oversized        larger than max_file_bytes           unreadable   cannot be read (on_error applies)
//   binary           contains NUL bytes                   encoding     not valid UTF-8 (on_error applies)
//   empty            only whitespace                      generated    a "generated, do not edit" marker near the top
//   minified         a *.min.* name, a line longer than max_line_bytes, or mean line length above max_mean_line_bytes
//   exact_duplicate  same bytes as a kept file            near_duplicate  MinHash/LSH similarity >= minhash.threshold
#pragma once
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hrm/data/input.hpp"
#include "hrm/data/minhash.hpp"

namespace hrm {

struct CorpusOptions {
  size_t max_file_bytes = 1 << 20;     // oversized above this
  size_t max_line_bytes = 1000;        // minified if any line is longer
  double max_mean_line_bytes = 100.0;  // minified if the mean line length is above
  bool near_dedup = true;
  MinHashOptions minhash;
  OnError on_error = OnError::Skip;  // unreadable files and invalid UTF-8
};

struct CorpusStats {
  struct PerLanguage {
    size_t files = 0, bytes = 0;
  };
  std::map<std::string, PerLanguage> kept;  // by language name
  std::map<std::string, size_t> dropped;    // by reason
  size_t files_seen = 0;
  std::vector<std::string> examples;  // first few dropped-for-error files, "path: detail"
  nlohmann::json to_json() const;
  std::string format() const;  // a table for the terminal
};

// Why `text` (the bytes of `path`) is not kept, or "" when it passes the content filters
// (binary, encoding, empty, generated, minified). `detail` gets a human explanation when dropped.
std::string content_drop_reason(const std::filesystem::path& path, std::string_view text, const CorpusOptions& options,
                                std::string* detail = nullptr);

// Walks `roots` (directories or single files) and writes the corpus to `out_jsonl`; a stats JSON is
// written next to it as <out_jsonl>.stats.json.
CorpusStats build_corpus(const std::vector<std::filesystem::path>& roots, const std::filesystem::path& out_jsonl,
                         const CorpusOptions& options);

}  // namespace hrm
