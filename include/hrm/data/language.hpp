// The six languages of hrm's data path, detected from a file's name (and, for extensionless files,
// its first line), with the language tag token of each (special_tokens.hpp).
#pragma once
#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hrm {

enum class Language { Cpp, Go, Java, JavaScript, Python, Rust };
inline constexpr std::array<Language, 6> kAllLanguages = {Language::Cpp,        Language::Go,     Language::Java,
                                                          Language::JavaScript, Language::Python, Language::Rust};

// "cpp", "go", "java", "javascript", "python", "rust".
std::string_view language_name(Language language);
// Inverse of language_name; nullopt for anything else.
std::optional<Language> language_from_name(std::string_view name);
// The language tag token id, e.g. <|python|>.
int language_tag_id(Language language);

// By extension: .cpp .cc .cxx .c++ .h .hh .hpp .hxx .ipp .tcc (cpp), .go, .java, .js .mjs .cjs, .py, .rs.
// An extensionless file is looked at through `head` (its first bytes, may be empty): a "-*- C++ -*-"
// mode line (libstdc++ headers such as <vector>) is C++, a python/node shebang is Python/JavaScript.
std::optional<Language> detect_language(const std::filesystem::path& path, std::string_view head = {});

}  // namespace hrm
