// hrm::run_main — the one edge every binary (src/bin) reports errors at, so none ever ends in
// std::terminate. A binary's main is `return hrm::run_main(argc, argv, run);` with run(argc, argv) doing
// the flag parsing and the library calls; what escapes run() is printed on stderr and the exit status is 1:
//   hrm::Error            "error: <message>" and, when it has one, "HINT: <hint>" on the next line
//   other std::exception  "<binary>: error: <what(), first line>" (nlohmann::json, std::filesystem,
//                         c10::Error, ...: a library error hrm did not wrap; one line, no backtrace)
//   anything else         "<binary>: error: unknown exception"
#pragma once
#include <functional>

namespace hrm {

using MainFn = std::function<int(int argc, char** argv)>;

int run_main(int argc, char** argv, const MainFn& fn);

}  // namespace hrm
