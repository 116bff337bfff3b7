#include "hrm/util/run_main.hpp"

#include <exception>
#include <iostream>
#include <string>

#include "hrm/util/error.hpp"

namespace hrm {

namespace {

std::string binary_name(const std::string& argv0) {
  const auto slash = argv0.find_last_of('/');
  const auto name = slash == std::string::npos ? argv0 : argv0.substr(slash + 1);
  return name.empty() ? "hrm" : name;
}

// c10::Error appends a backtrace after the first line; other libraries' messages are one line.
std::string first_line(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

// What run_main prints for `error` escaping binary `argv0` (a path; its file name is used).
std::string describe_main_error(const std::string& argv0, const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const Error& e) {
    return "error: " + e.describe();
  } catch (const std::exception& e) {
    return binary_name(argv0) + ": error: " + first_line(e.what());
  } catch (...) {
    return binary_name(argv0) + ": error: unknown exception";
  }
}

}  // namespace

int run_main(int argc, char** argv, const MainFn& fn) {
  try {
    return fn(argc, argv);
  } catch (...) {
    std::cerr << describe_main_error(argc > 0 ? argv[0] : "", std::current_exception()) << std::endl;
    return 1;
  }
}

}  // namespace hrm
