#include "hrm/data/language.hpp"

#include <algorithm>
#include <cctype>

#include "hrm/tokenizer/special_tokens.hpp"
#include "hrm/util/enum_table.hpp"

namespace hrm {

std::string_view language_name(Language language) {
  static constexpr const char* kNames[] = {"cpp", "go", "java", "javascript", "python", "rust"};
  return enum_entry<Language::Rust>(language, kNames, "?");
}

std::optional<Language> language_from_name(std::string_view name) {
  for (Language l : kAllLanguages) {
    if (language_name(l) == name) return l;
  }
  return std::nullopt;
}

int language_tag_id(Language language) {
  static constexpr int kTagIds[] = {tok::kCppId,        tok::kGoId,     tok::kJavaId,
                                    tok::kJavascriptId, tok::kPythonId, tok::kRustId};
  return enum_entry<Language::Rust>(language, kTagIds, tok::kUnkId);
}

std::optional<Language> detect_language(const std::filesystem::path& path, std::string_view head) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".cpp" || ext == ".cc" || ext == ".cxx" || ext == ".c++" || ext == ".h" || ext == ".hh" || ext == ".hpp" ||
      ext == ".hxx" || ext == ".ipp" || ext == ".tcc") {
    return Language::Cpp;
  }
  if (ext == ".go") return Language::Go;
  if (ext == ".java") return Language::Java;
  if (ext == ".js" || ext == ".mjs" || ext == ".cjs") return Language::JavaScript;
  if (ext == ".py") return Language::Python;
  if (ext == ".rs") return Language::Rust;
  if (!ext.empty() || head.empty()) return std::nullopt;
  const std::string_view first_line = head.substr(0, std::min(head.find('\n'), head.size()));
  if (first_line.find("-*- C++ -*-") != std::string_view::npos) return Language::Cpp;
  if (first_line.rfind("#!", 0) == 0) {
    if (first_line.find("python") != std::string_view::npos) return Language::Python;
    if (first_line.find("node") != std::string_view::npos) return Language::JavaScript;
  }
  return std::nullopt;
}

}  // namespace hrm
