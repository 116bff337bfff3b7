// Edit-format parsing and Aider's SEARCH/REPLACE matching rules.
#include "hrm/eval/edit_format.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;
using hrm::eval::EditFormat;
using hrm::eval::replace_most_similar_chunk;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("hrm-edit-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

}  // namespace

TEST(WholeFormat, ParsesFileListings) {
  const std::string reply =
      "Here is the fix.\n\n**src/main/java/Bob.java**\n```java\nclass Bob {}\n```\n\nand\n\nbob_util.py:\n```\nx = "
      "1\n```\n";
  const auto parsed = hrm::eval::parse_reply(EditFormat::kWhole, reply, {"src/main/java/Bob.java", "bob_util.py"});
  ASSERT_FALSE(parsed.malformed()) << parsed.errors[0];
  ASSERT_EQ(parsed.edits.size(), 2u);
  EXPECT_EQ(parsed.edits[0].path, "src/main/java/Bob.java");
  EXPECT_EQ(parsed.edits[0].replace, "class Bob {}\n");
  EXPECT_EQ(parsed.edits[1].path, "bob_util.py");
  EXPECT_EQ(parsed.edits[1].replace, "x = 1\n");
}

TEST(WholeFormat, ResolvesBaseNamesAndNamelessBlocks) {
  // A bare base name goes to the chat file with that name.
  auto parsed =
      hrm::eval::parse_reply(EditFormat::kWhole, "Bob.java\n```\nclass Bob {}\n```\n", {"src/main/java/Bob.java"});
  ASSERT_EQ(parsed.edits.size(), 1u);
  EXPECT_EQ(parsed.edits[0].path, "src/main/java/Bob.java");
  // No name line: the only chat file.
  parsed = hrm::eval::parse_reply(EditFormat::kWhole, "```python\ny = 2\n```\n", {"two.py"});
  ASSERT_EQ(parsed.edits.size(), 1u);
  EXPECT_EQ(parsed.edits[0].path, "two.py");
  EXPECT_EQ(parsed.edits[0].replace, "y = 2\n");
  // No name line and two chat files: malformed, nothing applied.
  parsed = hrm::eval::parse_reply(EditFormat::kWhole, "```\ny = 2\n```\n", {"a.py", "b.py"});
  EXPECT_TRUE(parsed.malformed());
  EXPECT_TRUE(parsed.edits.empty());
}

TEST(WholeFormat, UnclosedFenceIsMalformedAndLaterBlockWins) {
  auto parsed = hrm::eval::parse_reply(EditFormat::kWhole, "a.py\n```\nx = 1\n", {"a.py"});
  EXPECT_TRUE(parsed.malformed());
  EXPECT_TRUE(parsed.edits.empty());
  parsed =
      hrm::eval::parse_reply(EditFormat::kWhole, "a.py\n```\nx = 1\n```\nbetter:\na.py\n```\nx = 2\n```\n", {"a.py"});
  ASSERT_FALSE(parsed.malformed());
  ASSERT_EQ(parsed.edits.size(), 1u);
  EXPECT_EQ(parsed.edits[0].replace, "x = 2\n");
  // Prose without code is a reply with no edits, not a malformed one.
  parsed = hrm::eval::parse_reply(EditFormat::kWhole, "I have no changes to make.\n", {"a.py"});
  EXPECT_FALSE(parsed.malformed());
  EXPECT_TRUE(parsed.edits.empty());
}

TEST(DiffFormat, ParsesBlocksAndCarriesTheFileName) {
  const std::string reply =
      "lib.rs\n```rust\n<<<<<<< SEARCH\nfn a() {}\n=======\nfn a() { b() }\n>>>>>>> REPLACE\n```\n\n"
      "```rust\n<<<<<<< SEARCH\nfn c() {}\n=======\n>>>>>>> REPLACE\n```\n";
  const auto parsed = hrm::eval::parse_reply(EditFormat::kDiff, reply, {"src/lib.rs", "Cargo.toml"});
  ASSERT_FALSE(parsed.malformed()) << parsed.errors[0];
  ASSERT_EQ(parsed.edits.size(), 2u);
  EXPECT_EQ(parsed.edits[0].path, "src/lib.rs");
  EXPECT_EQ(parsed.edits[0].search, "fn a() {}\n");
  EXPECT_EQ(parsed.edits[0].replace, "fn a() { b() }\n");
  EXPECT_EQ(parsed.edits[1].path, "src/lib.rs");  // the previous block's file
  EXPECT_EQ(parsed.edits[1].replace, "");
}

TEST(DiffFormat, MissingMarkersAreMalformed) {
  auto parsed = hrm::eval::parse_reply(EditFormat::kDiff, "a.py\n<<<<<<< SEARCH\nx = 1\n>>>>>>> REPLACE\n", {"a.py"});
  EXPECT_TRUE(parsed.malformed());
  EXPECT_TRUE(parsed.edits.empty());
  parsed = hrm::eval::parse_reply(EditFormat::kDiff, "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n", {"a.py"});
  EXPECT_TRUE(parsed.malformed());
  parsed = hrm::eval::parse_reply(EditFormat::kDiff, "=======\n", {"a.py"});
  EXPECT_TRUE(parsed.malformed());
}

TEST(Matcher, ExactMatch) {
  EXPECT_EQ(*replace_most_similar_chunk("a\nb\nc\n", "b\n", "B\n"), "a\nB\nc\n");
  EXPECT_FALSE(replace_most_similar_chunk("a\nb\nc\n", "d\n", "D\n").has_value());
}

TEST(Matcher, UniformLeadingWhitespaceOffset) {
  const std::string whole = "class A:\n    def f(self):\n        return 1\n";
  // The model dropped the indentation of both SEARCH and REPLACE: the file's offset is put back.
  EXPECT_EQ(*replace_most_similar_chunk(whole, "def f(self):\n    return 1\n", "def f(self):\n    return 2\n"),
            "class A:\n    def f(self):\n        return 2\n");
  // A non-uniform offset does not match.
  EXPECT_FALSE(replace_most_similar_chunk(whole, "def f(self):\nreturn 1\n", "x\n").has_value());
}

TEST(Matcher, StrayLeadingBlankLine) {
  EXPECT_EQ(*replace_most_similar_chunk("a\nb\nc\n", "\nb\nc\n", "B\nC\n"), "a\nB\nC\n");
}

TEST(Matcher, DotDotDotElision) {
  const std::string whole = "fn a() {\n  1\n}\nfn b() {}\nfn c() {\n  3\n}\n";
  const std::string search = "fn a() {\n  1\n...\n  3\n}\n";
  const std::string replace = "fn a() {\n  10\n...\n  30\n}\n";
  EXPECT_EQ(*replace_most_similar_chunk(whole, search, replace), "fn a() {\n  10\n}\nfn b() {}\nfn c() {\n  30\n}\n");
  // Mismatched elisions are rejected.
  EXPECT_FALSE(replace_most_similar_chunk(whole, search, "fn a() {\n  10\n").has_value());
}

TEST(ApplyEdits, DiffCreatesAppendsFallsBackAndRefuses) {
  TempDir tmp;
  hrm::write_file_atomic(tmp.path / "a.py", "x = 1\n");
  hrm::write_file_atomic(tmp.path / "b.py", "y = 1\n");
  const std::vector<std::string> chat = {"a.py", "b.py"};
  std::vector<hrm::eval::FileEdit> edits = {
      {"a.py", "", "z = 3\n"},         // empty SEARCH appends
      {"a.py", "y = 1\n", "y = 2\n"},  // matches b.py instead (Aider's fallback)
      {"new/c.py", "", "c = 1\n"},     // new file inside the exercise
      {"../escape.py", "", "bad\n"},   // refused
      {"a.py", "nowhere\n", "x\n"},    // matches nothing
  };
  const auto errors = hrm::eval::apply_edits(EditFormat::kDiff, edits, tmp.path, chat);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_NE(errors[0].find("../escape.py"), std::string::npos);
  EXPECT_NE(errors[1].find("matches no lines"), std::string::npos);
  EXPECT_EQ(hrm::read_file(tmp.path / "a.py"), "x = 1\nz = 3\n");
  EXPECT_EQ(hrm::read_file(tmp.path / "b.py"), "y = 2\n");
  EXPECT_EQ(hrm::read_file(tmp.path / "new/c.py"), "c = 1\n");
  EXPECT_FALSE(fs::exists(tmp.path.parent_path() / "escape.py"));
}

TEST(RenderReply, RoundTripsInBothFormatsEvenWithFencesInside) {
  const std::map<std::string, std::string> before = {{"doc.md", "# Title\n"}, {"empty.h", ""}, {"same.py", "s = 1\n"}};
  const std::map<std::string, std::string> after = {
      {"doc.md", "# Title\n```\ncode\n```\n"}, {"empty.h", "#pragma once\n"}, {"same.py", "s = 1\n"}};
  for (const EditFormat format : {EditFormat::kWhole, EditFormat::kDiff}) {
    TempDir tmp;
    for (const auto& [p, c] : before) hrm::write_file_atomic(tmp.path / p, c);
    const std::string reply = hrm::eval::render_reply(format, before, after);
    EXPECT_EQ(reply.find("same.py"), std::string::npos) << "unchanged files are not repeated";
    EXPECT_NE(reply.find("````"), std::string::npos) << "a longer fence avoids the ``` inside doc.md";
    const std::vector<std::string> chat = {"doc.md", "empty.h", "same.py"};
    const auto parsed = hrm::eval::parse_reply(format, reply, chat);
    ASSERT_FALSE(parsed.malformed()) << parsed.errors[0];
    EXPECT_TRUE(hrm::eval::apply_edits(format, parsed.edits, tmp.path, chat).empty());
    for (const auto& [p, c] : after)
      EXPECT_EQ(hrm::read_file(tmp.path / p), c) << p << " in " << edit_format_name(format);
  }
}

TEST(LazyComments, CountsElidedCodeComments) {
  EXPECT_EQ(hrm::eval::count_lazy_comments("x\n    # ... existing code ...\n// ...rest\nfoo # ...\n"), 2);
}
