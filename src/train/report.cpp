#include "hrm/train/report.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace fs = std::filesystem;

namespace hrm {
namespace {

struct Plot {
  const char* name;
  const char* title;
  std::vector<const char*> keys;  // curves (metrics.jsonl fields) on one figure
  bool log_y = false;
};

const std::vector<Plot> kPlots = {
    {"loss", "training loss (per example)", {"loss"}, true},
    {"lm_loss", "LM and Q losses (per example)", {"lm_loss", "q_halt_loss", "q_continue_loss"}, true},
    {"accuracy", "training accuracy", {"accuracy", "exact_accuracy", "q_halt_accuracy"}},
    {"act_steps", "mean ACT segments at halt", {"mean_act_steps"}},
    {"lr", "learning rate", {"lr"}},
    {"grad_norm", "gradient norm (before clipping)", {"grad_norm"}, true},
    {"throughput", "tokens per second", {"tokens_per_s"}},
    {"memory", "resident memory (MiB)", {"rss_mb", "peak_rss_mb"}},
    {"eval_loss", "held-out LM loss (per token)", {"eval_loss"}},
    {"eval_accuracy",
     "held-out accuracy",
     {"eval_token_accuracy", "eval_exact_accuracy", "eval_q_halt_exact_accuracy"}},
};

}  // namespace

ReportFiles write_training_report(const std::string& metrics_path, const std::string& out_dir) {
  std::ifstream in(metrics_path);
  if (!in) throw Error("cannot open metrics file '" + metrics_path + "'", "pass <run dir>/metrics.jsonl");
  std::map<std::string, std::vector<std::pair<double, double>>> series;
  std::string line;
  for (int lineno = 1; std::getline(in, line); ++lineno) {
    if (line.empty()) continue;
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw Error(metrics_path + ":" + std::to_string(lineno) + ": not a JSON object: " + e.what());
    }
    if (!j.is_object() || !j.contains("step") || !j["step"].is_number()) continue;  // events without a step
    const double step = j["step"].get<double>();
    for (const auto& [key, value] : j.items()) {
      if (value.is_number() && key != "step") series[key].emplace_back(step, value.get<double>());
    }
  }
  if (series.empty())
    throw Error(metrics_path + ": no metrics lines with a step", "is this a metrics.jsonl of hrm-train?");
  fs::create_directories(out_dir);
  std::ostringstream script;
  script << "set grid\nset key outside bottom center horizontal\nset xlabel 'step'\n";
  ReportFiles files;
  for (const auto& plot : kPlots) {
    std::vector<const char*> present;
    for (const auto* k : plot.keys) {
      if (series.count(k)) present.push_back(k);
    }
    if (present.empty()) continue;
    for (const auto* k : present) {
      std::ostringstream tsv;
      tsv.precision(10);
      tsv << "# step\t" << k << "\n";
      for (const auto& [x, y] : series[k]) tsv << x << "\t" << y << "\n";
      write_file_atomic(fs::path(out_dir) / (std::string(k) + ".tsv"), tsv.str());
    }
    bool positive = true;
    for (const auto* k : present) {
      for (const auto& xy : series[k]) positive = positive && xy.second > 0;
    }
    for (const char* fmt : {"png", "svg"}) {
      const auto image = (fs::path(out_dir) / (std::string(plot.name) + "." + fmt)).string();
      script << (std::string(fmt) == "png" ? "set terminal pngcairo size 900,540 noenhanced\n"
                                           : "set terminal svg size 900,540 dynamic noenhanced\n");
      script << "set output '" << image << "'\nset title '" << plot.title << "'\n"
             << (plot.log_y && positive ? "set logscale y\n" : "unset logscale y\n") << "plot ";
      for (size_t i = 0; i < present.size(); ++i) {
        script << (i ? ", " : "") << "'" << (fs::path(out_dir) / (std::string(present[i]) + ".tsv")).string()
               << "' using 1:2 with lines lw 2 title '" << present[i] << "'";
      }
      script << "\nunset output\n";
      files.images.push_back(image);
    }
  }
  const auto script_path = fs::path(out_dir) / "report.gnuplot";
  write_file_atomic(script_path, script.str());
  const auto log_path = fs::path(out_dir) / "gnuplot.log";
  const auto cmd = "gnuplot '" + script_path.string() + "' > '" + log_path.string() + "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    std::string log;
    try {
      log = read_file(log_path);
    } catch (const Error&) {}
    throw Error("gnuplot failed (exit status " + std::to_string(rc) + ") on " + script_path.string() + ": " +
                    log.substr(0, 400),
                "install it with `apt-get install gnuplot-nox` (tools/setup.sh lists it)");
  }
  for (const auto& f : files.images) {
    if (!fs::exists(f) || fs::file_size(f) == 0) throw Error("gnuplot did not write " + f);
  }
  return files;
}

}  // namespace hrm
