// Reply parsing and applying for the whole and diff edit formats (Aider's rules; see edit_format.hpp).
#include "hrm/eval/edit_format.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <set>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::eval {
namespace {

using Lines = std::vector<std::string>;

// Python's splitlines(keepends=True) for '\n' line ends.
Lines split_lines(const std::string& text) {
  Lines out;
  size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    if (nl == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, nl + 1 - start));
    start = nl + 1;
  }
  return out;
}

std::string join(const Lines& lines, size_t begin = 0, size_t end = std::string::npos) {
  std::string out;
  end = std::min(end, lines.size());
  for (size_t i = begin; i < end; ++i) out += lines[i];
  return out;
}

std::string strip(const std::string& s, const char* chars = " \t\r\n") {
  const auto b = s.find_first_not_of(chars);
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}
std::string lstrip(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b);
}
bool blank(const std::string& s) { return strip(s).empty(); }
bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// Adds the final newline Aider's matcher expects, then splits.
Lines prep(std::string& text) {
  if (!text.empty() && text.back() != '\n') text += '\n';
  return split_lines(text);
}

std::optional<std::string> perfect_replace(const Lines& whole, const Lines& part, const Lines& replace) {
  if (part.empty() || part.size() > whole.size()) return std::nullopt;
  for (size_t i = 0; i + part.size() <= whole.size(); ++i) {
    if (std::equal(part.begin(), part.end(), whole.begin() + static_cast<std::ptrdiff_t>(i))) {
      return join(whole, 0, i) + join(replace) + join(whole, i + part.size());
    }
  }
  return std::nullopt;
}

// The common prefix that turns every non-blank `part` line into the `whole` line, if one exists.
std::optional<std::string> match_but_for_leading_whitespace(const Lines& whole, size_t at, const Lines& part) {
  std::optional<std::string> add;
  for (size_t i = 0; i < part.size(); ++i) {
    const std::string& w = whole[at + i];
    if (lstrip(w) != lstrip(part[i])) return std::nullopt;
    if (blank(w)) continue;
    if (w.size() < part[i].size()) return std::nullopt;
    const std::string prefix = w.substr(0, w.size() - part[i].size());
    if (add && *add != prefix) return std::nullopt;
    add = prefix;
  }
  return add ? add : std::optional<std::string>(std::string());
}

std::optional<std::string> replace_with_leading_whitespace(const Lines& whole, Lines part, Lines replace) {
  // Remove the indentation shared by every non-blank line of part and replace, then re-add the offset
  // found in the file.
  size_t common = std::string::npos;
  for (const Lines* ls : {&part, &replace}) {
    for (const auto& l : *ls) {
      if (blank(l)) continue;
      common = std::min(common, l.size() - lstrip(l).size() - (l.back() == '\n' && lstrip(l).empty() ? 1 : 0));
    }
  }
  if (common != std::string::npos && common > 0) {
    for (Lines* ls : {&part, &replace}) {
      for (auto& l : *ls) {
        if (!blank(l)) l = l.substr(common);
      }
    }
  }
  if (part.empty() || part.size() > whole.size()) return std::nullopt;
  for (size_t i = 0; i + part.size() <= whole.size(); ++i) {
    const auto add = match_but_for_leading_whitespace(whole, i, part);
    if (!add) continue;
    Lines out(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(i));
    for (const auto& r : replace) out.push_back(blank(r) ? r : *add + r);
    out.insert(out.end(), whole.begin() + static_cast<std::ptrdiff_t>(i + part.size()), whole.end());
    return join(out);
  }
  return std::nullopt;
}

std::optional<std::string> perfect_or_whitespace(const Lines& whole, const Lines& part, const Lines& replace) {
  if (auto r = perfect_replace(whole, part, replace)) return r;
  return replace_with_leading_whitespace(whole, part, replace);
}

// Splits at lines that are only "..." (blank lines right before one belong to the separator, as in
// Aider's regex ^\s*\.\.\.\n). Returns pieces and separators interleaved: p0, s0, p1, s1, p2.
Lines split_dots(const std::string& text) {
  Lines out;
  Lines piece;
  for (const auto& line : split_lines(text)) {
    if (strip(line) == "..." && line.back() == '\n') {
      std::string sep;
      while (!piece.empty() && blank(piece.back())) {
        sep = piece.back() + sep;
        piece.pop_back();
      }
      out.push_back(join(piece));
      out.push_back(sep + line);
      piece.clear();
    } else {
      piece.push_back(line);
    }
  }
  out.push_back(join(piece));
  return out;
}

std::optional<std::string> try_dotdotdots(std::string whole, const std::string& part, const std::string& replace) {
  const Lines parts = split_dots(part), replaces = split_dots(replace);
  if (parts.size() != replaces.size() || parts.size() == 1) return std::nullopt;
  for (size_t i = 1; i < parts.size(); i += 2) {
    if (strip(parts[i]) != strip(replaces[i])) return std::nullopt;
  }
  for (size_t i = 0; i < parts.size(); i += 2) {
    const std::string& p = parts[i];
    const std::string& r = replaces[i];
    if (p.empty() && r.empty()) continue;
    if (p.empty()) {
      if (!whole.empty() && whole.back() != '\n') whole += '\n';
      whole += r;
      continue;
    }
    const auto first = whole.find(p);
    if (first == std::string::npos || whole.find(p, first + 1) != std::string::npos) return std::nullopt;
    whole.replace(first, p.size(), r);
  }
  return whole;
}

// Aider's strip_filename: "**src/x.py**:" -> "src/x.py"; a fence line with a name ("```python") is not one.
std::string clean_filename(std::string line) {
  line = strip(line);
  if (line == "..." || starts_with(line, "```")) return "";
  while (!line.empty() && line.back() == ':') line.pop_back();
  line = strip(line, " \t#");
  line = strip(line, "`");
  line = strip(line, "*");
  line = strip(line);
  if (line.size() > 250 || line.find(' ') != std::string::npos) return "";
  return line;
}

// Resolves a name from the reply to a chat file: exact, then by base name (unique), else as written.
std::string resolve_name(const std::string& name, const std::vector<std::string>& chat_files) {
  if (std::find(chat_files.begin(), chat_files.end(), name) != chat_files.end()) return name;
  const std::string base = std::filesystem::path(name).filename().string();
  std::string found;
  int count = 0;
  for (const auto& f : chat_files) {
    if (std::filesystem::path(f).filename().string() == base) {
      found = f;
      ++count;
    }
  }
  return count == 1 ? found : name;
}

bool is_fence(const std::string& line) { return starts_with(line, "```"); }
std::string fence_of(const std::string& line) {
  const auto n = line.find_first_not_of('`');
  return line.substr(0, n == std::string::npos ? line.size() : n);
}

ParsedReply parse_whole(const std::string& reply, const std::vector<std::string>& chat_files) {
  ParsedReply out;
  const Lines lines = split_lines(reply);
  std::optional<std::string> fname;
  std::string fence, saw_fname, content;
  std::map<std::string, size_t> index;  // path -> position in out.edits (a later block wins)
  auto finish = [&] {
    const auto it = index.find(*fname);
    if (it == index.end()) {
      index[*fname] = out.edits.size();
      out.edits.push_back({*fname, "", content});
    } else {
      out.edits[it->second].replace = content;
    }
    fname.reset();
    content.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (fname) {
      if (starts_with(line, fence)) {
        finish();
        saw_fname.clear();
      } else {
        content += line;
      }
      continue;
    }
    if (is_fence(line)) {
      fence = fence_of(line);
      std::string name = i > 0 ? clean_filename(lines[i - 1]) : "";
      if (name.empty() && !saw_fname.empty()) name = saw_fname;
      if (name.empty() && chat_files.size() == 1) name = chat_files[0];
      if (name.empty()) {
        // A fenced block with no file name (an example, a shell command): not a file listing. Aider
        // rejects it; so do we, and skip to its end.
        out.errors.push_back("no file name before the fenced block at line " + std::to_string(i + 1));
        size_t j = i + 1;
        while (j < lines.size() && !starts_with(lines[j], fence)) ++j;
        i = j;
        continue;
      }
      fname = resolve_name(name, chat_files);
      continue;
    }
    // "`path`" mentioned in prose names the file of the next block when it has no name line.
    for (const auto& f : chat_files) {
      if (line.find("`" + f + "`") != std::string::npos) saw_fname = f;
    }
  }
  if (fname) out.errors.push_back("the fenced block for " + *fname + " is not closed");
  return out;
}

const std::regex kHead(R"(^<{5,9} SEARCH>?\s*$)");
const std::regex kDivider(R"(^={5,9}\s*$)");
const std::regex kUpdated(R"(^>{5,9} REPLACE\s*$)");

bool matches(const std::regex& re, const std::string& line) {
  std::string l = line;
  while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
  return std::regex_match(l, re);
}

ParsedReply parse_diff(const std::string& reply, const std::vector<std::string>& chat_files) {
  ParsedReply out;
  const Lines lines = split_lines(reply);
  std::string current;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!matches(kHead, lines[i])) {
      if (matches(kDivider, lines[i]) || matches(kUpdated, lines[i])) {
        out.errors.push_back("line " + std::to_string(i + 1) + ": '" + strip(lines[i]) +
                             "' outside a SEARCH/REPLACE block");
      }
      continue;
    }
    // The file name: up to 3 lines back, skipping fence lines (Aider's find_filename).
    std::string name;
    for (size_t back = 1; back <= 3 && back <= i; ++back) {
      const std::string& prev = lines[i - back];
      const std::string cand = clean_filename(prev);
      if (!cand.empty()) {
        name = cand;
        break;
      }
      if (!is_fence(prev)) break;
    }
    if (name.empty()) name = current;
    if (name.empty() && chat_files.size() == 1) name = chat_files[0];
    if (name.empty()) {
      out.errors.push_back("line " + std::to_string(i + 1) + ": SEARCH block without a file name");
    }
    size_t j = i + 1;
    std::string search, replace;
    while (j < lines.size() && !matches(kDivider, lines[j]) && !matches(kHead, lines[j])) search += lines[j++];
    if (j >= lines.size() || !matches(kDivider, lines[j])) {
      out.errors.push_back("line " + std::to_string(i + 1) + ": SEARCH block without '======='");
      i = j - 1;
      continue;
    }
    ++j;
    while (j < lines.size() && !matches(kUpdated, lines[j]) && !matches(kHead, lines[j]) &&
           !matches(kDivider, lines[j])) {
      replace += lines[j++];
    }
    if (j >= lines.size() || !matches(kUpdated, lines[j])) {
      out.errors.push_back("line " + std::to_string(i + 1) + ": SEARCH block without '>>>>>>> REPLACE'");
      i = j - 1;
      continue;
    }
    i = j;
    if (name.empty()) continue;
    current = resolve_name(name, chat_files);
    out.edits.push_back({current, search, replace});
  }
  return out;
}

// A path the model may create: relative, inside the root, not hidden metadata.
bool safe_new_path(const std::string& path) {
  const std::filesystem::path p(path);
  if (p.empty() || p.is_absolute()) return false;
  for (const auto& part : p) {
    const std::string s = part.string();
    if (s == ".." || s == "." || (!s.empty() && s[0] == '.')) return false;
  }
  return true;
}

}  // namespace

EditFormat parse_edit_format(const std::string& name) {
  if (name == "whole") return EditFormat::kWhole;
  if (name == "diff") return EditFormat::kDiff;
  throw Error("unknown edit format '" + name + "'", "use --edit-format whole or --edit-format diff");
}

const char* edit_format_name(EditFormat format) { return format == EditFormat::kWhole ? "whole" : "diff"; }

ParsedReply parse_reply(EditFormat format, const std::string& reply, const std::vector<std::string>& chat_files) {
  return format == EditFormat::kWhole ? parse_whole(reply, chat_files) : parse_diff(reply, chat_files);
}

std::optional<std::string> replace_most_similar_chunk(const std::string& whole_in, const std::string& search_in,
                                                      const std::string& replace_in) {
  std::string whole = whole_in, part = search_in, replace = replace_in;
  const Lines whole_lines = prep(whole), part_lines = prep(part), replace_lines = prep(replace);
  if (auto r = perfect_or_whitespace(whole_lines, part_lines, replace_lines)) return r;
  if (part_lines.size() > 2 && blank(part_lines[0])) {
    const Lines rest(part_lines.begin() + 1, part_lines.end());
    if (auto r = perfect_or_whitespace(whole_lines, rest, replace_lines)) return r;
  }
  return try_dotdotdots(whole, part, replace);
}

std::vector<std::string> apply_edits(EditFormat format, const std::vector<FileEdit>& edits,
                                     const std::filesystem::path& root, const std::vector<std::string>& chat_files) {
  std::vector<std::string> errors;
  auto in_chat = [&](const std::string& p) {
    return std::find(chat_files.begin(), chat_files.end(), p) != chat_files.end();
  };
  for (const auto& edit : edits) {
    if (!in_chat(edit.path) && !safe_new_path(edit.path)) {
      errors.push_back("refusing to write '" + edit.path + "' (outside the exercise or a hidden path)");
      continue;
    }
    const auto path = root / edit.path;
    if (format == EditFormat::kWhole) {
      std::filesystem::create_directories(path.parent_path());
      write_file_atomic(path, edit.replace);
      continue;
    }
    const bool exists = std::filesystem::exists(path);
    if (blank(edit.search)) {
      // Create the file, or append to it (Aider's rule for an empty SEARCH).
      std::filesystem::create_directories(path.parent_path());
      write_file_atomic(path, (exists ? read_file(path) : std::string()) + edit.replace);
      continue;
    }
    std::optional<std::string> updated;
    std::filesystem::path target = path;
    if (exists) updated = replace_most_similar_chunk(read_file(path), edit.search, edit.replace);
    for (size_t k = 0; !updated && k < chat_files.size(); ++k) {
      if (chat_files[k] == edit.path || !std::filesystem::exists(root / chat_files[k])) continue;
      target = root / chat_files[k];
      updated = replace_most_similar_chunk(read_file(target), edit.search, edit.replace);
    }
    if (!updated) {
      errors.push_back("SEARCH block for " + edit.path + " matches no lines of the file:\n" + edit.search);
      continue;
    }
    write_file_atomic(target, *updated);
  }
  return errors;
}

std::string choose_fence(const std::vector<std::string>& contents) {
  std::string fence = "```";
  for (;;) {
    bool clash = false;
    for (const auto& c : contents) {
      for (const auto& line : split_lines(c)) {
        if (starts_with(line, fence)) clash = true;
      }
    }
    if (!clash) return fence;
    fence += '`';
  }
}

std::string render_file(const std::string& path, const std::string& contents, const std::string& fence) {
  std::string body = contents;
  if (!body.empty() && body.back() != '\n') body += '\n';
  return path + "\n" + fence + "\n" + body + fence + "\n";
}

std::string render_reply(EditFormat format, const std::map<std::string, std::string>& before,
                         const std::map<std::string, std::string>& after) {
  std::vector<std::string> texts;
  for (const auto& [p, c] : before) texts.push_back(c);
  for (const auto& [p, c] : after) texts.push_back(c);
  const std::string fence = choose_fence(texts);
  std::string out;
  for (const auto& [path, text] : after) {
    const auto it = before.find(path);
    const std::string old = it == before.end() ? "" : it->second;
    if (it != before.end() && old == text) continue;
    if (format == EditFormat::kWhole) {
      out += render_file(path, text, fence) + "\n";
      continue;
    }
    std::string search = old, replace = text;
    if (!search.empty() && search.back() != '\n') search += '\n';
    if (!replace.empty() && replace.back() != '\n') replace += '\n';
    if (blank(search)) search.clear();
    out += path + "\n" + fence + "\n<<<<<<< SEARCH\n" + search + "=======\n" + replace + ">>>>>>> REPLACE\n" + fence +
           "\n\n";
  }
  return out;
}

std::string format_instructions(EditFormat format) {
  if (format == EditFormat::kWhole) {
    return "Act as an expert software developer.\n"
           "Take requests for changes to the supplied code.\n"
           "If the request is ambiguous, ask questions.\n\n"
           "Once you understand the request you MUST:\n"
           "1. Determine if any code changes are needed.\n"
           "2. Explain any needed changes.\n"
           "3. If changes are needed, output a copy of each file that needs changes.\n\n"
           "To suggest changes to a file you MUST return the entire content of the updated file, as a *file listing*:\n"
           "the file's path alone on a line, then an opening fence line, the full content of the file, and a "
           "closing fence line:\n\n"
           "path/to/filename.ext\n```\n// entire file content ...\n// ... goes in between\n```\n\n"
           "Every file listing MUST use this format. Never skip, omit or elide content from a file listing "
           "using \"...\" or comments like \"... rest of code...\": give the whole file.\n";
  }
  return "Act as an expert software developer.\n"
         "Always use best practices when coding.\n"
         "Respect and use existing conventions, libraries, etc that are already present in the code base.\n\n"
         "Take requests for changes to the supplied code.\n\n"
         "Describe each change with a *SEARCH/REPLACE block* per the examples below:\n"
         "1. The file path alone on a line, verbatim.\n"
         "2. The opening fence: ```\n"
         "3. The start of search block: <<<<<<< SEARCH\n"
         "4. A contiguous chunk of lines to search for in the existing source code\n"
         "5. The dividing line: =======\n"
         "6. The lines to replace into the source code\n"
         "7. The end of the replace block: >>>>>>> REPLACE\n"
         "8. The closing fence: ```\n\n"
         "Example:\n\nmathweb/flask/app.py\n```\n<<<<<<< SEARCH\nfrom flask import Flask\n=======\nimport math\n"
         "from flask import Flask\n>>>>>>> REPLACE\n```\n\n"
         "Every SEARCH section must EXACTLY MATCH the existing file content, character for character, including "
         "all comments, docstrings, etc. Include enough lines to make the SEARCH blocks uniquely match the lines "
         "to change. Keep SEARCH/REPLACE blocks concise. To create a new file or fill an empty one, use an empty "
         "SEARCH section. Only create SEARCH/REPLACE blocks for files the user has added to the chat.\n";
}

int count_lazy_comments(const std::string& reply) {
  static const std::regex lazy(R"(^\s*(#|//)\s*\.\.\..*$)");
  int n = 0;
  for (const auto& line : split_lines(reply)) {
    std::string l = line;
    while (!l.empty() && (l.back() == '\n' || l.back() == '\r')) l.pop_back();
    if (std::regex_match(l, lazy)) ++n;
  }
  return n;
}

}  // namespace hrm::eval
