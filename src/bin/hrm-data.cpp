// `hrm-data`: tokenizer training and use, corpus building, token shards and decontamination reports.
// Thin: parse flags, call the library (hrm/tokenizer, hrm/data), print. See docs/data.md.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "hrm/agent/task_generator.hpp"
#include "hrm/data/build.hpp"
#include "hrm/data/corpus.hpp"
#include "hrm/data/decontam.hpp"
#include "hrm/data/language.hpp"
#include "hrm/data/shard.hpp"
#include "hrm/synth/exercism.hpp"
#include "hrm/synth/generic.hpp"
#include "hrm/synth/lcb_cutoff.hpp"
#include "hrm/synth/synth.hpp"
#include "hrm/synth/tool_curriculum.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/run_main.hpp"
#include "hrm/util/fs.hpp"

namespace {

std::string read_input(const std::string& path) {
  if (path.empty() || path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  return hrm::read_file(path);
}

void write_output(const std::string& path, const std::string& data) {
  if (path.empty() || path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    std::cout.flush();
  } else {
    hrm::write_file_atomic(path, data);
  }
}

std::vector<int32_t> parse_ids(const std::string& text, const std::string& source) {
  std::vector<int32_t> ids;
  std::istringstream in(text);
  std::string word;
  while (in >> word) {
    try {
      size_t used = 0;
      const long v = std::stol(word, &used);
      if (used != word.size()) throw std::invalid_argument(word);
      ids.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw hrm::Error(source + ": '" + word + "' is not a token id", "decode reads whitespace-separated integer ids");
    }
  }
  return ids;
}

// `hrm-data exercism`: verified SFT / repair / RL data from Exercism track checkouts.
struct ExercismCommand {
  CLI::App* app = nullptr;
  hrm::synth::ExercismOptions options;
  std::vector<std::string> tracks, exclude, holdout;
  std::string out;
};

void add_exercism_command(CLI::App& app, ExercismCommand& c) {
  c.app = app.add_subcommand("exercism",
                             "Exercism tracks -> verified SFT (whole/diff), repair and RL data, held-out exercises");
  c.app->add_option("--track", c.tracks, "Exercism track checkouts (exercism/python, ...)")->required();
  c.app->add_option("--exclude", c.exclude, "polyglot-benchmark checkouts whose exercises stay out")->required();
  c.app->add_option("--out", c.out, "Output directory (must be empty or absent)")->required();
  c.app->add_option("--seed", c.options.seed, "Split and mutation seed");
  c.app->add_option("--test-fraction", c.options.test_fraction, "Share of slugs held out");
  c.app->add_option("--holdout", c.holdout, "Hold out these slugs instead (comma-separated)")->delimiter(',');
  c.app->add_option("--ngram", c.options.ngram, "Decontamination n-gram length in words");
  c.app->add_option("--threshold", c.options.threshold, "Share of a benchmark text's n-grams that excludes");
  c.app->add_option("--repairs", c.options.repairs_per_exercise, "Mutants tried per verified exercise (0: none)");
  c.app->add_option("--jobs", c.options.jobs, "Parallel sandboxes (0: all cores)");
  c.app->add_option("--timeout", c.options.timeout_seconds, "Wall seconds per test run");
  c.app->add_option("--cache-dir", c.options.cache_dir, "Shared build caches (default: the Polyglot runner's)");
}

void run_exercism_command(ExercismCommand& c) {
  c.options.tracks.assign(c.tracks.begin(), c.tracks.end());
  c.options.exclude.assign(c.exclude.begin(), c.exclude.end());
  c.options.holdout = c.holdout;
  c.options.out_dir = c.out;
  const auto stats = hrm::synth::run_exercism(c.options);
  std::cout << hrm::synth::format_exercism_stats(stats) << "excluded " << stats.at("excluded").get<size_t>()
            << " exercises (listed in " << c.out << "/excluded.json)\nwrote " << c.out
            << "/{sft,repair,gspo}/{train,test}.jsonl, " << c.out << "/polyglot/{train,test}/ and " << c.out
            << "/stats.json\n";
}

// `hrm-data lcb`: LiveCodeBench rows split at a data cutoff into RL prompt sets.
struct LcbCommand {
  CLI::App* app = nullptr;
  std::vector<std::string> data;
  hrm::synth::LcbCutoffOptions options;
  std::string out;
};

void add_lcb_command(CLI::App& app, LcbCommand& c) {
  c.app = app.add_subcommand("lcb", "LiveCodeBench JSONL -> RL prompt sets before a data cutoff, the rest held out");
  c.app->add_option("--data", c.data, "code_generation_lite .jsonl files")->required();
  c.app->add_option("--before", c.options.before, "Data cutoff YYYY-MM-DD: training problems are dated before it")
      ->required();
  c.app->add_option("--out", c.out, "Output directory (must be empty or absent)")->required();
}

void run_lcb_command(LcbCommand& c) {
  c.options.data.assign(c.data.begin(), c.data.end());
  c.options.out_dir = c.out;
  const auto stats = hrm::synth::split_lcb_at_cutoff(c.options);
  std::cout << hrm::synth::format_lcb_cutoff_stats(stats) << "wrote " << c.out << "/problems.jsonl (gspo problems:), "
            << c.out << "/after_cutoff.jsonl and " << c.out << "/data_cutoff.json\n";
}

// `hrm-data generic`: {question, solutions, tests} rows -> verified SFT rows.
struct GenericCommand {
  CLI::App* app = nullptr;
  std::vector<std::string> data;
  hrm::synth::GenericOptions options;
  std::string out;
};

void add_generic_command(CLI::App& app, GenericCommand& c) {
  c.app = app.add_subcommand("generic", "APPS/TACO/CodeContests-style rows -> SFT rows verified by the LCB judge");
  c.app->add_option("--data", c.data, "JSONL files of {question, solutions, tests} rows")->required();
  c.app->add_option("--out", c.out, "Output directory (must be empty or absent)")->required();
  c.app->add_option("--max-solutions", c.options.max_solutions, "SFT rows per problem (passing solutions)");
  c.app->add_option("--max-tried", c.options.max_tried, "Solutions judged per problem");
  c.app->add_option("--jobs", c.options.jobs, "Parallel judge processes (0: all cores)");
}

void run_generic_command(GenericCommand& c) {
  c.options.data.assign(c.data.begin(), c.data.end());
  c.options.out_dir = c.out;
  const auto stats = hrm::synth::build_generic(c.options);
  std::cout << hrm::synth::format_generic_stats(stats) << "wrote " << c.out << "/sft.jsonl, " << c.out
            << "/lcb.jsonl and " << c.out << "/stats.json\n";
}

// `hrm-data synth --stages 3,4`: the tool-use curriculum (tool_curriculum.hpp) from the same flags
// (--per-family: tasks per variant).
bool uses_tool_stages(const std::vector<int>& stages) {
  const auto tool = [](int s) { return s == 3 || s == 4; };
  const bool any = std::any_of(stages.begin(), stages.end(), tool);
  if (any && !std::all_of(stages.begin(), stages.end(), tool))
    throw hrm::Error("--stages mixes code stages (1, 2) with tool-use stages (3, 4)", "run them as two synth runs");
  return any;
}

void run_tool_stages(const hrm::synth::SynthOptions& s, const std::string& out, const std::string& heldout_suite,
                     bool no_recovery) {
  hrm::synth::ToolCurriculumOptions o;
  o.out_dir = out;
  o.seed = s.seed;
  o.per_variant = s.per_family;
  o.stages = s.stages;
  o.families = s.families;
  if (!s.holdout_families.empty()) o.holdout_families = s.holdout_families;
  o.heldout_suite = heldout_suite;
  o.recovery = !no_recovery;
  o.jobs = s.jobs;
  if (!s.cache_dir.empty()) o.cache_dir = s.cache_dir;
  const auto stats = hrm::synth::run_tool_curriculum(o);
  std::cout << hrm::synth::format_tool_curriculum_stats(stats) << "wrote " << out << "/sft/train.jsonl, " << out
            << "/tasks/train.jsonl, " << out << "/eval/{test_instance,test_family}.jsonl and " << out
            << "/stats.json\n";
}

int run(int argc, char** argv) {
  CLI::App app{"hrm-data: tokenizer, corpus and token shards for hrm (docs/data.md)"};
  app.require_subcommand(1);

  auto* tok = app.add_subcommand("tokenizer", "Train or use a SentencePiece tokenizer")->require_subcommand(1);
  std::vector<std::string> train_inputs;
  std::string model_out, model;
  hrm::TokenizerTrainOptions topt;
  auto* tok_train = tok->add_subcommand("train", "Train a code-safe tokenizer");
  tok_train
      ->add_option("--input", train_inputs,
                   "Files or directories (*.jsonl: corpus content/text, SFT prompt/response/messages)")
      ->required();
  tok_train->add_option("--vocab-size", topt.vocab_size, "Vocabulary size, specials and 256 byte pieces included");
  tok_train->add_option("--out", model_out, "Output .model path (a .vocab listing is written next to it)")->required();
  tok_train->add_option("--model-type", topt.model_type, "unigram or bpe");
  tok_train->add_option("--character-coverage", topt.character_coverage, "Rarer characters fall back to bytes");
  tok_train->add_option("--max-sentences", topt.max_sentences, "Training chunks sampled above this many");
  tok_train->add_option("--threads", topt.threads, "Trainer threads");
  tok_train->add_option("--seed", topt.seed, "Sampling seed");

  std::string in_path, out_path;
  bool pieces = false;
  auto* tok_encode = tok->add_subcommand("encode", "Text (file or stdin) to ids, one line of space-separated ids");
  tok_encode->add_option("--model", model, "Tokenizer .model")->required();
  tok_encode->add_option("--input", in_path, "Text file (default stdin)");
  tok_encode->add_option("--output", out_path, "Output file (default stdout)");
  tok_encode->add_flag("--pieces", pieces, "Print pieces instead of ids");
  auto* tok_decode = tok->add_subcommand("decode", "Ids (file or stdin) to text, byte-exact");
  tok_decode->add_option("--model", model, "Tokenizer .model")->required();
  tok_decode->add_option("--input", in_path, "File of whitespace-separated ids (default stdin)");
  tok_decode->add_option("--output", out_path, "Output file (default stdout)");

  std::vector<std::string> from;
  std::string corpus_out, on_error = "skip";
  hrm::CorpusOptions copt;
  bool no_near_dedup = false;
  auto* corpus = app.add_subcommand("corpus", "Walk source trees into a deduplicated JSONL corpus");
  corpus->add_option("--from", from, "Source directories or files")->required();
  corpus->add_option("--out", corpus_out, "Output corpus .jsonl")->required();
  corpus->add_option("--max-file-bytes", copt.max_file_bytes, "Larger files are dropped (oversized)");
  corpus->add_option("--max-line-bytes", copt.max_line_bytes, "A longer line marks a file as minified");
  corpus->add_option("--near-dup-threshold", copt.minhash.threshold, "MinHash Jaccard similarity for near duplicates");
  corpus->add_flag("--no-near-dedup", no_near_dedup, "Exact dedup only");
  corpus->add_option("--on-error", on_error, "skip or stop on unreadable / non-UTF-8 files");

  std::string config;
  bool force = false;
  auto* build = app.add_subcommand("build", "Tokenize JSONL into train/validation token shards");
  build->add_option("--config", config, "Build config YAML (configs/data/*.yaml)")->required();
  build->add_flag("--force", force, "Build even when benchmark problems overlap the data");

  std::vector<std::string> dtrain;
  hrm::BuildConfig::Decontamination dopt;
  auto* decontam =
      app.add_subcommand("decontam", "N-gram overlap report: training JSONL vs a benchmark (exit 3 if contaminated)");
  decontam->add_option("--train", dtrain, "Training JSONL files")->required();
  decontam->add_option("--benchmark", dopt.benchmarks, "Polyglot directory or LiveCodeBench .jsonl")->required();
  decontam->add_option("--ngram", dopt.ngram, "Words per n-gram");
  decontam->add_option("--threshold", dopt.threshold, "Overlap fraction that marks a problem contaminated");
  decontam->add_option("--lcb-cutoff", dopt.lcb_cutoff, "Only LiveCodeBench problems on/after YYYY-MM-DD");
  decontam->add_option("--on-error", on_error, "skip or stop on bad rows");

  std::string shards, tok_model;
  int64_t show = 0;
  auto* inspect = app.add_subcommand("inspect", "Summarize a shard set; optionally decode its first documents");
  inspect->add_option("--shards", shards, "A shard set directory (out/train or out/validation)")->required();
  inspect->add_option("--tokenizer", tok_model, "Tokenizer .model to decode with");
  inspect->add_option("--show", show, "Decode this many documents (needs --tokenizer)");

  hrm::synth::SynthOptions sopt;
  std::string synth_out, synth_formats = "lcb,polyglot";
  auto* synth =
      app.add_subcommand("synth", "Verified synthetic curriculum: LCB rows, Polyglot exercises, SFT and repair data");
  synth->add_option("--out", synth_out, "Output directory (must be empty or absent)")->required();
  synth->add_option("--seed", sopt.seed, "Seed: same options and seed give the same files");
  synth->add_option("--per-family", sopt.per_family, "Distinct instances per family (stages 3,4: per task variant)");
  synth->add_option("--tests", sopt.tests_per_task, "Test cases per task");
  synth
      ->add_option("--stages", sopt.stages,
                   "Stages, comma-separated (1: simple functions, 2: algorithms; 3: multi-file projects, 4: "
                   "tool workflows, recorded as agent trajectories)")
      ->delimiter(',');
  synth->add_option("--languages", sopt.languages, "Comma-separated subset of cpp,go,java,javascript,python,rust")
      ->delimiter(',');
  synth->add_option("--families", sopt.families, "Only these families (comma-separated)")->delimiter(',');
  synth
      ->add_option("--holdout-families", sopt.holdout_families,
                   "Families for the test_family split (default: built-in)")
      ->delimiter(',');
  synth->add_option("--test-fraction", sopt.test_instance_fraction, "Share of a training family's instances held out");
  synth->add_option("--formats", synth_formats, "lcb, polyglot or lcb,polyglot");
  synth->add_option("--lcb-style", sopt.lcb_style, "functional, stdin or mixed");
  synth->add_option("--edit-format", sopt.edit_format, "Polyglot SFT answers: whole, diff or both");
  synth->add_option("--repairs", sopt.repairs_per_task, "Mutants tried per verified task (0: no repair data)");
  synth->add_option("--jobs", sopt.jobs, "Parallel sandboxes (0: all cores)");
  synth->add_option("--timeout", sopt.timeout_seconds, "Wall seconds per Polyglot test run");
  synth->add_option("--cache-dir", sopt.cache_dir, "Shared build caches (default: the Polyglot runner's)");
  std::string heldout_suite = "data/tools/suite.jsonl";
  bool no_recovery = false;
  synth->add_option("--heldout-suite", heldout_suite, "Stages 3,4: the held-out tools suite (seed 9001)")
      ->capture_default_str();
  synth->add_flag("--no-recovery", no_recovery, "Stages 3,4: no error-recovery trajectories");

  ExercismCommand exercism;
  add_exercism_command(app, exercism);
  LcbCommand lcb;
  add_lcb_command(app, lcb);
  GenericCommand generic;
  add_generic_command(app, generic);

  std::string tools_out;
  uint64_t tools_seed = 1;
  int tools_per_variant = 3;
  std::vector<std::string> tools_families;
  auto* tools = app.add_subcommand("tools",
                                   "Tool-use tasks (git, build, packages, debugging, shell, multifile) as a "
                                   "suite for hrm-eval --bench tools");
  tools->add_option("--out", tools_out, "The suite file (.jsonl)")->required();
  tools->add_option("--seed", tools_seed, "Seed: the same seed gives the same tasks")->capture_default_str();
  tools->add_option("--per-variant", tools_per_variant, "Tasks per variant of each family")->capture_default_str();
  tools->add_option("--families", tools_families, "Only these families (comma-separated)")->delimiter(',');

  CLI11_PARSE(app, argc, argv);
  if (tok_train->parsed()) {
    std::vector<std::filesystem::path> inputs(train_inputs.begin(), train_inputs.end());
    const auto s = hrm::train_tokenizer(inputs, topt, model_out);
    const auto t = hrm::Tokenizer::load(model_out);
    std::cout << "trained " << model_out << ": vocab " << t.vocab_size() << " from " << s.files << " files, " << s.bytes
              << " bytes, " << s.sentences << " chunks; skipped " << s.skipped_files << " files\n";
    for (const auto& line : s.skipped) std::cout << "  skipped " << line << "\n";
  } else if (tok_encode->parsed()) {
    const auto t = hrm::Tokenizer::load(model);
    const auto ids = t.encode(read_input(in_path));
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i) out += ' ';
      out += pieces ? t.piece(ids[i]) : std::to_string(ids[i]);
    }
    write_output(out_path, out + "\n");
  } else if (tok_decode->parsed()) {
    const auto t = hrm::Tokenizer::load(model);
    write_output(out_path, t.decode(parse_ids(read_input(in_path), in_path.empty() ? "stdin" : in_path)));
  } else if (corpus->parsed()) {
    copt.on_error = hrm::parse_on_error(on_error);
    copt.near_dedup = !no_near_dedup;
    std::vector<std::filesystem::path> roots(from.begin(), from.end());
    const auto stats = hrm::build_corpus(roots, corpus_out, copt);
    std::cout << stats.format();
    for (const auto& e : stats.examples) std::cout << "  problem: " << e << "\n";
    std::cout << "wrote " << corpus_out << " and " << corpus_out << ".stats.json\n";
  } else if (build->parsed()) {
    auto cfg = hrm::BuildConfig::from_file(config);
    if (force) cfg.decontamination.force = true;
    const auto stats = hrm::run_build(cfg);
    std::cout << stats.format();
    for (const auto& e : stats.examples) std::cout << "  problem: " << e << "\n";
    std::cout << "wrote " << cfg.out << "/{train,validation}/ and " << cfg.out << "/stats.json\n";
  } else if (decontam->parsed()) {
    const auto report = hrm::overlap_report(dtrain, dopt, hrm::parse_on_error(on_error));
    std::cout << report.format(50);
    return report.contaminated() > 0 ? 3 : 0;
  } else if (synth->parsed() && uses_tool_stages(sopt.stages)) {
    if (!synth->count("--per-family")) sopt.per_family = hrm::synth::ToolCurriculumOptions{}.per_variant;
    run_tool_stages(sopt, synth_out, heldout_suite, no_recovery);
  } else if (synth->parsed()) {
    sopt.out_dir = synth_out;
    sopt.lcb = synth_formats.find("lcb") != std::string::npos;
    sopt.polyglot = synth_formats.find("polyglot") != std::string::npos;
    if (!sopt.lcb && !sopt.polyglot)
      throw hrm::Error("--formats '" + synth_formats + "' names neither lcb nor polyglot");
    const auto stats = hrm::synth::run_synth(sopt);
    std::cout << hrm::synth::format_stats(stats) << "wrote " << synth_out << "/{sft,lcb,polyglot,repair}/ and "
              << synth_out << "/stats.json\n";
  } else if (generic.app->parsed()) {
    run_generic_command(generic);
  } else if (lcb.app->parsed()) {
    run_lcb_command(lcb);
  } else if (exercism.app->parsed()) {
    run_exercism_command(exercism);
  } else if (tools->parsed()) {
    const auto tasks = hrm::agent::generate_tasks(tools_seed, tools_per_variant, tools_families);
    hrm::agent::write_suite(tools_out, tasks);
    std::cout << "wrote " << tasks.size() << " tasks to " << tools_out << "\n";
  } else if (inspect->parsed()) {
    const auto r = hrm::ShardReader::open(shards);
    std::cout << shards << ": " << r.num_documents() << " documents, " << r.num_tokens() << " tokens (uint"
              << 8 * r.token_bytes() << "), vocab " << r.vocab_size() << ", seq_len " << r.seq_len()
              << (r.packing() ? ", packed" : ", padded") << ", " << r.num_sequences(r.seq_len())
              << " sequences of seq_len\n";
    if (show > 0) {
      if (tok_model.empty()) throw hrm::Error("--show needs --tokenizer <model>");
      const auto t = hrm::Tokenizer::load(tok_model);
      std::vector<int32_t> ids;
      std::vector<uint8_t> mask;
      for (int64_t d = 0; d < std::min<int64_t>(show, r.num_documents()); ++d) {
        r.read_document(d, ids, mask);
        size_t loss = 0;
        for (auto m : mask) loss += m;
        std::cout << "--- document " << d << ": " << ids.size() << " tokens, " << loss << " with loss\n"
                  << t.decode(ids) << "\n";
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
