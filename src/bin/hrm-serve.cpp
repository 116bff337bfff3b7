// hrm-serve: an OpenAI-compatible HTTP server for a local HRM text checkpoint (docs/serve.md).
//   hrm-serve --model runs/quickstart/train/final --port 8080 --parallel 8
#include <CLI/CLI.hpp>

#include "hrm/model/runtime.hpp"
#include "hrm/serve/server.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/run_main.hpp"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"hrm-serve: an OpenAI-compatible server for a local HRM text checkpoint"};
  hrm::serve::ServerOptions o;
  std::string act = "fixed", dtype;
  int threads = 0;
  app.add_option("--model", o.model_dir, "Text checkpoint directory (model.safetensors, config.yaml, tokenizer.model)")
      ->required();
  app.add_option("--model-name", o.model_id, "Model id clients send (default: the checkpoint directory's name)");
  app.add_option("--host", o.host, "Address to listen on (0.0.0.0 exposes the server to the network)")
      ->capture_default_str();
  app.add_option("--port", o.port, "Port (0 = any free port)")->capture_default_str();
  app.add_option("--api-key", o.api_key, "Require 'Authorization: Bearer <key>' on /v1/*");
  app.add_option("--parallel", o.engine.parallel, "Sequences decoded together (slots)")->capture_default_str();
  app.add_option("--ctx", o.engine.context, "Positions per request, prompt + reply (0 = the model's seq_len)")
      ->capture_default_str();
  app.add_option("--queue", o.engine.queue_limit, "Requests that may wait for slots; more get 503")
      ->capture_default_str();
  app.add_option("--prefix-cache", o.engine.prefix_cache,
                 "Prompts whose caches are kept so that requests sharing a prefix skip its prefill (0 = off)")
      ->capture_default_str();
  app.add_option("--max-body", o.max_body_bytes, "Largest request body in bytes (413 above)")->capture_default_str();
  app.add_option("--max-n", o.limits.max_n, "Largest n (choices per request)")->capture_default_str();
  app.add_option("--timeout", o.io_timeout_seconds, "Seconds a client may stay silent while sending or reading")
      ->capture_default_str();
  app.add_option("--shutdown-grace-ms", o.shutdown_grace_ms, "On SIGTERM, how long running requests may finish")
      ->capture_default_str();
  app.add_option("--act", act, "ACT segments: fixed (--segments for every token) or adaptive")
      ->check(CLI::IsMember({"fixed", "adaptive"}))
      ->capture_default_str();
  app.add_option("--segments", o.engine.act.segments, "Segments (fixed) or the maximum (adaptive); 0 = halt_max_steps")
      ->capture_default_str();
  app.add_option("--dtype", dtype, "Compute dtype (default: the checkpoint's forward_dtype)")
      ->check(CLI::IsMember({"float32", "bfloat16"}));
  app.add_option("--threads", threads, "LibTorch threads (0 = all cores)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.engine.act.adaptive = act == "adaptive";
  if (!dtype.empty()) o.model_options.dtype = dtype == "float32" ? torch::kFloat32 : torch::kBFloat16;
  hrm::configure_threads(threads);
  hrm::serve::run_until_signal(o);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
