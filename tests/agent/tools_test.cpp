// The tools against the real sandbox: results, errors returned to the model, containment.
#include "hrm/agent/tools.hpp"

#include <gtest/gtest.h>

#include "agent_test_util.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace {

namespace fs = std::filesystem;
using hrm::agent::execute_tool;
using hrm::agent::kToolNames;
using hrm_agent_test::ScratchDir;
using hrm_agent_test::tool_options;

class ToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ws_ = scratch_.path / "ws";
    fs::create_directories(ws_);
  }
  hrm::agent::ToolResult call(const std::string& name, const nlohmann::json& args, double bash_timeout = 20) {
    return execute_tool({"call_1", name, args.dump()}, kToolNames, ws_, tool_options(bash_timeout));
  }
  hrm::agent::ToolResult raw(const std::string& name, const std::string& arguments) {
    return execute_tool({"call_1", name, arguments}, kToolNames, ws_, tool_options());
  }
  ScratchDir scratch_;
  fs::path ws_;
};

TEST_F(ToolsTest, BashRunsInTheWorkspaceWithItsExitCode) {
  auto r = call("bash", {{"command", "echo hi > out.txt && cat out.txt && echo oops >&2 && exit 3"}});
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.verdict, "exited");
  EXPECT_EQ(r.content, "exit code: 3\nhi\noops\n");
  EXPECT_EQ(hrm::read_file(ws_ / "out.txt"), "hi\n");
  // The workspace persists across calls; a call without output says so.
  r = call("bash", {{"command", "test -f out.txt"}});
  EXPECT_EQ(r.content, "exit code: 0\n[no output]\n");
  // git and the compilers are there.
  r = call("bash",
           {{"command", "git init -q -b main && git add -A && git commit -qm first && git log --format=%an:%s"}});
  EXPECT_EQ(r.content, "exit code: 0\nhrm agent:first\n");
}

TEST_F(ToolsTest, FileToolsReadWriteEditAndList) {
  auto r = call("write_file", {{"path", "src/app.py"}, {"content", "def f():\n    return 1\n\n\nprint(f())\n"}});
  EXPECT_FALSE(r.error) << r.content;
  EXPECT_EQ(call("read_file", {{"path", "src/app.py"}, {"start_line", 2}, {"end_line", 2}}).content, "    return 1\n");
  r = call("edit_file", {{"path", "src/app.py"}, {"search", "    return 1\n"}, {"replace", "    return 2\n"}});
  EXPECT_EQ(r.content, "edited src/app.py\n");
  EXPECT_EQ(call("bash", {{"command", "python3 src/app.py"}}).content, "exit code: 0\n2\n");
  // The Polyglot matcher accepts a uniform indentation offset.
  r = call("edit_file", {{"path", "src/app.py"}, {"search", "return 2\n"}, {"replace", "return 3\n"}});
  EXPECT_FALSE(r.error) << r.content;
  EXPECT_NE(hrm::read_file(ws_ / "src" / "app.py").find("    return 3\n"), std::string::npos);
  // A text found once is replaced inside its line.
  r = call("edit_file", {{"path", "src/app.py"}, {"search", "return 3"}, {"replace", "return 4"}});
  EXPECT_FALSE(r.error) << r.content;
  EXPECT_NE(hrm::read_file(ws_ / "src" / "app.py").find("    return 4\n"), std::string::npos);
  EXPECT_EQ(call("list_files", nlohmann::json::object()).content, "src/\nsrc/app.py\n");
  r = call("edit_file", {{"path", "src/app.py"}, {"search", "nothing like this\n"}, {"replace", "x\n"}});
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.content.find("the search text was not found in src/app.py"), std::string::npos);
  EXPECT_TRUE(call("submit", nlohmann::json::object()).submitted);
}

TEST_F(ToolsTest, MalformedCallsComeBackAsErrors) {
  const auto check = [](const hrm::agent::ToolResult& r, const std::string& what) {
    EXPECT_TRUE(r.error) << what;
    EXPECT_NE(r.content.find(what), std::string::npos) << r.content;
    EXPECT_FALSE(r.submitted);
  };
  check(raw("bash", "{\"command\": "), "the arguments of bash are not valid JSON");
  check(raw("bash", "[1, 2]"), "must be a JSON object");
  check(call("rm_rf", {{"path", "."}}), "unknown tool 'rm_rf'");
  check(call("bash", nlohmann::json::object()), "bash: missing argument 'command'");
  check(call("read_file", {{"path", "a"}, {"colour", "red"}}), "unknown argument 'colour'");
  check(call("read_file", {{"path", 3}}), "argument 'path' must be a string");
  check(call("read_file", {{"path", "missing.txt"}}), "'missing.txt' is not a file");
  check(call("read_file", {{"path", "x"}, {"start_line", 0}}), "");
  // A task that offers fewer tools refuses the others.
  const auto r = execute_tool({"c", "bash", R"({"command": "ls"})"}, {"read_file", "submit"}, ws_, tool_options());
  check(r, "the tools of this task are read_file, submit");
}

TEST_F(ToolsTest, PathEscapesAreRefused) {
  hrm::write_file_atomic(scratch_.path / "secret.txt", "outside\n");
  auto r = call("read_file", {{"path", "../secret.txt"}});
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.content.find("contains '..'"), std::string::npos);
  r = call("write_file", {{"path", "/tmp/evil.txt"}, {"content", "x"}});
  EXPECT_NE(r.content.find("is absolute"), std::string::npos);
  // A symbolic link made with bash that points out of the workspace.
  EXPECT_EQ(call("bash", {{"command", "ln -s " + (scratch_.path / "secret.txt").string() + " leak && ln -s / root"}})
                .exit_code,
            0);
  r = call("read_file", {{"path", "leak"}});
  EXPECT_TRUE(r.error);
  EXPECT_NE(r.content.find("leads outside the workspace"), std::string::npos);
  r = call("write_file", {{"path", "root/tmp/x"}, {"content", "x"}});
  EXPECT_NE(r.content.find("leads outside the workspace"), std::string::npos);
  r = call("edit_file", {{"path", "leak"}, {"search", "outside\n"}, {"replace", "changed\n"}});
  EXPECT_TRUE(r.error);
  EXPECT_EQ(hrm::read_file(scratch_.path / "secret.txt"), "outside\n");
  EXPECT_FALSE(fs::exists("/tmp/evil.txt") && hrm::read_file("/tmp/evil.txt") == "x");
}

TEST_F(ToolsTest, BashIsContained) {
  // No network: sockets other than AF_UNIX are refused.
  auto r =
      call("bash", {{"command", "python3 -c \"import socket; socket.create_connection(('1.1.1.1', 80), timeout=3)\""}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.content.find("Error"), std::string::npos) << r.content;
  // A fork bomb hits the process limit and the timeout; every process dies; the next call works.
  r = call("bash", {{"command", "bomb() { bomb | bomb & }; bomb; sleep 30"}}, 3);
  EXPECT_TRUE(r.verdict == "wall_timeout" || r.verdict == "cpu_timeout" || r.verdict == "exited") << r.verdict;
  EXPECT_FALSE(r.error);
  EXPECT_EQ(call("bash", {{"command", "echo alive"}}).content, "exit code: 0\nalive\n");
  // A command that never ends is killed at the bash timeout and reported.
  r = call("bash", {{"command", "sleep 100"}}, 1);
  EXPECT_EQ(r.verdict, "wall_timeout");
  EXPECT_NE(r.content.find("timed out after 1 s"), std::string::npos);
  EXPECT_LT(r.seconds, 10);
  // An output flood is killed at the sandbox's output limit; the model sees a truncated result.
  r = call("bash", {{"command", "yes flood"}});
  EXPECT_EQ(r.verdict, "output_limit");
  EXPECT_NE(r.content.find("printed more than 1 MiB"), std::string::npos);
  EXPECT_NE(r.content.find("bytes omitted ...]"), std::string::npos);
  EXPECT_LE(r.content.size(), tool_options().max_result_bytes + 100);
}

TEST(Truncation, KeepsHeadAndTailAroundAMarker) {
  EXPECT_EQ(hrm::agent::truncate_middle("short", 10), "short");
  const std::string t = hrm::agent::truncate_middle(std::string(10, 'a') + std::string(10, 'b'), 8);
  EXPECT_EQ(t, "aaaa\n[... 12 bytes omitted ...]\nbbbb");
}

TEST(ToolSchemas, AreOpenAIFunctionsWithRequiredArguments) {
  const auto s = hrm::agent::tool_schemas(kToolNames);
  ASSERT_EQ(s.size(), kToolNames.size());
  for (size_t i = 0; i < s.size(); ++i) {
    EXPECT_EQ(s[i]["type"], "function");
    EXPECT_EQ(s[i]["function"]["name"], kToolNames[i]);
    EXPECT_EQ(s[i]["function"]["parameters"]["type"], "object");
  }
  EXPECT_EQ(s[3]["function"]["parameters"]["required"], nlohmann::json({"path", "search", "replace"}));
  EXPECT_THROW(hrm::agent::tool_schemas({"bash", "telnet"}), hrm::Error);
}

}  // namespace
