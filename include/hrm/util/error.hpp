// hrm::Error — the one exception type of libhrm, carrying context that callers add as it travels up.
// Throw inside the library, catch once at the edge (the binary's main) and print what() with the hint.
#pragma once
#include <stdexcept>
#include <string>
#include <utility>

namespace hrm {

class Error : public std::runtime_error {
 public:
  explicit Error(std::string message, std::string hint = "")
      : std::runtime_error(message), message_(std::move(message)), hint_(std::move(hint)) {}

  // Prefix more context ("loading checkpoint runs/x: ") and keep the hint.
  Error with_context(const std::string& context) const { return Error(context + ": " + message_, hint_); }

  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  const char* what() const noexcept override { return message_.c_str(); }
  // "message\nHINT: hint" when a hint is present.
  std::string describe() const { return hint_.empty() ? message_ : message_ + "\nHINT: " + hint_; }

 private:
  std::string message_;
  std::string hint_;
};

// Run `fn`, re-throwing any hrm::Error (or std::exception) with `context` prefixed.
template <typename Fn>
auto with_context(const std::string& context, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const Error& e) {
    throw e.with_context(context);
  } catch (const std::exception& e) {
    throw Error(context + ": " + e.what());
  }
}

}  // namespace hrm

#define HRM_CHECK(cond, ...)                      \
  do {                                            \
    if (!(cond)) throw ::hrm::Error(__VA_ARGS__); \
  } while (0)
