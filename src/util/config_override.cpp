#include "hrm/util/config_override.hpp"

#include <sstream>

#include "hrm/util/error.hpp"

namespace hrm {

ConfigOverride parse_override(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw Error("--set '" + text + "': expected key.path=value", "e.g. --set stages.0.optimizer.lr=3e-4");
  }
  ConfigOverride o;
  o.text = text;
  o.value = text.substr(eq + 1);
  std::istringstream keys(text.substr(0, eq));
  for (std::string part; std::getline(keys, part, '.');) {
    if (part.empty()) throw Error("--set '" + text + "': empty component in the key path");
    o.path.push_back(part);
  }
  return o;
}

void apply_override(YAML::Node root, const ConfigOverride& o) {
  YAML::Node value;
  try {
    value = YAML::Load(o.value);
  } catch (const YAML::Exception& e) {
    throw Error("--set '" + o.text + "': the value is not valid YAML: " + e.msg);
  }
  // yaml-cpp nodes are handles: walking with a copy and assigning through it edits the tree.
  std::vector<YAML::Node> chain{root};
  for (size_t i = 0; i + 1 < o.path.size(); ++i) {
    YAML::Node cur = chain.back();
    const auto& key = o.path[i];
    if (cur.IsSequence()) {
      size_t idx = 0;
      try {
        idx = std::stoul(key);
      } catch (const std::exception&) {
        throw Error("--set '" + o.text + "': '" + key + "' must be an index into a list");
      }
      if (idx >= cur.size()) {
        throw Error("--set '" + o.text + "': index " + key + " is past the end of a list of " +
                    std::to_string(cur.size()));
      }
      chain.push_back(cur[idx]);
    } else if (cur.IsScalar()) {
      throw Error("--set '" + o.text + "': '" + key + "' is inside a scalar value");
    } else {
      if (!cur[key]) cur[key] = YAML::Node(YAML::NodeType::Map);
      chain.push_back(cur[key]);
    }
  }
  YAML::Node parent = chain.back();
  const auto& last = o.path.back();
  if (parent.IsSequence()) {
    size_t idx = 0;
    try {
      idx = std::stoul(last);
    } catch (const std::exception&) {
      throw Error("--set '" + o.text + "': '" + last + "' must be an index into a list");
    }
    if (idx >= parent.size()) throw Error("--set '" + o.text + "': index " + last + " is past the end of the list");
    parent[idx] = value;
  } else if (parent.IsScalar()) {
    throw Error("--set '" + o.text + "': the parent of '" + last + "' is a scalar");
  } else {
    parent[last] = value;
  }
}

}  // namespace hrm
