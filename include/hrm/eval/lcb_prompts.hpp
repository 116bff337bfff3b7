// LiveCodeBench prompts for the four scenarios, in the chat format LiveCodeBench uses for chat models
// (lcb_runner/prompts/*.py, LMStyle.OpenAIChat: a system message, then one user message), and the
// answer extraction of the non-code scenarios (lcb_runner/utils/extraction_utils.py).
//
// Exports: codegen_messages(), self_repair_messages(), test_output_messages(), execution_messages(),
// extract_test_output(), extract_execution_answer(), function_name_from_starter().
#pragma once
#include <string>
#include <vector>

#include "hrm/eval/lcb_data.hpp"
#include "hrm/eval/model_backend.hpp"

namespace hrm::eval::lcb {

extern const char* const kCodegenSystem;     // "You are an expert Python programmer. ..."
extern const char* const kSelfRepairSystem;  // "You are a helpful programming assistant ..."

// Code generation: "### Question:\n...\n\n### Format: ...```python\n<starter or # YOUR CODE HERE>\n```...".
std::vector<ChatMessage> codegen_messages(const Problem& problem);

// Self-repair of one sample: the question, the sample's code and the judge's feedback (from its
// LiveCodeBench metadata, a JSON object text). Empty when the metadata has no error_code (the sample
// passed: LiveCodeBench keeps the original answer instead of asking again).
std::vector<ChatMessage> self_repair_messages(const std::string& question_content, const std::string& code,
                                              const std::string& metadata_json);
// The feedback paragraph of self_repair_messages() ("The above code is incorrect and got a wrong answer...").
std::string repair_feedback(const std::string& metadata_json);

// Test output prediction: "Problem:\n...Function:\n```\n<starter>\n```\nPlease complete the following
// test case:\n\n```\nassert f(<args>) == # TODO\n```\n".
std::vector<ChatMessage> test_output_messages(const std::string& question_content, const std::string& starter_code,
                                              const std::string& function_name, const std::string& test_input);
// The only `def` name in the starter code (LiveCodeBench's parse_function_name_from_starter_code);
// `fallback` when there is none.
std::string function_name_from_starter(const std::string& starter_code, const std::string& fallback);

// Code execution (CRUXEval style), direct or chain-of-thought.
std::vector<ChatMessage> execution_messages(const std::string& code, const std::string& input, bool cot);

// The last line starting with "assert", else the first ```python block (else the first ``` block).
std::string extract_test_output(const std::string& reply);
// The predicted output literal: after "[ANSWER]" (cot), after "==", up to "[/ANSWER]" or the first line.
std::string extract_execution_answer(const std::string& reply, bool cot);

}  // namespace hrm::eval::lcb
