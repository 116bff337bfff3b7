#include "hrm/data/build.hpp"

#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "hrm/data/language.hpp"
#include "hrm/util/progress.hpp"
#include "hrm/data/shard.hpp"
#include "hrm/tokenizer/chat_template.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/config_reader.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm {

namespace fs = std::filesystem;

namespace {

// ConfigReader reads scalars and mappings; lists are read here and removed from the node before
// the reader sees it (so its unknown-key check still covers everything else).
std::vector<std::string> take_string_list(YAML::Node map, const std::string& key, const std::string& source,
                                          const std::string& path) {
  std::vector<std::string> out;
  if (!map || !map.IsMap() || !map[key]) return out;
  const YAML::Node value = map[key];
  const auto fail = [&] {
    throw Error(source + (value.Mark().line >= 0 ? ":" + std::to_string(value.Mark().line + 1) : "") + ": '" + path +
                    "' must be a list of strings",
                "write it as [a, b] or one `- item` per line");
  };
  if (value.IsScalar()) {
    out.push_back(value.as<std::string>());
  } else if (value.IsSequence()) {
    for (const auto& item : value) {
      if (!item.IsScalar()) fail();
      out.push_back(item.as<std::string>());
    }
  } else {
    fail();
  }
  map.remove(key);
  return out;
}

}  // namespace

BuildConfig BuildConfig::from_yaml(const std::string& yaml_text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::ParserException& e) {
    throw Error(source + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  BuildConfig c;
  c.inputs = take_string_list(root, "inputs", source, "inputs");
  if (root.IsMap() && root["decontamination"]) {
    c.decontamination.benchmarks =
        take_string_list(root["decontamination"], "benchmarks", source, "decontamination.benchmarks");
  }
  ConfigReader r(root, source);
  r.require("tokenizer", c.tokenizer);
  r.require("out", c.out);
  r.get_choice("mode", c.mode, {"pretrain", "sft"});
  r.check(!c.inputs.empty(), "inputs", "at least one JSONL input is required");
  r.get("seq_len", c.seq_len);
  r.check(c.seq_len > 0, "seq_len", "must be positive");
  r.get("packing", c.packing);
  r.get("shard_tokens", c.shard_tokens);
  r.check(c.shard_tokens > 0, "shard_tokens", "must be positive");
  r.get("validation_fraction", c.validation_fraction);
  r.check(c.validation_fraction >= 0 && c.validation_fraction < 1, "validation_fraction", "must be in [0, 1)");
  r.get("seed", c.seed);
  r.get_choice("on_error", c.on_error, {"skip", "stop"});
  r.get("language_tag", c.language_tag);
  r.get("max_document_tokens", c.max_document_tokens);
  r.check(c.max_document_tokens >= 0, "max_document_tokens", "must be 0 (no limit) or positive");
  r.get("last_turn_only", c.last_turn_only);
  r.get("split_turns", c.split_turns);
  r.check(!(c.split_turns && c.last_turn_only), "split_turns",
          "already takes the loss on one turn per document: drop last_turn_only");
  if (r.has("decontamination")) {
    auto d = r.child("decontamination");
    d.get("lcb_cutoff", c.decontamination.lcb_cutoff);
    d.get("ngram", c.decontamination.ngram);
    d.check(c.decontamination.ngram >= 1, "ngram", "must be at least 1");
    d.get("threshold", c.decontamination.threshold);
    d.check(c.decontamination.threshold > 0 && c.decontamination.threshold <= 1, "threshold", "must be in (0, 1]");
    d.get("force", c.decontamination.force);
    d.finish();
  }
  r.finish();
  return c;
}

BuildConfig BuildConfig::from_file(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error& e) {
    throw Error("cannot open config file: " + e.message(), "check the --config path");
  }
  return from_yaml(text, path);
}

std::vector<size_t> shuffled_indices(size_t n, uint64_t seed) {
  std::vector<size_t> idx(n);
  for (size_t i = 0; i < n; ++i) idx[i] = i;
  std::mt19937_64 rng(seed);
  for (size_t i = n; i > 1; --i) {
    const size_t j = static_cast<size_t>(rng() % i);
    std::swap(idx[i - 1], idx[j]);
  }
  return idx;
}

nlohmann::json BuildStats::to_json() const {
  const auto split = [](const Split& s) {
    return nlohmann::json{{"documents", s.documents},
                          {"tokens", s.tokens},
                          {"loss_tokens", s.loss_tokens},
                          {"tokens_by_language", s.tokens_by_language}};
  };
  nlohmann::json j{{"rows", rows},       {"train", split(train)},  {"validation", split(validation)},
                   {"dropped", dropped}, {"truncated", truncated}, {"corpus_dropped", corpus_dropped}};
  if (decontaminated) {
    j["decontamination"] = {{"problems", decontamination.problems.size()},
                            {"contaminated", decontamination.contaminated()},
                            {"ngram", decontamination.ngram},
                            {"threshold", decontamination.threshold}};
  }
  return j;
}

std::string BuildStats::format() const {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "rows read: %zu, truncated documents: %zu\n", rows, truncated);
  out += line;
  for (const auto* s : {&train, &validation}) {
    std::snprintf(line, sizeof line, "%-10s %8zu documents %12llu tokens %12llu loss tokens\n",
                  s == &train ? "train" : "validation", s->documents, static_cast<unsigned long long>(s->tokens),
                  static_cast<unsigned long long>(s->loss_tokens));
    out += line;
    for (const auto& [lang, n] : s->tokens_by_language) {
      std::snprintf(line, sizeof line, "    %-12s %12llu tokens\n", lang.c_str(), static_cast<unsigned long long>(n));
      out += line;
    }
  }
  for (const auto& [reason, n] : dropped) {
    std::snprintf(line, sizeof line, "dropped %-16s %8zu\n", reason.c_str(), n);
    out += line;
  }
  for (const auto& [reason, n] : corpus_dropped) {
    std::snprintf(line, sizeof line, "corpus dropped %-16s %8zu files\n", reason.c_str(), n);
    out += line;
  }
  if (decontaminated) out += decontamination.format(10);
  return out;
}

namespace {

// Where a row lives, for the second (tokenizing) pass.
struct RowRef {
  uint32_t file;
  uint64_t line;
  uint64_t offset;  // byte offset of the line in its file
};

std::vector<ChatMessage> messages_of(const nlohmann::json& row, const std::string& where) {
  std::vector<ChatMessage> m;
  if (row.contains("messages")) {
    const auto& list = row["messages"];
    if (!list.is_array() || list.empty()) throw Error(where + ": 'messages' must be a non-empty list");
    // OpenAI messages, tool calls included (agent transcripts are training rows as they are).
    for (size_t i = 0; i < list.size(); ++i) {
      m.push_back(chat_message_from_json(list[i], where + ": messages[" + std::to_string(i) + "]"));
    }
    return m;
  }
  for (const char* key : {"prompt", "response"}) {
    if (!row.contains(key) || !row[key].is_string()) {
      throw Error(where + ": an SFT row needs string 'prompt' and 'response' (or 'messages')");
    }
  }
  const std::string system =
      row.contains("system") && row["system"].is_string() ? row["system"].get<std::string>() : "";
  return prompt_response_messages(row["prompt"].get<std::string>(), row["response"].get<std::string>(), system);
}

// The text of a row for decontamination (all of it, prompt and response alike).
std::string text_of(const nlohmann::json& row, const std::string& mode, const std::string& where) {
  if (mode == "pretrain" || (mode == "auto" && (row.contains("content") || row.contains("text")))) {
    const char* key = row.contains("content") ? "content" : "text";
    if (!row.contains(key) || !row[key].is_string())
      throw Error(where + ": a pretraining row needs a string 'content' or 'text'");
    return row[key].get<std::string>();
  }
  return render_chat(messages_of(row, where)).text;
}

std::string language_of(const nlohmann::json& row) {
  if (row.contains("language") && row["language"].is_string()) {
    const auto name = row["language"].get<std::string>();
    if (language_from_name(name)) return name;
  }
  return "other";
}

std::unique_ptr<OverlapIndex> make_overlap_index(const BuildConfig::Decontamination& d) {
  std::vector<BenchmarkProblem> bench;
  for (const auto& b : d.benchmarks) {
    auto more = load_benchmark(b, d.lcb_cutoff);
    bench.insert(bench.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
  }
  return std::make_unique<OverlapIndex>(std::move(bench), DecontamOptions{d.ngram, d.threshold});
}

}  // namespace

OverlapReport overlap_report(const std::vector<std::string>& inputs, const BuildConfig::Decontamination& d,
                             OnError on_error) {
  if (d.benchmarks.empty()) throw Error("no benchmark given", "pass --benchmark <polyglot dir or lcb .jsonl>");
  auto index = make_overlap_index(d);
  ProblemLog problems(on_error);
  for (const auto& in : inputs) {
    JsonlReader reader(in, problems);
    while (auto row = reader.next()) {
      const std::string where = reader.where();
      try {
        index->scan(text_of(*row, "auto", where), where);
      } catch (const Error& e) {
        problems.report("bad_row", where, e.message());
      }
    }
  }
  return index->report();
}

namespace {

// Pass 1: every row validated and scanned for benchmark overlap (when `overlap` is set); where each
// valid row is, for pass 2.
std::vector<RowRef> scan_rows(const BuildConfig& config, ProblemLog& problems, OverlapIndex* overlap) {
  const auto report_bad_row = [&](const std::string& where, const Error& e) {
    // The message already starts with "file:line: ".
    const std::string detail = e.message().rfind(where, 0) == 0 ? e.message().substr(where.size() + 2) : e.message();
    problems.report("bad_row", where, detail);
  };
  uint64_t input_bytes = 0;
  for (const auto& in : config.inputs) {
    std::error_code ec;
    input_bytes += fs::file_size(in, ec);
  }
  std::vector<RowRef> rows;
  Progress progress("scan", input_bytes, "B");
  uint64_t base = 0;
  for (size_t f = 0; f < config.inputs.size(); ++f) {
    JsonlReader reader(config.inputs[f], problems);
    while (auto row = reader.next()) {
      const std::string where = reader.where();
      try {
        const auto text = text_of(*row, config.mode, where);
        if (overlap) overlap->scan(text, where);
      } catch (const Error& e) {
        report_bad_row(where, e);
        continue;
      }
      rows.push_back({static_cast<uint32_t>(f), reader.line(), reader.line_offset()});
      progress.set(base + reader.bytes_read());
    }
    base += reader.bytes_read();
  }
  return rows;
}

// The files `hrm-data corpus` dropped, from the <input>.stats.json next to each input.
void add_corpus_drops(const std::vector<std::string>& inputs, BuildStats& stats) {
  for (const auto& in : inputs) {
    const fs::path corpus_stats = in + ".stats.json";
    std::error_code ec;
    if (!fs::exists(corpus_stats, ec)) continue;
    const auto j = nlohmann::json::parse(read_file(corpus_stats), nullptr, false);
    if (j.is_discarded() || !j.contains("dropped") || !j["dropped"].is_object()) continue;
    for (const auto& [reason, n] : j["dropped"].items()) {
      if (n.is_number_unsigned()) stats.corpus_dropped[reason] += n.get<size_t>();
    }
  }
}

// The overlap report into `stats`; throws when a benchmark problem is contaminated and force is off.
void check_decontamination(const OverlapIndex& overlap, const BuildConfig::Decontamination& d, BuildStats& stats) {
  stats.decontaminated = true;
  stats.decontamination = overlap.report();
  spdlog::info("{}", stats.decontamination.format(10));
  if (stats.decontamination.contaminated() > 0 && !d.force) {
    throw Error("refusing to build: " + std::to_string(stats.decontamination.contaminated()) +
                    " benchmark problem(s) overlap the training data at or above the threshold\n" +
                    stats.decontamination.format(10),
                "remove those problems from the inputs, or pass --force (decontamination.force: true) to build anyway");
  }
}

// One document's tokens, loss mask and prompt length, as written to a shard.
struct EncodedDocument {
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
  uint32_t prompt_length = 0;
};

// Pretrain: [<|lang|>] text </s> (cut to max_document_tokens), loss on every token.
void encode_pretrain(const Tokenizer& tokenizer, const BuildConfig& config, const nlohmann::json& row,
                     std::optional<Language> lang, const std::string& where, EncodedDocument& doc, BuildStats& stats) {
  doc.ids.clear();
  if (config.language_tag && lang) doc.ids.push_back(language_tag_id(*lang));
  tokenizer.encode_append(text_of(row, config.mode, where), doc.ids);
  if (config.max_document_tokens > 0 && static_cast<int64_t>(doc.ids.size()) >= config.max_document_tokens) {
    doc.ids.resize(static_cast<size_t>(config.max_document_tokens - 1));
    ++stats.truncated;
  }
  doc.ids.push_back(tok::kEosId);
  doc.mask.assign(doc.ids.size(), 1);
  doc.prompt_length = 0;
}

// The conversations a row becomes: itself, or with split_turns one per assistant turn (the messages up
// to it, the loss on it only), so that a prefix-LM sees each turn's history as it does at inference.
std::vector<std::vector<ChatMessage>> sft_conversations(std::vector<ChatMessage> messages, const BuildConfig& config) {
  if (!config.split_turns) return {std::move(messages)};
  std::vector<std::vector<ChatMessage>> out;
  for (size_t i = 0; i < messages.size(); ++i) {
    if (messages[i].role == "assistant")
      out.emplace_back(messages.begin(), messages.begin() + static_cast<long>(i) + 1);
  }
  return out;
}

// SFT: the chat template's tokens and loss mask; false (counted as too_long) when the chat does not fit.
bool encode_sft(const Tokenizer& tokenizer, const BuildConfig& config, const std::vector<ChatMessage>& messages,
                const std::string& where, EncodedDocument& doc, BuildStats& stats) {
  ChatOptions options;
  options.last_turn_only = config.last_turn_only || config.split_turns;
  auto e = encode_chat(tokenizer, messages, options);
  const bool too_long =
      (config.max_document_tokens > 0 && static_cast<int64_t>(e.ids.size()) > config.max_document_tokens) ||
      (!config.packing && static_cast<int64_t>(e.ids.size()) > config.seq_len);
  if (too_long) {
    ++stats.dropped["too_long"];
    if (stats.examples.size() < 10)
      stats.examples.push_back(where + ": " + std::to_string(e.ids.size()) + " tokens, too long");
    return false;
  }
  doc.ids = std::move(e.ids);
  doc.mask = std::move(e.loss_mask);
  doc.prompt_length = static_cast<uint32_t>(e.prompt_length);
  return true;
}

// Pass 2: the rows tokenized in shuffled order, seeking to each (memory stays O(rows)), each document
// written to its split at once; the first validation_fraction of the shuffled documents is validation.
void write_shards(const Tokenizer& tokenizer, const BuildConfig& config, const std::vector<RowRef>& rows,
                  BuildStats& stats) {
  const auto order = shuffled_indices(rows.size(), config.seed);
  const size_t num_validation =
      static_cast<size_t>(static_cast<double>(rows.size()) * config.validation_fraction + 0.5);
  std::vector<uint8_t> is_validation(rows.size(), 0);
  for (size_t k = 0; k < num_validation; ++k) is_validation[order[k]] = 1;

  const fs::path out(config.out);
  ShardWriter::Options wo;
  wo.vocab_size = tokenizer.vocab_size();
  wo.seq_len = config.seq_len;
  wo.packing = config.packing;
  wo.pad_id = tok::kPadId;
  wo.max_shard_tokens = config.shard_tokens;
  ShardWriter train(out / "train", wo), validation(out / "validation", wo);
  std::vector<std::ifstream> files;
  for (const auto& in : config.inputs) files.emplace_back(in, std::ios::binary);
  Progress progress("tokenize", rows.size(), "docs");
  std::string line;
  EncodedDocument doc;
  for (size_t k = 0; k < order.size(); ++k) {
    progress.set(k + 1);
    const size_t i = order[k];
    const RowRef& ref = rows[i];
    auto& in = files[ref.file];
    in.clear();
    in.seekg(static_cast<std::streamoff>(ref.offset));
    const std::string where = config.inputs[ref.file] + ":" + std::to_string(ref.line);
    if (!std::getline(in, line))
      throw Error(where + ": cannot read the line again (did the file change during the build?)");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto row = nlohmann::json::parse(line, nullptr, false);
    if (row.is_discarded()) throw Error(where + ": not JSON any more (did the file change during the build?)");
    const std::string language = language_of(row);
    const auto lang = language_from_name(language);
    auto& split = is_validation[i] ? stats.validation : stats.train;
    auto& writer = is_validation[i] ? validation : train;
    const auto add = [&] {
      const uint64_t before = writer.num_tokens();
      writer.add(doc.ids, doc.mask, lang ? static_cast<uint32_t>(*lang) : kShardLanguageUnknown, doc.prompt_length);
      ++split.documents;
      split.tokens += writer.num_tokens() - before;
      split.tokens_by_language[language] += doc.ids.size();
      for (uint8_t m : doc.mask) split.loss_tokens += m;
    };
    if (config.mode == "pretrain") {
      encode_pretrain(tokenizer, config, row, lang, where, doc, stats);
      add();
      continue;
    }
    // Every document of a row goes to the row's split (the turns of one episode never straddle them).
    for (const auto& conversation : sft_conversations(messages_of(row, where), config)) {
      if (encode_sft(tokenizer, config, conversation, where, doc, stats)) add();
    }
  }
  progress.finish();
  train.finish();
  validation.finish();
}

// stats.json (the statistics and the config that made them) and the tokenizer, next to the shards.
void write_build_reports(const BuildConfig& config, const BuildStats& stats, const Tokenizer& tokenizer) {
  const fs::path out(config.out);
  nlohmann::json j = stats.to_json();
  j["config"] = {{"tokenizer", config.tokenizer},
                 {"mode", config.mode},
                 {"inputs", config.inputs},
                 {"seq_len", config.seq_len},
                 {"packing", config.packing},
                 {"seed", config.seed},
                 {"validation_fraction", config.validation_fraction},
                 {"split_turns", config.split_turns}};
  write_file_atomic(out / "stats.json", j.dump(2) + "\n");
  // The tokenizer travels with the data, so a trainer can check it uses the same one.
  write_file_atomic(out / "tokenizer.model", tokenizer.serialized());
}

}  // namespace

BuildStats run_build(const BuildConfig& config) {
  BuildStats stats;
  const Tokenizer tokenizer = Tokenizer::load(config.tokenizer);
  ProblemLog problems(parse_on_error(config.on_error));
  std::unique_ptr<OverlapIndex> overlap;
  if (!config.decontamination.benchmarks.empty()) overlap = make_overlap_index(config.decontamination);
  const std::vector<RowRef> rows = scan_rows(config, problems, overlap.get());
  stats.rows = rows.size();
  add_corpus_drops(config.inputs, stats);
  if (overlap) check_decontamination(*overlap, config.decontamination, stats);
  write_shards(tokenizer, config, rows, stats);
  for (const auto& [reason, n] : problems.counts()) stats.dropped[reason] += n;
  for (const auto& e : problems.examples()) stats.examples.push_back(e);
  write_build_reports(config, stats, tokenizer);
  return stats;
}

}  // namespace hrm
