// The Polyglot run: exercises handed to `jobs` threads (parallel_for), each one prompt -> reply -> apply -> restore
// tests
// -> sandboxed test run, up to `tries` times; results saved per exercise (the unit of --resume).
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>

#include "hrm/eval/edit_format.hpp"
#include "hrm/eval/polyglot.hpp"
#include "hrm/eval/polyglot_exercise.hpp"
#include "hrm/eval/polyglot_languages.hpp"
#include "hrm/eval/polyglot_report.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/parallel.hpp"
#include "hrm/util/progress.hpp"

namespace hrm::eval {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int count_occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (size_t pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

std::string today_utc() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string git_head(const fs::path& dir) {
  if (!fs::exists(dir / ".git")) return "";
  const std::string cmd = "git -C '" + dir.string() + "' rev-parse HEAD 2>/dev/null";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  if (!pipe) return "";
  char buf[128] = {0};
  std::string out = fgets(buf, sizeof buf, pipe.get()) ? buf : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

struct Run {
  const PolyglotOptions& options;
  ModelBackend& backend;
  EditFormat format;
  Toolchains tools;
  Caches caches;
  fs::path work_root, results_root;
  std::mutex backend_mu;

  std::string generate(GenerationRequest& request) {
    if (backend.thread_safe()) return backend.generate(request).at(0);
    std::lock_guard<std::mutex> lock(backend_mu);
    return backend.generate(request).at(0);
  }

  ExerciseRecord exercise(const Exercise& ex) {
    const auto t0 = Clock::now();
    ExerciseRecord rec;
    rec.id = ex.id();
    rec.language = ex.language;
    rec.slug = ex.slug;
    rec.model = backend.name();
    rec.edit_format = edit_format_name(format);
    // The work folder is named after the slug: the C++ CMakeLists take the exercise name from it.
    const fs::path work = work_root / ex.language / ex.slug;
    copy_exercise(ex, work);
    const auto reference = backend.needs_reference() ? reference_solution(ex) : std::map<std::string, std::string>{};

    std::vector<std::string> replies, outputs;
    std::map<std::string, std::string> last_tested;
    TestRun last_run;  // the previous try's test run
    for (int attempt = 1; attempt <= options.tries; ++attempt) {
      TryRecord tr;
      tr.attempt = attempt;
      const auto current = read_files(work, ex.solution_files);
      GenerationRequest request;
      request.id = {"polyglot", ex.id(), attempt, 0};
      request.messages = build_messages(ex, format, current, replies, outputs);
      request.params = options.params;
      request.params.n = 1;
      if (backend.needs_reference()) request.reference_reply = render_reply(format, current, reference);
      const auto tm = Clock::now();
      const std::string reply = generate(request);
      tr.model_seconds = seconds_since(tm);

      ParsedReply parsed = parse_reply(format, reply, ex.solution_files);
      tr.edits = static_cast<int>(parsed.edits.size());
      tr.edit_errors = parsed.errors;
      for (auto& e : apply_edits(format, parsed.edits, work, ex.solution_files)) tr.edit_errors.push_back(std::move(e));
      tr.malformed = !tr.edit_errors.empty();
      rec.num_malformed_responses += tr.malformed;
      rec.lazy_comments += count_lazy_comments(reply);

      const auto tested = read_files(work, ex.solution_files);
      // Same files as the previous try: its result stands (saves a second identical build).
      tr.reused_previous_run = !rec.tries.empty() && tested == last_tested;
      if (!tr.reused_previous_run) {
        // This worker's own sandbox: parallel_for runs `jobs` exercises, so `jobs` sandboxes at most.
        last_run = run_exercise_tests(ex, work, tools, caches, options.timeout_seconds);
        tr.test_seconds = last_run.seconds;
        rec.test_timeouts += last_run.timed_out;
        rec.syntax_errors += count_occurrences(last_run.output, "SyntaxError");
        rec.indentation_errors += count_occurrences(last_run.output, "IndentationError");
      }
      tr.passed = last_run.passed;
      tr.verdict = last_run.verdict;
      tr.exit_code = last_run.exit_code;
      tr.timed_out = last_run.timed_out;
      tr.output_truncated = last_run.output_truncated;
      tr.test_output = last_run.output;
      replies.push_back(reply);
      outputs.push_back(tr.test_output);
      rec.tries.push_back(std::move(tr));
      last_tested = tested;
      if (rec.tries.back().passed) break;
    }
    if (rec.tries.back().passed) {
      rec.status = "pass";
    } else if (const auto reason = unsupported_reason(ex, backend.needs_reference())) {
      rec.status = "unsupported";
      rec.unsupported_reason = *reason;
    } else {
      rec.status = "fail";
    }
    if (!options.keep_work) fs::remove_all(work);
    rec.duration_seconds = seconds_since(t0);
    const fs::path file = results_root / ex.language / (ex.slug + ".json");
    fs::create_directories(file.parent_path());
    write_file_atomic(file, to_json(rec).dump(2) + "\n");
    return rec;
  }
};

}  // namespace

nlohmann::json run_polyglot(const PolyglotOptions& o, ModelBackend& backend) {
  const auto t0 = Clock::now();
  HRM_CHECK(o.tries >= 1, "--tries must be at least 1 (got " + std::to_string(o.tries) + ")");
  HRM_CHECK(o.timeout_seconds > 0, "--timeout must be positive");
  const EditFormat format = parse_edit_format(o.edit_format);
  const auto exercises = find_exercises(o.data_dir, o.languages, o.exercises);
  HRM_CHECK(!exercises.empty(),
            "no exercise under '" + o.data_dir.string() + "' matches --exercises '" + o.exercises + "'",
            "globs match the slug or <lang>/<slug>, e.g. --exercises 'bob,cpp/*'");

  const fs::path results_root = o.out_dir / "exercises";
  std::vector<ExerciseRecord> records;
  std::vector<const Exercise*> todo;
  for (const auto& ex : exercises) {
    const fs::path file = results_root / ex.language / (ex.slug + ".json");
    if (!fs::exists(file)) {
      todo.push_back(&ex);
      continue;
    }
    if (!o.resume) {
      throw Error("'" + o.out_dir.string() + "' already holds results (" + file.string() + ")",
                  "add --resume to continue that run, or choose a new --out");
    }
    ExerciseRecord r = exercise_from_json(nlohmann::json::parse(read_file(file)), file.string());
    if (r.model != backend.name() || r.edit_format != o.edit_format) {
      throw Error(file.string() + " was made with model '" + r.model + "', edit format '" + r.edit_format + "', not '" +
                      backend.name() + "', '" + o.edit_format + "'",
                  "--resume continues the same run; use a new --out for a different model");
    }
    records.push_back(std::move(r));
  }

  std::vector<std::string> languages;
  for (const auto* ex : todo) {
    if (std::find(languages.begin(), languages.end(), ex->language) == languages.end())
      languages.push_back(ex->language);
  }
  const int jobs = resolve_jobs(o.jobs);
  Run run{o,
          backend,
          format,
          todo.empty() ? Toolchains{} : probe_toolchains(languages),
          o.shared_caches ? make_caches(o.cache_dir.empty() ? default_cache_dir() : o.cache_dir) : Caches{},
          o.out_dir / "work",
          results_root,
          {}};
  if (!todo.empty()) {
    spdlog::info("polyglot: {} exercises to run ({} already done), {} jobs, model {}, edit format {}", todo.size(),
                 records.size(), jobs, backend.name(), o.edit_format);
  }

  Progress progress("polyglot", todo.size(), "exercises", o.progress ? ProgressMode::kAuto : ProgressMode::kSilent);
  std::mutex records_mutex;
  std::exception_ptr failure;
  try {
    parallel_for(jobs, todo.size(), [&](size_t i) {
      ExerciseRecord r = run.exercise(*todo[i]);
      progress.advance(1, r.status == "pass", r.id + " " + r.status);
      std::lock_guard<std::mutex> lock(records_mutex);
      records.push_back(std::move(r));
    });
  } catch (...) {
    // A harness failure (backend unreachable, sandbox broken, disk full): no new exercise started;
    // finished exercises are saved, so --resume continues from here.
    failure = std::current_exception();
  }
  progress.finish();
  std::error_code ec;
  if (!o.keep_work) fs::remove_all(o.out_dir / "work", ec);
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      throw Error(e.message() + " (" + std::to_string(records.size()) + " exercises saved; rerun with --resume)",
                  e.hint());
    }
  }

  std::sort(records.begin(), records.end(), [](const ExerciseRecord& a, const ExerciseRecord& b) {
    return a.language != b.language ? a.language < b.language : a.slug < b.slug;
  });
  RunInfo info;
  info.model = backend.name();
  info.edit_format = o.edit_format;
  info.data_dir = o.data_dir.string();
  info.command = o.command;
  info.date = today_utc();
  info.tries = o.tries;
  info.jobs = jobs;
  info.selected_cases = static_cast<int>(exercises.size());
  info.wall_seconds = seconds_since(t0);
  info.versions = run.tools.versions;
  info.versions["hrm"] = "0.1.0";
  info.commit_hash = git_head(o.data_dir);
  const nlohmann::json summary = summarize(records, info);
  fs::create_directories(o.out_dir);
  write_file_atomic(o.out_dir / "summary.json", summary.dump(2) + "\n");
  return summary;
}

}  // namespace hrm::eval
