// Text mutations of solution bodies and the minimal SEARCH/REPLACE edit that undoes one.
#include "hrm/synth/mutate.hpp"

#include <algorithm>

#include "hrm/util/enum_table.hpp"
#include "hrm/util/error.hpp"

namespace hrm::synth {

const std::vector<Mutation> kMutations = {Mutation::kOperatorSwap, Mutation::kOffByOne, Mutation::kWrongVariable,
                                          Mutation::kDeletedLine, Mutation::kSyntaxBreak};

const char* mutation_name(Mutation m) {
  static constexpr const char* kNames[] = {"operator_swap", "off_by_one", "wrong_variable", "deleted_line",
                                           "syntax_break"};
  return enum_entry<Mutation::kSyntaxBreak>(m, kNames, "");
}

Mutation parse_mutation(const std::string& name) {
  for (auto m : kMutations) {
    if (name == mutation_name(m)) return m;
  }
  throw Error("unknown mutation '" + name + "'",
              "use operator_swap, off_by_one, wrong_variable, deleted_line or syntax_break");
}

namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    lines.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

std::string join_lines(const std::vector<std::string>& lines, size_t begin, size_t end) {
  std::string out;
  for (size_t k = begin; k < end; ++k) out += lines[k] + "\n";
  return out;
}

// Start offsets of `word` as a whole identifier in `text`.
std::vector<size_t> word_sites(const std::string& text, const std::string& word) {
  std::vector<size_t> sites;
  for (size_t p = text.find(word); p != std::string::npos; p = text.find(word, p + 1)) {
    const bool left = p == 0 || !ident_char(text[p - 1]);
    const bool right = p + word.size() >= text.size() || !ident_char(text[p + word.size()]);
    if (left && right && (p == 0 || text[p - 1] != '.')) sites.push_back(p);
  }
  return sites;
}

}  // namespace

std::optional<std::string> mutate(const std::string& body, Mutation m, const std::string& lang,
                                  const std::vector<std::string>& identifiers, Rng& rng) {
  switch (m) {
    case Mutation::kOperatorSwap: {
      // Spaced binary operators only: `->`, `=>`, generics and `+=` are left alone.
      static const std::vector<std::pair<std::string, std::string>> swaps = {
          {" + ", " - "},     {" - ", " + "},   {" * ", " + "},   {" < ", " > "},    {" > ", " < "},
          {" <= ", " > "},    {" >= ", " < "},  {" == ", " != "}, {" != ", " == "},  {" === ", " !== "},
          {" !== ", " === "}, {" && ", " || "}, {" || ", " && "}, {" and ", " or "}, {" or ", " and "}};
      std::vector<std::pair<size_t, size_t>> sites;  // (offset, swap index)
      for (size_t s = 0; s < swaps.size(); ++s) {
        for (size_t p = body.find(swaps[s].first); p != std::string::npos; p = body.find(swaps[s].first, p + 1)) {
          sites.push_back({p, s});
        }
      }
      if (sites.empty()) return std::nullopt;
      const auto [p, s] = rng.pick(sites);
      return body.substr(0, p) + swaps[s].second + body.substr(p + swaps[s].first.size());
    }
    case Mutation::kOffByOne: {
      std::vector<std::pair<size_t, size_t>> sites;  // integer literal (offset, length)
      for (size_t p = 0; p < body.size(); ++p) {
        if (!std::isdigit(static_cast<unsigned char>(body[p])) ||
            (p > 0 && (ident_char(body[p - 1]) || body[p - 1] == '.')))
          continue;
        size_t e = p;
        while (e < body.size() && std::isdigit(static_cast<unsigned char>(body[e]))) ++e;
        if (e < body.size() && (ident_char(body[e]) || body[e] == '.')) continue;
        sites.push_back({p, e - p});
        p = e;
      }
      if (sites.empty()) return std::nullopt;
      const auto [p, len] = rng.pick(sites);
      const long long v = std::stoll(body.substr(p, len));
      const long long w = v == 0 || rng.coin() ? v + 1 : v - 1;
      return body.substr(0, p) + std::to_string(w) + body.substr(p + len);
    }
    case Mutation::kWrongVariable: {
      std::vector<std::string> present;
      for (const auto& id : identifiers) {
        if (!word_sites(body, id).empty() && std::find(present.begin(), present.end(), id) == present.end()) {
          present.push_back(id);
        }
      }
      if (present.size() < 2) return std::nullopt;
      const std::string from = rng.pick(present);
      std::string to = rng.pick(present);
      while (to == from) to = rng.pick(present);
      const size_t p = rng.pick(word_sites(body, from));
      return body.substr(0, p) + to + body.substr(p + from.size());
    }
    case Mutation::kDeletedLine: {
      const auto lines = split_lines(body);
      std::vector<size_t> candidates;
      for (size_t k = 0; k < lines.size(); ++k) {
        const auto b = lines[k].find_first_not_of(" \t");
        if (b == std::string::npos) continue;
        const std::string t = lines[k].substr(b);
        if (t == "}" || t == "};" || t == "} else {" || t == "else:") continue;
        candidates.push_back(k);
      }
      if (candidates.empty()) return std::nullopt;
      const size_t drop = rng.pick(candidates);
      std::string out;
      for (size_t k = 0; k < lines.size(); ++k) {
        if (k != drop) out += lines[k] + "\n";
      }
      return out;
    }
    case Mutation::kSyntaxBreak: {
      std::vector<size_t> parens;
      for (size_t p = 0; p < body.size(); ++p) {
        if (body[p] == ')') parens.push_back(p);
      }
      if (!parens.empty()) {
        const size_t p = rng.pick(parens);
        return body.substr(0, p) + body.substr(p + 1);
      }
      if (lang == "python") {
        const size_t colon = body.find(":\n");
        if (colon != std::string::npos) return body.substr(0, colon) + body.substr(colon + 1);
      }
      std::string out = body;
      while (!out.empty() && out.back() == '\n') out.pop_back();
      return out + " (\n";
    }
  }
  return std::nullopt;
}

std::string mutation_explanation(Mutation m) {
  static constexpr const char* kExplanations[] = {"The code uses the wrong operator in one expression.",
                                                  "One number in the code is off by one.",
                                                  "The code uses the wrong variable in one place.",
                                                  "A line of the solution is missing.", "The code has a syntax error."};
  return enum_entry<Mutation::kSyntaxBreak>(m, kExplanations, "");
}

std::string search_replace_edit(const std::string& path, const std::string& broken, const std::string& fixed,
                                const std::string& fence) {
  const auto b = split_lines(broken), f = split_lines(fixed);
  size_t prefix = 0;
  while (prefix < b.size() && prefix < f.size() && b[prefix] == f[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < b.size() - prefix && suffix < f.size() - prefix &&
         b[b.size() - 1 - suffix] == f[f.size() - 1 - suffix]) {
    ++suffix;
  }
  for (size_t context = 1;; ++context) {
    const size_t begin = prefix > context ? prefix - context : 0;
    const size_t end_b = std::min(b.size(), b.size() - suffix + context);
    const size_t end_f = f.size() - (b.size() - end_b);
    const std::string search = join_lines(b, begin, end_b);
    const bool whole = begin == 0 && end_b == b.size();
    // Unique SEARCH text: Aider replaces the first match, which must be this one.
    if (whole || (!search.empty() && broken.find(search) == broken.rfind(search))) {
      return path + "\n" + fence + "\n<<<<<<< SEARCH\n" + search + "=======\n" + join_lines(f, begin, end_f) +
             ">>>>>>> REPLACE\n" + fence + "\n";
    }
  }
}

}  // namespace hrm::synth
