// ConfigReader — typed reading of one YAML mapping into a config struct.
// Every key must be consumed: finish() rejects unknown keys (typos), and wrong types or impossible
// values are errors naming the file and the full key path, e.g. "configs/arch/x.yaml: model.hidden_size".
#pragma once
#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "hrm/util/error.hpp"

namespace hrm {

// The YAML document in `path`; a missing file or a syntax error is an hrm::Error naming the file (and the
// line and column of the error).
YAML::Node load_yaml_file(const std::string& path);

class ConfigReader {
 public:
  // `source` names where the node came from (a file path); `prefix` is the key path of this mapping.
  ConfigReader(YAML::Node node, std::string source, std::string prefix = "");

  static ConfigReader from_file(const std::string& path);

  // Read an optional key: leaves `out` at its default when absent.
  template <typename T>
  void get(const std::string& key, T& out);
  // Read a key that must be present.
  template <typename T>
  void require(const std::string& key, T& out);
  // An optional list of scalars, e.g. `ks: [1, 5]`; replaces `out` when present.
  template <typename T>
  void get_list(const std::string& key, std::vector<T>& out);
  // One of `allowed` (string enums).
  void get_choice(const std::string& key, std::string& out, const std::vector<std::string>& allowed);
  // A nested mapping, read by `fn` with its own reader (whose unknown keys are also rejected).
  bool has(const std::string& key) const;
  bool is_scalar(const std::string& key) const { return has(key) && node_[key].IsScalar(); }
  ConfigReader child(const std::string& key);

  // Throws with file + key path when `ok` is false; for range checks after reading.
  void check(bool ok, const std::string& key, const std::string& what) const;
  // Rejects every key that was not read.
  void finish() const;

  const std::string& source() const { return source_; }
  std::string path_of(const std::string& key) const { return prefix_.empty() ? key : prefix_ + "." + key; }

 private:
  [[noreturn]] void type_error(const std::string& key, const char* expected) const;
  YAML::Node node_;
  std::string source_;
  std::string prefix_;
  std::set<std::string> used_;
};

template <typename T>
void ConfigReader::get(const std::string& key, T& out) {
  used_.insert(key);
  const YAML::Node value = node_[key];
  if (!value) return;
  if (!value.IsScalar()) type_error(key, "a scalar");
  try {
    out = value.as<T>();
  } catch (const YAML::Exception&) {
    if constexpr (std::is_same_v<T, bool>)
      type_error(key, "true or false");
    else if constexpr (std::is_integral_v<T>)
      type_error(key, "an integer");
    else if constexpr (std::is_floating_point_v<T>)
      type_error(key, "a number");
    else
      type_error(key, "a string");
  }
}

template <typename T>
void ConfigReader::get_list(const std::string& key, std::vector<T>& out) {
  used_.insert(key);
  const YAML::Node value = node_[key];
  if (!value) return;
  if (!value.IsSequence()) type_error(key, "a list");
  std::vector<T> items;
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].IsScalar()) type_error(key, "a list of scalars");
    try {
      items.push_back(value[i].as<T>());
    } catch (const YAML::Exception&) {
      type_error(key, std::is_integral_v<T>         ? "a list of integers"
                      : std::is_floating_point_v<T> ? "a list of numbers"
                                                    : "a list of strings");
    }
  }
  out = std::move(items);
}

template <typename T>
void ConfigReader::require(const std::string& key, T& out) {
  if (!node_[key]) {
    throw Error(source_ + ": missing required key '" + path_of(key) + "'",
                "add `" + key + ": <value>` to the mapping" + (prefix_.empty() ? "" : " '" + prefix_ + "'"));
  }
  get(key, out);
}

}  // namespace hrm
