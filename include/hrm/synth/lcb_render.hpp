// One synthetic Python task as a LiveCodeBench code_generation_lite row (the format hrm-eval --bench
// livecodebench reads): a functional problem (metadata.func_name, starter code `def f(...):`, one JSON
// value per input line) or a stdin problem (arguments on their own lines, the result printed). Private
// tests are encoded as LiveCodeBench publishes them (eval::lcb::encode_private_tests, lcb_codec.hpp).
//
// Exports: LcbStyle, lcb_row(), lcb_program(), lcb_answer().
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "hrm/synth/family.hpp"

namespace hrm::synth {

enum class LcbStyle { kFunctional, kStdin };

// The row (all fields strings, as the official files). `question_id` must be unique in its file.
nlohmann::json lcb_row(const Family& family, const Instance& inst, const std::string& question_id, LcbStyle style);

// The Python program LiveCodeBench judges for `function` (a complete `def`, possibly mutated): the
// function alone (functional) or followed by the stdin reading and printing.
std::string lcb_program(const Instance& inst, const std::string& function, LcbStyle style);

// An ideal model answer: the program in a ```python fenced block (what LCB's extraction takes back).
std::string lcb_answer(const std::string& program);

}  // namespace hrm::synth
