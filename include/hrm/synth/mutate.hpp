// Mutations of correct solution bodies, for self-repair and edit data: the broken code is run against
// the task's tests in the sandbox, and only mutants whose tests really fail are kept (with the real
// error output). Mutations work on text, on a rendered body (never the signature), so they apply to
// every language.
//
// Exports: Mutation, kMutations, mutate(), mutation_explanation(), search_replace_edit().
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "hrm/synth/family.hpp"

namespace hrm::synth {

enum class Mutation { kOperatorSwap, kOffByOne, kWrongVariable, kDeletedLine, kSyntaxBreak };
extern const std::vector<Mutation> kMutations;
const char* mutation_name(Mutation m);  // "operator_swap", "off_by_one", ...
Mutation parse_mutation(const std::string& name);

// `body` mutated by `m` (a choice among the possible sites made with `rng`), or nullopt when the body
// offers no site for it (e.g. no integer literal). `identifiers` are the names in scope that a wrong
// variable may be swapped between (parameters and locals).
std::optional<std::string> mutate(const std::string& body, Mutation m, const std::string& language,
                                  const std::vector<std::string>& identifiers, Rng& rng);

// One sentence saying what is wrong, for the self-repair answer.
std::string mutation_explanation(Mutation m);

// A minimal Aider SEARCH/REPLACE reply for `path` that turns `broken` into `fixed`: the changed lines
// with one line of context (more when the SEARCH text would not be unique), in `fence`.
std::string search_replace_edit(const std::string& path, const std::string& broken, const std::string& fixed,
                                const std::string& fence);

}  // namespace hrm::synth
