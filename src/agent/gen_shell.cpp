// The shell family: rename files by a rule, find-and-replace across a tree (and only there), and extract
// a value from logs into a file.
#include "task_families.hpp"

namespace hrm::agent::families {

Task rename_files(std::mt19937_64& rng) {
  const std::string dir = pick(rng, std::vector<std::string>{"photos", "scans", "exports"});
  const std::string stem =
      pick(rng, std::vector<std::string>{"Holiday Trip", "Family Dinner", "Site Visit", "Team Day"});
  const std::string ext = pick(rng, std::vector<std::string>{"JPG", "PNG", "TXT"});
  const int n = uniform(rng, 3, 6);
  Task t;
  std::string expected, lower_stem;
  for (char c : stem) lower_stem += c == ' ' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string lower_ext;
  for (char c : ext) lower_ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (int i = 1; i <= n; ++i) {
    const std::string num = std::to_string(i);
    t.files[dir + "/" + stem + " " + num + "." + ext] = "content of picture " + num + "\n";
    expected += dir + "/" + lower_stem + "-" + num + "." + lower_ext + ":content of picture " + num + "\n";
  }
  t.files[dir + "/README"] = "Do not rename this file.\n";
  expected = dir + "/README:Do not rename this file.\n" + expected;
  t.instruction = "Rename every `*." + ext + "` file in `" + dir +
                  "/` to lower case with spaces replaced by dashes "
                  "(e.g. `" +
                  stem + " 1." + ext + "` becomes `" + lower_stem + "-1." + lower_ext +
                  "`). Leave other "
                  "files alone and keep the contents.";
  expected.pop_back();
  t.verify = expect_output("grep -r . " + dir + " | LC_ALL=C sort", expected);
  t.reference = {bash("ls " + dir),
                 bash("cd " + dir + " && for f in *." + ext +
                      "; do n=$(printf '%s' \"$f\" | tr 'A-Z ' 'a-z-'); "
                      "mv \"$f\" \"$n\"; done && ls"),
                 submit()};
  return t;
}

Task replace_in_tree(std::mt19937_64& rng) {
  const std::string old_name = pick(rng, std::vector<std::string>{"legacy_api", "oldClient", "fetch_v1"});
  const std::string new_name = pick(rng, std::vector<std::string>{"service_api", "httpClient", "fetch_v2"});
  const int files = uniform(rng, 3, 5);
  Task t;
  for (int i = 0; i < files; ++i) {
    t.files["src/mod" + std::to_string(i) + ".txt"] =
        "line a\ncall " + old_name + " here\nline c\n" + (i % 2 ? "again " + old_name + "(x)\n" : "");
  }
  t.files["vendor/third_party.txt"] = "vendored code also calls " + old_name + "\n";
  t.files["docs/history.md"] = "We used to call " + old_name + ".\n";
  t.instruction = "Replace every occurrence of `" + old_name + "` with `" + new_name +
                  "` in the files under `src/` (all of them, recursively). Do not touch `vendor/` or `docs/`.";
  t.verify = "set -e\n! grep -rq " + quote(old_name) + " src || { echo 'old name left in src'; exit 1; }\n" +
             "[ \"$(grep -ro " + quote(new_name) + " src | wc -l)\" = " + std::to_string(files + files / 2) +
             " ] || { echo 'wrong number of replacements'; exit 1; }\n" + "grep -q " + quote(old_name) +
             " vendor/third_party.txt && grep -q " + quote(old_name) +
             " docs/history.md || { echo 'vendor/ or docs/ changed'; exit 1; }\n";
  t.reference = {bash("grep -rn " + quote(old_name) + " ."),
                 bash("grep -rl " + quote(old_name) + " src | xargs sed -i 's/" + old_name + "/" + new_name + "/g'"),
                 bash("grep -rn " + quote(new_name) + " ."), submit()};
  return t;
}

Task extract_from_logs(std::mt19937_64& rng) {
  const std::vector<std::string> services = {"auth", "billing", "search", "upload"};
  const std::string target = pick(rng, services);
  const int days = uniform(rng, 2, 4);
  Task t;
  int errors = 0;
  for (int d = 1; d <= days; ++d) {
    std::string log;
    const int lines = uniform(rng, 20, 40);
    for (int i = 0; i < lines; ++i) {
      const std::string level = rng() % 4 == 0 ? "ERROR" : (rng() % 2 ? "INFO" : "WARN");
      const std::string service = pick(rng, services);
      if (level == "ERROR" && service == target) ++errors;
      log += "2026-01-0" + std::to_string(d) + "T10:" + std::to_string(10 + i) + ":00Z " + level + " [" + service +
             "] request " + std::to_string(rng() % 100000) + " took " + std::to_string(rng() % 900) + "ms\n";
    }
    t.files["logs/app-2026-01-0" + std::to_string(d) + ".log"] = log;
  }
  t.instruction = "Count the ERROR lines of the `" + target +
                  "` service across all the logs in `logs/` and write "
                  "the number alone to `answer.txt`.";
  t.verify = expect_output("tr -d ' \\n' < answer.txt", std::to_string(errors));
  t.reference = {bash("head -3 logs/*.log"),
                 bash("cat logs/*.log | grep -c 'ERROR \\[" + target + "\\]' > answer.txt; cat answer.txt"), submit()};
  return t;
}

}  // namespace hrm::agent::families
