// Small file helpers with errors that name the path.
#pragma once
#include <filesystem>
#include <string>

namespace hrm {

std::string read_file(const std::filesystem::path& path);
// Writes to `path.tmp.<pid>` and renames over `path`, so readers never see a half-written file.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

}  // namespace hrm
