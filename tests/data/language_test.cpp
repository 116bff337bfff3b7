#include "hrm/data/language.hpp"

#include <gtest/gtest.h>

#include "hrm/tokenizer/special_tokens.hpp"

namespace {

using hrm::Language;

TEST(Language, DetectsByExtension) {
  EXPECT_EQ(hrm::detect_language("a/b.cpp"), Language::Cpp);
  EXPECT_EQ(hrm::detect_language("x.h"), Language::Cpp);
  EXPECT_EQ(hrm::detect_language("x.HPP"), Language::Cpp);
  EXPECT_EQ(hrm::detect_language("x.cc"), Language::Cpp);
  EXPECT_EQ(hrm::detect_language("main.go"), Language::Go);
  EXPECT_EQ(hrm::detect_language("Main.java"), Language::Java);
  for (const char* js : {"a.js", "a.mjs", "a.cjs"}) EXPECT_EQ(hrm::detect_language(js), Language::JavaScript);
  EXPECT_EQ(hrm::detect_language("x.py"), Language::Python);
  EXPECT_EQ(hrm::detect_language("lib.rs"), Language::Rust);
  for (const char* other : {"a.c.txt", "README.md", "x.json", "x.pyc", "Makefile", "x.ts"}) {
    EXPECT_FALSE(hrm::detect_language(other).has_value()) << other;
  }
}

TEST(Language, SniffsExtensionlessFiles) {
  EXPECT_EQ(hrm::detect_language("/usr/include/c++/12/vector", "// <vector> -*- C++ -*-\n\n// Copyright"),
            Language::Cpp);
  EXPECT_EQ(hrm::detect_language("bin/tool", "#!/usr/bin/env python3\nprint(1)\n"), Language::Python);
  EXPECT_EQ(hrm::detect_language("bin/cli", "#!/usr/bin/env node\n"), Language::JavaScript);
  EXPECT_FALSE(hrm::detect_language("bin/run", "#!/bin/sh\n").has_value());
  EXPECT_FALSE(hrm::detect_language("notes", "").has_value());
}

TEST(Language, NamesAndTagsRoundTrip) {
  for (Language l : hrm::kAllLanguages) {
    EXPECT_EQ(hrm::language_from_name(hrm::language_name(l)), l);
    EXPECT_EQ(
        std::string(hrm::tok::kSpecialPieces[static_cast<size_t>(hrm::language_tag_id(l) - hrm::tok::kFirstSpecialId)]),
        "<|" + std::string(hrm::language_name(l)) + "|>");
  }
  EXPECT_FALSE(hrm::language_from_name("c").has_value());
}

}  // namespace
