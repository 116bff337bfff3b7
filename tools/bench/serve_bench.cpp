// hrm-serve under load (docs/serve.md, results in docs/benchmarks.md): time to first token, aggregate
// tokens/s for 1, 4 and 16 concurrent streaming clients, and the server's peak RSS, through the real
// binary over HTTP. The model is a random-init checkpoint of the named config (speed does not depend
// on the weights' values; replies run to max_tokens unless a stop token comes up first, and the
// tokens actually generated are counted from each reply's usage).
//   hrm-bench-serve --arch quickstart --clients 1,4,16 --total-requests 64 --max-tokens 64 --threads 1
//   hrm-bench-serve --arch 27m --dtype bfloat16 --segments 1 --ctx 256
//   hrm-bench-serve --arch 27m --quantize q4 --segments 1 --ctx 256   (hrm quantize --type q4 of it)
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "hrm/infer/quantized_checkpoint.hpp"
#include "hrm/model/checkpoint.hpp"
#include "hrm/tokenizer/tokenizer.hpp"
#include "hrm/util/run_main.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// quickstart: configs/train/quickstart.yaml's model (prefix-LM, hidden 128); 27m: configs/arch/hrm_v1.yaml
// made causal. Vocabulary 2048 (>= the 600-piece fixture tokenizer), seq_len 1024.
hrm::ModelConfig bench_config(const std::string& arch) {
  hrm::ModelConfig c;
  if (arch == "27m") {
    c = hrm::ModelConfig::from_file(std::string(HRM_SOURCE_DIR) + "/configs/arch/hrm_v1.yaml");
    c.attention = hrm::AttentionMode::kCausal;
  } else if (arch == "quickstart") {
    c.hidden_size = 128;
    c.num_heads = 4;
    c.expansion = 2;
    c.H_layers = 1;
    c.L_layers = 1;
    c.attention = hrm::AttentionMode::kPrefixLM;
    c.norm = hrm::NormStyle::kPre;
    c.z_H_init = hrm::ZHInit::kEmbedding;
    c.halt_max_steps = 2;
    c.forward_dtype = "float32";
  } else {
    throw std::runtime_error("--arch must be quickstart or 27m");
  }
  c.vocab_size = 2048;
  c.seq_len = 1024;
  return c;
}

void make_checkpoint(const fs::path& dir, const std::string& arch) {
  hrm::TokenizerTrainOptions t;
  t.vocab_size = 600;
  t.character_coverage = 1.0;
  const auto tok = dir.parent_path() / "tok.model";
  hrm::train_tokenizer({fs::path(HRM_SOURCE_DIR) / "data" / "tokenizer-fixtures"}, t, tok);
  torch::manual_seed(1);
  hrm::HRMInner model(bench_config(arch));
  hrm::save_checkpoint(dir.string(), *model, {{"step", 0}});
  fs::copy_file(tok, dir / "tokenizer.model");
}

int64_t peak_rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

struct RequestResult {
  double ttft = 0, seconds = 0;
  int64_t tokens = 0;
  bool ok = false;
};

// One streamed chat request; time to the first content and the usage's completion tokens.
RequestResult timed_request(int port, int client, int max_tokens) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_read_timeout(600, 0);
  const json body = {{"messages", json::array({{{"role", "user"},
                                                {"content", "Client " + std::to_string(client) +
                                                                ": write a function that sorts a list of numbers."}}})},
                     {"max_tokens", max_tokens},
                     {"temperature", 0},
                     {"stream", true},
                     {"stream_options", {{"include_usage", true}}}};
  RequestResult r;
  std::string buffer;
  const auto start = Clock::now();
  httplib::Request req;
  req.method = "POST";
  req.path = "/v1/chat/completions";
  req.body = body.dump();
  req.set_header("Content-Type", "application/json");
  // The first content delta (the role chunk before it carries "content":"") ends the time to first token.
  req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
    buffer.append(data, n);
    if (r.ttft == 0 && buffer.find("\"content\":\"", buffer.find("\"content\":\"\"") + 1) != std::string::npos) {
      r.ttft = since(start);
    }
    return true;
  };
  cli.send(req);
  r.seconds = since(start);
  for (size_t pos = 0; (pos = buffer.find("data: ", pos)) != std::string::npos; pos += 6) {
    const auto end = buffer.find("\n\n", pos);
    const auto payload = buffer.substr(pos + 6, end - pos - 6);
    if (payload == "[DONE]") {
      r.ok = true;
      break;
    }
    const auto j = json::parse(payload);
    if (j.contains("usage") && j["usage"].is_object()) r.tokens = j["usage"]["completion_tokens"];
  }
  return r;
}

int run(int argc, char** argv) {
  CLI::App app{"hrm-bench-serve: hrm-serve latency and throughput under concurrent clients"};
  std::string arch = "quickstart", dtype, model, clients_list = "1,4,16";
  int requests = 2, max_tokens = 64, threads = 2, segments = 0, ctx = 256;
  app.add_option("--arch", arch, "quickstart or 27m (random-init checkpoint)")->capture_default_str();
  app.add_option("--model", model, "An existing text checkpoint instead of --arch");
  app.add_option("--dtype", dtype, "float32 or bfloat16 (default: the config's)");
  std::string quantize;
  app.add_option("--quantize", quantize, "q8 or q4: serve the --arch checkpoint quantized (hrm quantize --type)")
      ->check(CLI::IsMember({"q8", "q4"}));
  app.add_option("--clients", clients_list, "Concurrent client counts")->capture_default_str();
  app.add_option("--requests", requests, "Requests per client per round")->capture_default_str();
  int total_requests = 0;
  app.add_option("--total-requests", total_requests,
                 "Requests per round, split evenly over the clients (instead of --requests): every client count "
                 "then serves the same requests, and the 1-client round runs as long as the others");
  app.add_option("--max-tokens", max_tokens)->capture_default_str();
  app.add_option("--threads", threads, "hrm-serve's LibTorch threads")->capture_default_str();
  app.add_option("--segments", segments, "ACT segments per token (0 = halt_max_steps)")->capture_default_str();
  app.add_option("--ctx", ctx, "hrm-serve --ctx")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::vector<int> counts;
  for (size_t pos = 0; pos < clients_list.size();) {
    const auto comma = clients_list.find(',', pos);
    counts.push_back(std::stoi(clients_list.substr(pos, comma - pos)));
    pos = comma == std::string::npos ? clients_list.size() : comma + 1;
  }
  const int parallel = *std::max_element(counts.begin(), counts.end());
  for (const int c : counts) {
    if (total_requests > 0 && total_requests % c != 0) {
      throw std::runtime_error("--total-requests " + std::to_string(total_requests) + " does not split evenly over " +
                               std::to_string(c) + " clients");
    }
  }
  std::string scratch_tmpl = "/tmp/hrm-bench-serve-XXXXXX";
  const fs::path scratch = ::mkdtemp(scratch_tmpl.data());
  if (model.empty()) {
    model = (scratch / arch).string();
    make_checkpoint(model, arch);
    if (!quantize.empty()) {
      auto options = hrm::infer::default_quantize_options(model);
      options.type = hrm::quant::parse_type(quantize, "--quantize");
      const auto quantized = (scratch / (arch + "-" + quantize)).string();
      hrm::infer::quantize_checkpoint(model, quantized, options);
      model = quantized;
    }
  } else if (!quantize.empty()) {
    throw std::runtime_error("--quantize applies to --arch checkpoints; quantize --model with hrm quantize");
  }
  const int port = 20000 + static_cast<int>(::getpid() % 20000);
  std::vector<std::string> args = {std::string(HRM_BINARY_DIR) + "/bin/hrm-serve",
                                   "--model",
                                   model,
                                   "--port",
                                   std::to_string(port),
                                   "--parallel",
                                   std::to_string(parallel),
                                   "--ctx",
                                   std::to_string(ctx),
                                   "--threads",
                                   std::to_string(threads),
                                   "--segments",
                                   std::to_string(segments)};
  if (!dtype.empty()) args.insert(args.end(), {"--dtype", dtype});
  const pid_t pid = ::fork();
  if (pid == 0) {
    std::freopen((scratch / "server.log").c_str(), "w", stderr);
    std::vector<char*> argv_c;
    for (auto& a : args) argv_c.push_back(a.data());
    argv_c.push_back(nullptr);
    ::execv(argv_c[0], argv_c.data());
    ::_exit(127);
  }
  for (int i = 0; i < 600; ++i) {
    httplib::Client cli("127.0.0.1", port);
    if (auto r = cli.Get("/health"); r && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  timed_request(port, 0, 4);  // warm-up
  std::printf(
      "| clients | requests | tokens | wall s | aggregate tok/s | per-client tok/s | TTFT median s | TTFT max s |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- |\n");
  for (const int c : counts) {
    const auto start = Clock::now();
    std::vector<std::future<std::vector<RequestResult>>> futures;
    for (int k = 0; k < c; ++k) {
      futures.push_back(std::async(std::launch::async, [=] {
        std::vector<RequestResult> out;
        // A prompt of its own per round, client and request: no reply comes from the prefix cache whole.
        const int per_client = total_requests > 0 ? total_requests / c : requests;
        for (int q = 0; q < per_client; ++q) {
          out.push_back(timed_request(port, c * 10000 + k * 100 + q, max_tokens));
        }
        return out;
      }));
    }
    std::vector<double> ttft;
    int64_t tokens = 0;
    int failed = 0;
    for (auto& f : futures) {
      for (const auto& r : f.get()) {
        ttft.push_back(r.ttft);
        tokens += r.tokens;
        failed += !r.ok;
      }
    }
    const double wall = since(start);
    std::sort(ttft.begin(), ttft.end());
    std::printf("| %d | %zu%s | %lld | %.2f | %.1f | %.1f | %.3f | %.3f |\n", c, ttft.size(),
                failed ? " (some failed)" : "", static_cast<long long>(tokens), wall, tokens / wall, tokens / wall / c,
                ttft[ttft.size() / 2], ttft.back());
    std::fflush(stdout);
  }
  std::printf("\nhrm-serve peak RSS: %.1f MiB\n", static_cast<double>(peak_rss_kib(pid)) / 1024.0);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::remove_all(scratch);
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return hrm::run_main(argc, argv, run); }
