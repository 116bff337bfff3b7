// `--set key.path=value` overrides of a YAML config tree, applied before the typed config is read (so
// a typo in the key still fails with "unknown key"). Path components are mapping keys or, in a
// sequence, 0-based indices: `stages.1.optimizer.lr=3e-4`, `model.hidden_size=128`. The value is parsed
// as YAML (`1e-3`, `true`, `[a, b]`).
#pragma once
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

namespace hrm {

struct ConfigOverride {
  std::vector<std::string> path;  // split at '.'
  std::string value;              // YAML text
  std::string text;               // as given, for messages
};

// Parses "a.b=value"; throws hrm::Error naming the text when it has no '=' or an empty key.
ConfigOverride parse_override(const std::string& text);
// Sets the node at `o.path` below `root` (creating missing mapping keys); throws when the path runs
// through a scalar or past the end of a sequence.
void apply_override(YAML::Node root, const ConfigOverride& o);

}  // namespace hrm
