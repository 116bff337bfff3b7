// The git family: commit a fix on a new branch, revert the commit that broke the tests, resolve a merge
// conflict so both sides survive, find the breaking commit with `git bisect run` and fix it.
#include "task_families.hpp"

namespace hrm::agent::families {

namespace {

// A small Python function with a one-line bug, and the assertion that catches it.
struct PyBug {
  std::string name, signature, good, bad, check;
};

const std::vector<PyBug>& py_bugs() {
  static const std::vector<PyBug> bugs = {
      {"area", "def area(w, h):", "    return w * h", "    return w + h", "assert calc.area(3, 4) == 12"},
      {"average", "def average(xs):", "    return sum(xs) / len(xs)", "    return sum(xs) / (len(xs) + 1)",
       "assert calc.average([2, 4, 6]) == 4"},
      {"is_even", "def is_even(n):", "    return n % 2 == 0", "    return n % 2 == 1",
       "assert calc.is_even(4) and not calc.is_even(7)"},
      {"last", "def last(xs):", "    return xs[-1]", "    return xs[0]", "assert calc.last([5, 6, 7]) == 7"},
      {"clamp", "def clamp(x, lo, hi):", "    return max(lo, min(x, hi))", "    return min(lo, max(x, hi))",
       "assert calc.clamp(15, 0, 10) == 10 and calc.clamp(-3, 0, 10) == 0"},
      {"celsius", "def celsius(f):", "    return (f - 32) * 5 / 9", "    return f - 32 * 5 / 9",
       "assert calc.celsius(212) == 100"},
  };
  return bugs;
}

// calc.py with every function correct except `broken` (-1: none), and its test script.
std::string calc_py(int broken) {
  std::string out;
  for (size_t i = 0; i < py_bugs().size(); ++i) {
    const auto& b = py_bugs()[i];
    out += b.signature + "\n" + (static_cast<int>(i) == broken ? b.bad : b.good) + "\n\n\n";
  }
  return out.substr(0, out.size() - 2);
}

std::string test_calc_py() {
  std::string out = "import calc\n\n";
  for (const auto& b : py_bugs()) out += b.check + "\n";
  return out + "print(\"all tests passed\")\n";
}

// The verifier's own copy of the tests, run against `calc_source` (a command printing calc.py).
std::string hidden_calc_test(const std::string& calc_source) {
  return "rm -rf /tmp/verify && mkdir -p /tmp/verify && " + calc_source + " > /tmp/verify/calc.py\n" +
         write_cmd("/tmp/verify/test_calc.py", test_calc_py()) + "(cd /tmp/verify && python3 test_calc.py) || exit 1\n";
}

const std::string kInit = "git init -q -b main && git add -A && git commit -qm 'Initial commit'\n";

}  // namespace

Task branch_commit(std::mt19937_64& rng) {
  const int b = static_cast<int>(rng() % py_bugs().size());
  const auto& bug = py_bugs()[static_cast<size_t>(b)];
  const std::string branch = "fix/" + bug.name + "-" + std::to_string(uniform(rng, 100, 999));
  const std::string message = pick(rng, std::vector<std::string>{"Fix ", "Correct ", "Repair "}) + bug.name + "()";
  Task t;
  t.files = {{"calc.py", calc_py(b)}, {"test_calc.py", test_calc_py()}};
  t.setup = kInit;
  t.instruction =
      "`python3 test_calc.py` fails in this git repository. Fix the bug in calc.py and commit the fix "
      "on a new branch named `" +
      branch + "` with the commit message \"" + message + "\". Leave the main branch as it is.";
  t.verify = "set -e\ngit rev-parse --verify -q refs/heads/" + branch + " >/dev/null || { echo 'no branch " + branch +
             "'; exit 1; }\n[ \"$(git log -1 --format=%s " + branch + ")\" = " + quote(message) +
             " ] || { echo 'wrong commit message'; exit 1; }\n[ \"$(git rev-list --count main)\" = 1 ] || { echo 'main "
             "changed'; exit 1; }\n" +
             hidden_calc_test("git show " + branch + ":calc.py");
  t.reference = {bash("git checkout -b " + branch), edit("calc.py", bug.bad + "\n", bug.good + "\n"),
                 bash("python3 test_calc.py && git commit -qam " + quote(message) + " && git log --oneline"), submit()};
  t.max_turns = 15;
  return t;
}

Task revert_bad_commit(std::mt19937_64& rng) {
  const int b = static_cast<int>(rng() % py_bugs().size());
  const auto& bug = py_bugs()[static_cast<size_t>(b)];
  const std::string bad_subject =
      pick(rng, std::vector<std::string>{"Simplify ", "Tidy ", "Speed up "}) + bug.name + "()";
  const std::vector<std::string> fillers = {"README.md", "CHANGELOG.md", "NOTES.md", "AUTHORS"};
  const int before = uniform(rng, 1, 3), after = uniform(rng, 1, 3);
  Task t;
  t.files = {{"calc.py", calc_py(-1)}, {"test_calc.py", test_calc_py()}};
  t.setup = kInit;
  int filler = 0;
  for (int i = 0; i < before + after + 1; ++i) {
    if (i == before) {
      t.setup += write_cmd("calc.py", calc_py(b)) + "git commit -qam " + quote(bad_subject) + "\n";
    } else {
      const std::string f = fillers[static_cast<size_t>(filler++) % fillers.size()];
      t.setup +=
          "echo 'line " + std::to_string(i) + "' >> " + f + " && git add -A && git commit -qm 'Update " + f + "'\n";
    }
  }
  const int commits = before + after + 2;
  t.instruction =
      "The tests (`python3 test_calc.py`) passed at the first commit of this repository but fail now. "
      "Find the commit that broke them and undo it with `git revert` (do not rewrite the history).";
  t.verify = "set -e\n" + hidden_calc_test("cat calc.py") +
             "[ \"$(git rev-list --count HEAD)\" = " + std::to_string(commits + 1) +
             " ] || { echo 'expected exactly one new commit'; exit 1; }\n" +
             "git log -1 --format=%s | grep -q '^Revert' || { echo 'the last commit is not a revert'; exit 1; }\n" +
             "git diff --quiet HEAD~1 HEAD -- README.md CHANGELOG.md NOTES.md AUTHORS || { echo 'other files changed'; "
             "exit 1; }\n";
  t.reference = {bash("python3 test_calc.py; git log --oneline"),
                 bash("git revert --no-edit $(git log --format=%H --grep=" + quote("^" + bad_subject + "$") + ")"),
                 bash("python3 test_calc.py"), submit()};
  t.max_turns = 15;
  return t;
}

Task merge_conflict(std::mt19937_64& rng) {
  const std::string key = pick(rng, std::vector<std::string>{"timeout", "port", "workers", "batch"});
  const std::string added = pick(rng, std::vector<std::string>{"retries", "verbose_level", "max_queue", "shards"});
  const int old_value = uniform(rng, 2, 40), new_value = old_value + uniform(rng, 1, 50),
            added_value = uniform(rng, 1, 9);
  const std::string name = pick(rng, std::vector<std::string>{"billing", "search", "ingest", "mailer"});
  const auto config = [&](int value, bool with_added) {
    return "CONFIG = {\n    \"name\": \"" + name + "\",\n    \"" + key + "\": " + std::to_string(value) + ",\n" +
           (with_added ? "    \"" + added + "\": " + std::to_string(added_value) + ",\n" : "") + "}\n";
  };
  Task t;
  t.files = {{"settings.py", config(old_value, false)}};
  t.setup = kInit + "git checkout -q -b feature\n" + write_cmd("settings.py", config(old_value, true)) +
            "git commit -qam 'Add " + added + "'\ngit checkout -q main\n" +
            write_cmd("settings.py", config(new_value, false)) + "git commit -qam 'Raise " + key + "'\n";
  t.instruction =
      "Merge the branch `feature` into `main` in this repository. There is a conflict: resolve it so that "
      "both changes survive (main's new " +
      key + " and feature's new setting), and commit the merge.";
  const std::string want = "{'name': '" + name + "', '" + key + "': " + std::to_string(new_value) + ", '" + added +
                           "': " + std::to_string(added_value) + "}";
  t.verify =
      "set -e\n! grep -q '<<<<<<<\\|>>>>>>>' settings.py || { echo 'conflict markers left'; exit 1; }\n"
      "[ \"$(git rev-parse --abbrev-ref HEAD)\" = main ] || { echo 'not on main'; exit 1; }\n"
      "[ \"$(git rev-parse HEAD^2)\" = \"$(git rev-parse feature)\" ] || { echo 'HEAD is not a merge of feature'; exit "
      "1; }\n"
      "git diff --quiet HEAD || { echo 'uncommitted changes'; exit 1; }\n" +
      expect_output("python3 -c 'import settings; print(settings.CONFIG)'", want);
  t.reference = {bash("git merge feature"), write("settings.py", config(new_value, true)),
                 bash("git add settings.py && git commit -q --no-edit && git log --oneline -3"), submit()};
  t.max_turns = 15;
  return t;
}

Task bisect(std::mt19937_64& rng) {
  const int commits = uniform(rng, 8, 14), bad = uniform(rng, 2, commits - 1);
  const int factor = uniform(rng, 2, 9);
  Task t;
  t.files = {
      {"stats.py", "# revision 0\nFACTOR = 1\n\n\ndef scaled_total(xs):\n    return sum(xs) * FACTOR\n"},
      {"check.py", "import stats\n\nassert stats.scaled_total([1, 2, 3]) == 6, stats.scaled_total([1, 2, 3])\n"}};
  t.setup = kInit + "git tag v1\n";
  for (int i = 1; i <= commits; ++i) {
    t.setup += "sed -i 's/^# revision .*/# revision " + std::to_string(i) + "/' stats.py\n";
    if (i == bad) t.setup += "sed -i 's/^FACTOR = 1$/FACTOR = " + std::to_string(factor) + "/' stats.py\n";
    t.setup += "git commit -qam 'Update stats (revision " + std::to_string(i) + ")'\n";
  }
  t.instruction =
      "`python3 check.py` passes at the tag `v1` of this repository and fails at HEAD. Use `git bisect "
      "run` to find the first bad commit and write its full hash to a file `BAD_COMMIT` (one line). Then "
      "fix the bug on main with a new commit.";
  const std::string bad_hash = "$(git log --format=%H --grep='(revision " + std::to_string(bad) + ")$')";
  t.verify =
      "set -e\n[ \"$(cat BAD_COMMIT)\" = \"" + bad_hash +
      "\" ] || { echo 'BAD_COMMIT is wrong'; exit 1; }\n"
      "[ \"$(git rev-parse --abbrev-ref HEAD)\" = main ] || { echo 'not on main (bisect not reset?)'; exit 1; }\n"
      "[ \"$(git rev-list --count HEAD)\" = " +
      std::to_string(commits + 2) +
      " ] || { echo 'expected one new commit'; exit 1; }\ngit diff --quiet HEAD -- stats.py || { echo 'fix not "
      "committed'; exit 1; }\n" +
      write_cmd("/tmp/check.py", t.files["check.py"]) + "cp /tmp/check.py check.py && python3 check.py\n";
  t.reference = {bash("git bisect start HEAD v1 && git bisect run python3 check.py >/tmp/bisect.log 2>&1; "
                      "git rev-parse refs/bisect/bad > BAD_COMMIT; git bisect reset; cat BAD_COMMIT"),
                 edit("stats.py", "FACTOR = " + std::to_string(factor) + "\n", "FACTOR = 1\n"),
                 bash("python3 check.py && git commit -qam 'Restore FACTOR'"), submit()};
  t.max_turns = 20;
  return t;
}

}  // namespace hrm::agent::families
