#include "hrm/agent/task.hpp"

#include <fstream>
#include <set>

#include "hrm/agent/tools.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm::agent {

using json = nlohmann::json;

json task_to_json(const Task& t) {
  json reference = json::array();
  for (const auto& c : t.reference) reference.push_back({{"name", c.name}, {"arguments", c.arguments}});
  return {{"id", t.id},
          {"family", t.family},
          {"language", t.language},
          {"instruction", t.instruction},
          {"files", t.files},
          {"setup", t.setup},
          {"verify", t.verify},
          {"tools", t.tools},
          {"max_turns", t.max_turns},
          {"time_limit_seconds", t.time_limit_seconds},
          {"reference", reference}};
}

namespace {

template <typename T>
T field(const json& j, const char* key, const std::string& where) {
  if (!j.contains(key)) throw Error(where + ": missing field '" + key + "'", "see docs/tools.md, Task format");
  try {
    return j[key].get<T>();
  } catch (const std::exception&) {
    throw Error(where + ": field '" + key + "' has the wrong type: " + j[key].dump().substr(0, 80),
                "see docs/tools.md, Task format");
  }
}

}  // namespace

Task task_from_json(const json& j, const std::string& where) {
  static const std::set<std::string> known = {"id",       "family", "language", "instruction", "files",
                                              "setup",    "verify", "tools",    "max_turns",   "time_limit_seconds",
                                              "reference"};
  if (!j.is_object()) throw Error(where + ": a task must be a JSON object");
  for (const auto& item : j.items()) {
    if (!known.count(item.key()))
      throw Error(where + ": unknown field '" + item.key() + "'", "see docs/tools.md, Task format");
  }
  Task t;
  t.id = field<std::string>(j, "id", where);
  const std::string at = where + " (task " + t.id + ")";
  t.family = field<std::string>(j, "family", at);
  t.language = field<std::string>(j, "language", at);
  t.instruction = field<std::string>(j, "instruction", at);
  t.files = field<std::map<std::string, std::string>>(j, "files", at);
  t.setup = field<std::string>(j, "setup", at);
  t.verify = field<std::string>(j, "verify", at);
  t.tools = field<std::vector<std::string>>(j, "tools", at);
  with_context(at, [&] { tool_schemas(t.tools); });  // names checked
  t.max_turns = field<int>(j, "max_turns", at);
  t.time_limit_seconds = field<double>(j, "time_limit_seconds", at);
  HRM_CHECK(t.max_turns > 0 && t.time_limit_seconds > 0, at + ": max_turns and time_limit_seconds must be positive");
  for (const auto& c : field<json>(j, "reference", at)) {
    HRM_CHECK(c.is_object() && c.contains("name") && c["name"].is_string() && c.contains("arguments") &&
                  c["arguments"].is_object(),
              at + ": a reference call must be {\"name\": ..., \"arguments\": {...}}");
    t.reference.push_back({c["name"].get<std::string>(), c["arguments"]});
  }
  return t;
}

std::vector<Task> load_suite(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open the task suite '" + path + "'", "generate one with `hrm-data tools --out <file>`");
  std::vector<Task> tasks;
  std::set<std::string> ids;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = path + ":" + std::to_string(n);
    json j;
    try {
      j = json::parse(line);
    } catch (const std::exception& e) {
      throw Error(where + ": not valid JSON: " + e.what(), "one task object per line");
    }
    tasks.push_back(task_from_json(j, where));
    if (!ids.insert(tasks.back().id).second) throw Error(where + ": duplicate task id '" + tasks.back().id + "'");
  }
  HRM_CHECK(!tasks.empty(), "the task suite '" + path + "' has no tasks");
  return tasks;
}

void write_suite(const std::string& path, const std::vector<Task>& tasks) {
  std::string out;
  for (const auto& t : tasks) out += task_to_json(t).dump() + "\n";
  write_file_atomic(path, out);
}

}  // namespace hrm::agent
