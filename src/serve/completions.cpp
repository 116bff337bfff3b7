#include "completions.hpp"

#include <random>

#include "tool_replies.hpp"

namespace hrm::serve {

using nlohmann::json;

namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Prompts as token ids, checked against the context; the sampling and stop rules of the job.
JobSpec make_job_spec(const ApiRequest& r, const ServeContext& ctx) {
  const auto& tok = ctx.engine.model().tokenizer();
  const int64_t context = ctx.engine.context();
  JobSpec spec;
  if (r.chat) {
    spec.prompts.push_back(encode_prompt(tok, prompt_messages(r)));
    auto constraint = reply_constraint(r);
    spec.forced_start = tok.encode(constraint.forced_start);
    spec.stop_sequences = std::move(constraint.stops);
  } else {
    for (const auto& p : r.prompts) spec.prompts.push_back(tok.encode(p));
  }
  for (size_t i = 0; i < spec.prompts.size(); ++i) {
    const auto n = static_cast<int64_t>(spec.prompts[i].size());
    const std::string param = r.chat ? "messages" : "prompt";
    if (n == 0) throw ApiError(400, "the prompt is empty", param);
    if (n >= context) {
      throw ApiError(400,
                     "the prompt has " + std::to_string(n) + " tokens; the context is " + std::to_string(context) +
                         " tokens (prompt + reply), so no token is left for a reply",
                     param, "context_length_exceeded");
    }
  }
  spec.n = r.n;
  const int64_t rows = spec.n * static_cast<int64_t>(spec.prompts.size());
  if (rows > ctx.engine.parallel()) {
    throw ApiError(400,
                   "the request needs " + std::to_string(rows) +
                       " sequences (prompts x n) but the server decodes at most " +
                       std::to_string(ctx.engine.parallel()) + " at once (--parallel)",
                   "n");
  }
  spec.sampling.temperature = r.temperature;
  spec.sampling.top_p = r.top_p;
  spec.sampling.top_k = r.top_k;
  spec.sampling.max_new_tokens = r.max_tokens.value_or(context);  // the context bounds it too
  spec.sampling.seed = r.seed ? static_cast<uint64_t>(*r.seed) : std::random_device{}();
  spec.stop_sequences.insert(spec.stop_sequences.end(), r.stop.begin(), r.stop.end());
  return spec;
}

Usage usage_of(const Job& job) {
  Usage u;
  for (const auto& p : job.spec().prompts) u.prompt_tokens += static_cast<int64_t>(p.size());
  for (const auto& c : job.choices) u.completion_tokens += static_cast<int64_t>(c.completion.tokens.size());
  return u;
}

void wait_and_answer(const ServeContext& ctx, const ApiRequest& r, Job& job, httplib::Response& res) {
  std::unique_lock<std::mutex> lock(job.mutex);
  job.changed.wait(lock, [&] { return job.state == Job::State::kFinished || job.state == Job::State::kFailed; });
  if (job.state == Job::State::kFailed) throw ApiError(job.error_status, job.error);
  std::vector<ResponseChoice> choices;
  for (const auto& c : job.choices) choices.push_back(reply_choice(r, c.completion));
  const auto id = (r.chat ? "chatcmpl-" : "cmpl-") + random_hex(24);
  res.set_content(dump(completion_response(r, id, ctx.model_id, now_seconds(), choices, usage_of(job))),
                  "application/json");
}

// Writes a job's output as server-sent events; returns false when the client is gone (the job is then
// cancelled, so its rows leave the batch at the next step).
class EventStream {
 public:
  EventStream(ApiRequest request, std::shared_ptr<Job> job, std::string model_id)
      : r_(std::move(request)),
        job_(std::move(job)),
        model_id_(std::move(model_id)),
        id_((r_.chat ? "chatcmpl-" : "cmpl-") + random_hex(24)),
        created_(now_seconds()),
        carry_(job_->choices.size()),
        sent_final_(job_->choices.size(), false) {}

  bool run(httplib::DataSink& sink) {
    sink_ = &sink;
    if (r_.chat) {
      for (size_t i = 0; i < carry_.size(); ++i) {
        if (!send(chunk(i, {{"role", "assistant"}, {"content", ""}}, std::nullopt))) return gone();
      }
    }
    while (true) {
      Snapshot s = take_news();
      if (!sink.is_writable()) return gone();
      for (size_t i = 0; i < carry_.size(); ++i) {
        if (!send_choice(i, s)) return gone();
      }
      if (s.failed) {
        send_line(dump(ApiError(s.error_status, s.error).body()));
        return finish();
      }
      if (std::all_of(sent_final_.begin(), sent_final_.end(), [](bool b) { return b; })) {
        if (r_.include_usage) send(usage_chunk(r_, id_, model_id_, created_, s.usage));
        return finish();
      }
    }
  }

  void cancel() { job_->cancel(); }

 private:
  struct Snapshot {
    std::vector<bool> finished;
    std::vector<infer::Completion> completions;
    bool failed = false;
    int error_status = 500;
    std::string error;
    Usage usage;
  };

  bool news() const {
    if (job_->state == Job::State::kFailed || job_->cancelled()) return true;
    for (size_t i = 0; i < carry_.size(); ++i) {
      const auto& c = job_->choices[i];
      if (!c.pending.empty() || (c.finished && !sent_final_[i])) return true;
    }
    return false;
  }

  // Moves what the engine produced since the last call out of the job (waits up to 100 ms for it, so a
  // vanished client is noticed within that time even while nothing is generated).
  Snapshot take_news() {
    Snapshot s;
    std::unique_lock<std::mutex> lock(job_->mutex);
    job_->changed.wait_for(lock, std::chrono::milliseconds(100), [&] { return news(); });
    for (size_t i = 0; i < carry_.size(); ++i) {
      auto& c = job_->choices[i];
      carry_[i] += c.pending;
      c.pending.clear();
      s.finished.push_back(c.finished);
      s.completions.push_back(c.finished ? c.completion : infer::Completion());
    }
    s.failed = job_->state == Job::State::kFailed;
    s.error_status = job_->error_status;
    s.error = job_->error;
    s.usage = usage_of(*job_);
    return s;
  }

  // Sends choice i's new content; with tools offered, text from the first <|tool_call|> on waits for
  // the end of the reply, which then goes out as tool_calls or, not parsing as calls, as content.
  bool send_choice(size_t i, const Snapshot& s) {
    if (sent_final_[i]) return true;
    const auto& carry = carry_[i];
    if (!s.finished[i]) return send_text(i, std::min(complete_utf8_prefix(carry), streamable_content(r_, carry)));
    const auto reply = reply_choice(r_, s.completions[i]);
    if (!send_text(i, reply.tool_calls.is_null() ? carry.size() : streamable_content(r_, carry))) return false;
    sent_final_[i] = true;
    if (!reply.tool_calls.is_null() && !send(chunk(i, tool_calls_delta(reply.tool_calls), std::nullopt))) return false;
    return send(chunk(i, json::object(), reply.finish_reason));
  }

  bool send_text(size_t i, size_t bytes) {
    if (bytes == 0) return true;
    const auto text = carry_[i].substr(0, bytes);
    carry_[i].erase(0, bytes);
    return send(chunk(i, r_.chat ? json{{"content", text}} : json{{"text", text}}, std::nullopt));
  }

  json chunk(size_t i, const json& delta, const std::optional<std::string>& finish) const {
    return stream_chunk(r_, id_, model_id_, created_, i, delta, finish);
  }
  bool send(const json& j) { return send_line(dump(j)); }
  bool send_line(const std::string& payload) {
    const auto line = "data: " + payload + "\n\n";
    return sink_->write(line.data(), line.size());
  }
  bool finish() {
    send_line("[DONE]");
    sink_->done();
    return true;
  }
  bool gone() {
    job_->cancel();
    return false;
  }

  ApiRequest r_;
  std::shared_ptr<Job> job_;
  std::string model_id_, id_;
  int64_t created_;
  std::vector<std::string> carry_;  // text taken from the job, not yet sent (an unfinished UTF-8 character)
  std::vector<bool> sent_final_;
  httplib::DataSink* sink_ = nullptr;
};

}  // namespace

void answer_completion(ServeContext& ctx, const httplib::Request& req, httplib::Response& res, bool chat) {
  const auto request = parse_request(req.body, chat, ctx.options.limits);
  if (!request.model.empty() && request.model != ctx.model_id) {
    throw ApiError(400, "model '" + request.model + "' is not served here; this server serves '" + ctx.model_id + "'",
                   "model", "model_not_found");
  }
  auto job = std::make_shared<Job>(make_job_spec(request, ctx));
  switch (ctx.engine.submit(job)) {
    case SubmitResult::kQueued:
      break;
    case SubmitResult::kQueueFull:
      res.set_header("Retry-After", "1");
      throw ApiError(503, "the server is busy: the request queue is full (--queue); retry later", "", "queue_full");
    case SubmitResult::kShuttingDown:
      throw ApiError(503, "the server is shutting down", "", "shutting_down");
  }
  if (!request.stream) {
    try {
      wait_and_answer(ctx, request, *job, res);
    } catch (...) {
      job->cancel();
      throw;
    }
    return;
  }
  auto stream = std::make_shared<EventStream>(request, job, ctx.model_id);
  ++ctx.open_streams;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream", [stream](size_t, httplib::DataSink& sink) { return stream->run(sink); },
      [stream, &ctx](bool success) {
        if (!success) stream->cancel();
        --ctx.open_streams;
      });
}

}  // namespace hrm::serve
