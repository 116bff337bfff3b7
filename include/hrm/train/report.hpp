// `hrm-train report`: training curves from a run's metrics.jsonl, drawn by gnuplot (Debian gnuplot-nox)
// as PNG and SVG: loss, accuracy, exact accuracy, ACT steps, learning rate, gradient norm, throughput,
// and the evaluation metrics. Also writes the plotted columns as TSV and the gnuplot script, so a
// figure can be redrawn or restyled by hand.
#pragma once
#include <string>
#include <vector>

namespace hrm {

struct ReportFiles {
  std::vector<std::string> images;  // <out>/<metric>.png and .svg
};

// Throws hrm::Error naming the file and line of a malformed metrics line, or when gnuplot fails or is missing.
ReportFiles write_training_report(const std::string& metrics_path, const std::string& out_dir);

}  // namespace hrm
