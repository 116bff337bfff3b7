// Edit formats: how a model's reply turns into file changes, following Aider's conventions so that
// Polyglot numbers stay comparable.
//   whole — every changed file is given in full: a line with the file name, then a fenced block.
//   diff  — SEARCH/REPLACE blocks (<<<<<<< SEARCH / ======= / >>>>>>> REPLACE) after a file name line;
//           a SEARCH text is found with Aider's rules: exact, uniform leading-whitespace offset, a stray
//           leading blank line dropped, `...` elision lines.
// Exports: EditFormat, FileEdit, ParsedReply, parse_reply(), apply_edits(), replace_most_similar_chunk(),
// render_file(), render_reply(), format_instructions(). Pure text functions except apply_edits().
#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hrm::eval {

enum class EditFormat { kWhole, kDiff };
EditFormat parse_edit_format(const std::string& name);  // "whole" | "diff"; throws hrm::Error otherwise
const char* edit_format_name(EditFormat format);

// One edit. whole: `replace` is the new content and `search` is unused. diff: replace `search` by
// `replace` (an empty `search` creates the file or appends to it).
struct FileEdit {
  std::string path;  // as written in the reply, resolved to one of the chat's files when possible
  std::string search;
  std::string replace;
};

struct ParsedReply {
  std::vector<FileEdit> edits;
  std::vector<std::string> errors;  // non-empty: the reply is malformed (the edits that parsed still apply)
  bool malformed() const { return !errors.empty(); }
};

// Parses a reply. `chat_files` are the files the model was shown (relative paths); a file name in the
// reply is matched to them exactly, then by base name; a block without a file name goes to the only
// chat file (or the previous block's file in diff format).
ParsedReply parse_reply(EditFormat format, const std::string& reply, const std::vector<std::string>& chat_files);

// Applies edits to files under `root` (paths relative to it). Only `chat_files` may be changed: an edit
// naming another file is an error. Diff edits whose SEARCH text matches nowhere in its file are tried on
// the other chat files (as Aider does), then reported. Returns the errors (empty: all applied).
std::vector<std::string> apply_edits(EditFormat format, const std::vector<FileEdit>& edits,
                                     const std::filesystem::path& root, const std::vector<std::string>& chat_files);

// Aider's matcher: `whole` with `search` replaced by `replace`, or nullopt when no rule finds `search`.
std::optional<std::string> replace_most_similar_chunk(const std::string& whole, const std::string& search,
                                                      const std::string& replace);

// A fence (``` or longer) that no line of `contents` starts with.
std::string choose_fence(const std::vector<std::string>& contents);
// "path\n```\ncontents```\n" (contents gets a final newline if missing).
std::string render_file(const std::string& path, const std::string& contents, const std::string& fence);

// The reply that turns `before` into `after` (path -> contents): whole files, or one SEARCH/REPLACE block
// per changed file (the full old text replaced by the new one). Used by the oracle backend.
std::string render_reply(EditFormat format, const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after);

// The system prompt describing how to answer in `format`.
std::string format_instructions(EditFormat format);

// Counts lines like "// ... existing code ..." or "# ..." that stand for omitted code (Aider's lazy_comments).
int count_lazy_comments(const std::string& reply);

}  // namespace hrm::eval
