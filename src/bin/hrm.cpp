// `hrm doctor`: what this machine gives hrm (LibTorch, CUDA, threads, BLAS speed, sandbox protections).
// `hrm quantize`: a text checkpoint's weights to q8/q4 (docs/inference.md).
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "hrm/infer/calibration.hpp"
#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/model/runtime.hpp"
#include "hrm/sandbox/sandbox.hpp"
#include "hrm/util/run_main.hpp"

namespace {

// Empty / 0: the checkpoint's model.quantization block (a QAT run), else q4 layers, q8 embedding and head, 32.
struct QuantizeFlags {
  std::string ckpt, out, type, embed_type, head_type, calibration;
  int64_t group_size = 0, calibration_prompts = 256;
};

std::optional<hrm::quant::QuantType> optional_type(const std::string& name, const std::string& flag) {
  if (name == "float") return std::nullopt;
  return hrm::quant::parse_type(name, flag);
}

void run_quantize(const QuantizeFlags& f) {
  auto o = hrm::infer::default_quantize_options(f.ckpt);
  if (!f.type.empty()) o.type = hrm::quant::parse_type(f.type, "--type");
  if (f.group_size != 0) o.group_size = f.group_size;
  if (!f.embed_type.empty()) o.embed_type = optional_type(f.embed_type, "--embed-type");
  if (!f.head_type.empty()) o.head_type = optional_type(f.head_type, "--head-type");
  if (!f.calibration.empty()) {
    o.importance =
        hrm::infer::calibration_importance(f.ckpt, f.calibration, f.calibration_prompts, &o.calibration_prompts);
  }
  o.progress = hrm::ProgressMode::kAuto;
  const auto s = hrm::infer::quantize_checkpoint(f.ckpt, f.out, o);
  std::cout << "wrote " << f.out << ": " << s.quantized_tensors << " tensors quantized, " << s.source_bytes << " -> "
            << s.output_bytes << " tensor bytes; largest relative weight error " << s.max_relative_error << " ("
            << s.worst_tensor << ")";
  if (o.calibration_prompts > 0) std::cout << "; weighted by " << o.calibration_prompts << " calibration prompts";
  std::cout << std::endl;
}

int run(int argc, char** argv) {
  CLI::App app{"hrm: Hierarchical Reasoning Model tools"};
  app.require_subcommand(1);
  int threads = 0;
  auto* doctor = app.add_subcommand("doctor", "Print the runtime environment and warn about slow setups");
  doctor->add_option("--threads", threads, "LibTorch intra-op threads (default: all cores)");
  QuantizeFlags q;
  auto* quantize = app.add_subcommand("quantize", "Quantize a text checkpoint's weights (docs/inference.md)");
  quantize->add_option("--ckpt", q.ckpt, "Float checkpoint directory")->required();
  quantize->add_option("--out", q.out, "Output checkpoint directory (replaced)")->required();
  // The defaults come from the checkpoint's model.quantization block when it has one (a QAT run).
  quantize->add_option("--type", q.type, "q8 or q4: the linear layers of the H and L modules (default q4)");
  quantize->add_option("--group-size", q.group_size, "Values per scale, a multiple of 32 (default 32)");
  quantize->add_option("--embed-type", q.embed_type, "q8, q4 or float: the token embedding (default q8)");
  quantize->add_option("--head-type", q.head_type, "q8, q4 or float: the LM head (default q8)");
  quantize->add_option("--calibration", q.calibration, "Prompts (hrm-generate --file format) to weigh the error by");
  quantize->add_option("--calibration-prompts", q.calibration_prompts, "Use at most this many prompts (0 = all)");
  quantize->add_option("--threads", threads, "LibTorch intra-op threads (default: all cores)");
  CLI11_PARSE(app, argc, argv);
  hrm::configure_threads(threads);
  if (quantize->parsed()) {
    run_quantize(q);
    return 0;
  }
  std::cout << hrm::format_runtime_report(hrm::probe_runtime()) << std::endl;
  // Sandbox protections: what isolates evaluated code on this machine (docs/sandbox.md).
  std::cout << "\nsandbox protections:\n" << hrm::sandbox::format_protections(hrm::sandbox::protections());
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
