// A Polyglot exercise as an agent task: the prompt, the test command the model can run, the oracle's
// trajectory.
#include <algorithm>

#include "hrm/agent/polyglot_agent.hpp"
#include "hrm/agent/tools.hpp"

namespace hrm::agent {

std::string polyglot_test_command(const eval::Exercise& ex, const eval::Toolchains& tools, double timeout_seconds) {
  // The runner's own script for the language (private caches: the model's runs write only its /tmp);
  // its folder and limits do not appear in the script.
  const auto request = eval::test_request(ex, ".", tools, eval::Caches{}, timeout_seconds);
  std::string script = request.argv.back();
  const std::string umask = "umask 0; ";
  if (script.rfind(umask, 0) == 0) script = script.substr(umask.size());
  return script;
}

Task polyglot_task(const eval::Exercise& ex, const std::string& test_command, int max_turns, bool with_reference) {
  std::string tests;
  for (const auto& f : ex.test_files) tests += (tests.empty() ? "" : ", ") + f;
  Task t;
  t.id = ex.id();
  t.family = "polyglot";
  t.language = ex.language;
  t.instruction = eval::instructions_request(ex) +
                  "\nThe exercise's files are in the current directory; the tests are in " + tests +
                  " (the tests are correct, don't change them). Run the tests with:\n\n    " + test_command +
                  "\n\nCall submit when they pass.\n";
  t.tools = kToolNames;
  t.max_turns = max_turns;
  t.time_limit_seconds = 3600;
  if (with_reference) {
    for (const auto& [path, text] : eval::reference_solution(ex)) {
      t.reference.push_back({"write_file", {{"path", path}, {"content", text}}});
    }
    t.reference.push_back({"bash", {{"command", test_command}}});
    t.reference.push_back({"submit", {{"summary", "the reference solution; the tests pass"}}});
  }
  return t;
}

}  // namespace hrm::agent
