#include "hrm/agent/workspace.hpp"

#include <gtest/gtest.h>

#include "agent_test_util.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace {

namespace fs = std::filesystem;
using hrm_agent_test::ScratchDir;

std::string refusal(const fs::path& root, const std::string& path) {
  try {
    hrm::agent::resolve_in_workspace(root, path);
  } catch (const hrm::Error& e) {
    return e.describe();
  }
  return "";
}

TEST(Workspace, PathsStayInside) {
  ScratchDir dir;
  const fs::path root = dir.path / "ws";
  fs::create_directories(root / "src");
  hrm::write_file_atomic(root / "src" / "a.py", "x = 1\n");
  fs::create_symlink("src/a.py", root / "inner_link");  // stays inside: fine
  fs::create_symlink("/etc", root / "etc_link");
  fs::create_symlink("/etc/passwd", root / "passwd_link");
  fs::create_symlink("..", root / "src" / "up");
  fs::create_symlink("../..", root / "src" / "up2");

  EXPECT_EQ(hrm::agent::resolve_in_workspace(root, "src/a.py"), fs::canonical(root) / "src" / "a.py");
  EXPECT_EQ(hrm::agent::resolve_in_workspace(root, "new/dir/file.txt"),
            fs::canonical(root) / "new" / "dir" / "file.txt");
  EXPECT_EQ(hrm::agent::resolve_in_workspace(root, "inner_link"), fs::canonical(root) / "src" / "a.py");
  EXPECT_EQ(hrm::agent::resolve_in_workspace(root, "src/up/src/a.py"), fs::canonical(root) / "src" / "a.py");

  EXPECT_NE(refusal(root, "/etc/passwd").find("is absolute"), std::string::npos);
  EXPECT_NE(refusal(root, "../x").find("contains '..'"), std::string::npos);
  EXPECT_NE(refusal(root, "src/../../x").find("contains '..'"), std::string::npos);
  EXPECT_NE(refusal(root, "etc_link/passwd").find("leads outside the workspace"), std::string::npos);
  EXPECT_NE(refusal(root, "passwd_link").find("leads outside the workspace"), std::string::npos);
  EXPECT_NE(refusal(root, "src/up2/x").find("leads outside the workspace"), std::string::npos);
  EXPECT_NE(refusal(root, "").find("empty path"), std::string::npos);
}

TEST(Workspace, ListingSkipsGitAndCaps) {
  ScratchDir dir;
  const fs::path root = dir.path;
  for (int i = 0; i < 5; ++i) hrm::write_file_atomic(root / ("f" + std::to_string(i)), "");
  fs::create_directories(root / ".git" / "objects");
  hrm::write_file_atomic(root / ".git" / "HEAD", "ref\n");
  EXPECT_EQ(hrm::agent::list_workspace(root, root, 100), ".git/\nf0\nf1\nf2\nf3\nf4\n");
  EXPECT_EQ(hrm::agent::list_workspace(root, root, 2), ".git/\nf0\n[4 more entries not shown]\n");
}

}  // namespace
