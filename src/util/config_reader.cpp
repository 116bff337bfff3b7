#include "hrm/util/config_reader.hpp"

#include <sstream>

namespace hrm {

ConfigReader::ConfigReader(YAML::Node node, std::string source, std::string prefix)
    : node_(std::move(node)), source_(std::move(source)), prefix_(std::move(prefix)) {
  if (node_ && !node_.IsNull() && !node_.IsMap()) {
    throw Error(source_ + ": '" + (prefix_.empty() ? std::string("<top level>") : prefix_) + "' must be a mapping");
  }
}

YAML::Node load_yaml_file(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw Error("cannot open config file '" + path + "'",
                "check the path (relative paths are from the current directory)");
  } catch (const YAML::ParserException& e) {
    throw Error(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                ": YAML syntax error: " + e.msg);
  }
}

ConfigReader ConfigReader::from_file(const std::string& path) { return ConfigReader(load_yaml_file(path), path); }

void ConfigReader::get_choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed) {
  get(key, out);
  for (const auto& a : allowed) {
    if (a == out) return;
  }
  std::ostringstream list;
  for (size_t i = 0; i < allowed.size(); ++i) list << (i ? ", " : "") << allowed[i];
  throw Error(source_ + ": '" + path_of(key) + "' is '" + out + "'", "use one of: " + list.str());
}

bool ConfigReader::has(const std::string& key) const { return static_cast<bool>(node_[key]); }

ConfigReader ConfigReader::child(const std::string& key) {
  used_.insert(key);
  return ConfigReader(node_[key], source_, path_of(key));
}

void ConfigReader::check(bool ok, const std::string& key, const std::string& what) const {
  if (!ok) throw Error(source_ + ": invalid '" + path_of(key) + "': " + what);
}

void ConfigReader::finish() const {
  if (!node_ || node_.IsNull()) return;
  for (const auto& kv : node_) {
    const auto key = kv.first.as<std::string>();
    if (!used_.count(key)) {
      std::ostringstream known;
      size_t i = 0;
      for (const auto& k : used_) known << (i++ ? ", " : "") << k;
      throw Error(source_ + ": unknown key '" + path_of(key) + "'", "known keys here: " + known.str());
    }
  }
}

void ConfigReader::type_error(const std::string& key, const char* expected) const {
  const auto mark = node_[key].Mark();
  throw Error(source_ + (mark.line >= 0 ? ":" + std::to_string(mark.line + 1) : "") + ": '" + path_of(key) +
              "' must be " + expected + " (got '" + YAML::Dump(node_[key]) + "')");
}

}  // namespace hrm
