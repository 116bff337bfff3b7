// Parsing and checking OpenAI request bodies (api.hpp).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>
#include <limits>

#include "hrm/serve/api.hpp"
#include "hrm/util/error.hpp"

namespace hrm::serve {

using nlohmann::json;

namespace {

constexpr int64_t kMaxTokensLimit = int64_t{1} << 20;

ApiError bad(const std::string& param, const std::string& message, const std::string& code = "invalid_value") {
  return ApiError(400, message, param, code);
}

const json* field(const json& body, const char* name) {
  const auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

int64_t integer_in(const json& v, const std::string& param, int64_t lo, int64_t hi) {
  if (!v.is_number_integer()) throw bad(param, "'" + param + "' must be an integer", "invalid_type");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) {
    throw bad(param, "'" + param + "' must be at most " + std::to_string(hi));
  }
  const auto x = v.get<int64_t>();
  if (x < lo || x > hi) {
    throw bad(param, "'" + param + "' must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "] (got " +
                         std::to_string(x) + ")");
  }
  return x;
}

double number_in(const json& v, const std::string& param, double lo, double hi, bool open_low) {
  if (!v.is_number()) throw bad(param, "'" + param + "' must be a number", "invalid_type");
  const double x = v.get<double>();
  if (!std::isfinite(x) || x < lo || x > hi || (open_low && x == lo)) {
    throw bad(param, "'" + param + "' must be in " + (open_low ? "(" : "[") + std::to_string(lo) + ", " +
                         std::to_string(hi) + "]");
  }
  return x;
}

std::string string_of(const json& v, const std::string& param) {
  if (!v.is_string()) throw bad(param, "'" + param + "' must be a string", "invalid_type");
  return v.get<std::string>();
}

// A message's content: a string, null, or a list of {"type": "text", "text": ...} parts.
std::string content_of(const json& message, const std::string& param) {
  const auto* c = field(message, "content");
  if (c == nullptr) return "";
  if (c->is_string()) return c->get<std::string>();
  if (!c->is_array()) throw bad(param, "'" + param + "' must be a string or a list of text parts", "invalid_type");
  std::string text;
  for (size_t i = 0; i < c->size(); ++i) {
    const auto& part = (*c)[i];
    const auto p = param + "[" + std::to_string(i) + "]";
    if (!part.is_object() || part.value("type", json()) != "text" || !part.contains("text") ||
        !part["text"].is_string()) {
      throw bad(p, "'" + p + "' must be {\"type\": \"text\", \"text\": ...} (only text is supported)");
    }
    text += part["text"].get<std::string>();
  }
  return text;
}

// One message in the chat template's shape: assistant tool_calls and a tool message's tool_call_id and
// name are read by the one ChatMessage reader (chat_message.hpp), its hrm::Error becoming a 400.
ChatMessage message_of(const json& msg, const std::string& role, const std::string& param) {
  json plain = msg;
  plain["role"] = role;
  const auto content = content_of(msg, param + ".content");
  const bool assistant_calls = role == "assistant" && field(msg, "tool_calls") != nullptr;
  plain["content"] = content.empty() && assistant_calls ? json() : json(content);
  try {
    return chat_message_from_json(plain, param);
  } catch (const Error& e) {
    throw bad(param, e.describe());
  }
}

std::vector<ChatMessage> parse_messages(const json& body) {
  const auto* m = field(body, "messages");
  if (m == nullptr) throw bad("messages", "'messages' is required", "missing_required_parameter");
  if (!m->is_array() || m->empty()) throw bad("messages", "'messages' must be a non-empty list", "invalid_type");
  std::vector<ChatMessage> out;
  for (size_t i = 0; i < m->size(); ++i) {
    const auto& msg = (*m)[i];
    const auto p = "messages[" + std::to_string(i) + "]";
    if (!msg.is_object()) throw bad(p, "'" + p + "' must be an object", "invalid_type");
    const auto* role = field(msg, "role");
    if (role == nullptr) throw bad(p + ".role", "'" + p + ".role' is required", "missing_required_parameter");
    auto r = string_of(*role, p + ".role");
    if (r == "developer") r = "system";  // newer clients' name for the system role
    if (r != "system" && r != "user" && r != "assistant" && r != "tool") {
      throw bad(p + ".role", "'" + p + ".role' is '" + r + "'; roles are system, user, assistant and tool");
    }
    out.push_back(message_of(msg, r, p));
  }
  return out;
}

std::vector<std::string> parse_prompts(const json& body, const ApiLimits& limits) {
  const auto* p = field(body, "prompt");
  if (p == nullptr) throw bad("prompt", "'prompt' is required", "missing_required_parameter");
  if (p->is_string()) return {p->get<std::string>()};
  if (!p->is_array() || p->empty())
    throw bad("prompt", "'prompt' must be a string or a list of strings", "invalid_type");
  if (static_cast<int64_t>(p->size()) > limits.max_prompts) {
    throw bad("prompt", "'prompt' has " + std::to_string(p->size()) + " entries; at most " +
                            std::to_string(limits.max_prompts) + " are served in one request");
  }
  std::vector<std::string> out;
  for (const auto& e : *p) {
    if (!e.is_string())
      throw bad("prompt", "'prompt' must be a string or a list of strings (token ids are not accepted)",
                "invalid_type");
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::vector<std::string> parse_stop(const json& v, const ApiLimits& limits) {
  std::vector<std::string> out;
  if (v.is_string()) {
    out.push_back(v.get<std::string>());
  } else if (v.is_array()) {
    for (const auto& s : v) out.push_back(string_of(s, "stop"));
  } else {
    throw bad("stop", "'stop' must be a string or a list of strings", "invalid_type");
  }
  if (static_cast<int64_t>(out.size()) > limits.max_stop) {
    throw bad("stop", "'stop' has " + std::to_string(out.size()) + " sequences; at most " +
                          std::to_string(limits.max_stop) + " are allowed");
  }
  for (const auto& s : out) {
    if (s.empty()) throw bad("stop", "a stop sequence is empty");
  }
  return out;
}

// OpenAI's rule for function names: 1 to 64 of a-z, A-Z, 0-9, _ and -.
bool valid_function_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; });
}

json parse_tools(const json& v) {
  if (!v.is_array()) throw bad("tools", "'tools' must be a list", "invalid_type");
  std::set<std::string> names;
  for (size_t i = 0; i < v.size(); ++i) {
    const auto p = "tools[" + std::to_string(i) + "]";
    const auto& t = v[i];
    if (!t.is_object())
      throw bad(p, "'" + p + "' must be {\"type\": \"function\", \"function\": {...}}", "invalid_type");
    if (t.value("type", json()) != "function") throw bad(p + ".type", "'" + p + ".type' must be \"function\"");
    const auto* f = field(t, "function");
    if (f == nullptr || !f->is_object()) {
      throw bad(p + ".function", "'" + p + ".function' must be an object {name, description, parameters}",
                "invalid_type");
    }
    const auto name_param = p + ".function.name";
    const auto* name = field(*f, "name");
    if (name == nullptr) throw bad(name_param, "'" + name_param + "' is required", "missing_required_parameter");
    const auto n = string_of(*name, name_param);
    if (!valid_function_name(n)) {
      throw bad(name_param,
                "'" + name_param + "' is '" + n + "'; a function name is 1 to 64 of a-z, A-Z, 0-9, _ and -");
    }
    if (!names.insert(n).second) throw bad(name_param, "'" + name_param + "': two tools are named '" + n + "'");
    if (const auto* d = field(*f, "description")) string_of(*d, p + ".function.description");
    if (const auto* s = field(*f, "parameters"); s != nullptr && !s->is_object()) {
      throw bad(p + ".function.parameters", "'" + p + ".function.parameters' must be a JSON Schema object",
                "invalid_type");
    }
  }
  return v;
}

void parse_tool_choice(const json& v, ApiRequest& r) {
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s != "none" && s != "auto" && s != "required") {
      throw bad("tool_choice", "'tool_choice' must be none, auto, required or {\"type\": \"function\", ...}");
    }
    if (s == "required" && r.tools.empty()) throw bad("tool_choice", "tool_choice 'required' needs 'tools'");
    r.tool_choice = s;
    return;
  }
  if (!v.is_object() || !v.contains("function") || !v["function"].is_object()) {
    throw bad("tool_choice", "'tool_choice' must be a string or {\"type\": \"function\", \"function\": {\"name\"}}",
              "invalid_type");
  }
  const auto name = string_of(v["function"].value("name", json()), "tool_choice.function.name");
  for (const auto& t : r.tools) {
    if (t["function"]["name"] == name) {
      r.tool_choice = "function";
      r.tool_choice_function = name;
      return;
    }
  }
  throw bad("tool_choice.function.name", "tool_choice names the function '" + name + "', which is not in 'tools'");
}

void parse_sampling(const json& body, const ApiLimits& limits, ApiRequest& r) {
  for (const char* name : {"max_tokens", "max_completion_tokens"}) {
    if (const auto* v = field(body, name)) r.max_tokens = integer_in(*v, name, 1, kMaxTokensLimit);
  }
  if (const auto* v = field(body, "temperature")) r.temperature = number_in(*v, "temperature", 0, 2, false);
  if (const auto* v = field(body, "top_p")) r.top_p = number_in(*v, "top_p", 0, 1, true);
  if (const auto* v = field(body, "top_k")) r.top_k = integer_in(*v, "top_k", 0, int64_t{1} << 31);
  if (const auto* v = field(body, "n")) r.n = integer_in(*v, "n", 1, limits.max_n);
  if (const auto* v = field(body, "stop")) r.stop = parse_stop(*v, limits);
  if (const auto* v = field(body, "seed")) {
    r.seed = integer_in(*v, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max());
  }
}

// logprobs (chat: a boolean, completions: a count) and echo are known but not served: asking for
// them is an error rather than a silently different answer.
void refuse_unsupported(const json& body) {
  if (const auto* v = field(body, "logprobs")) {
    if (!v->is_boolean() && !v->is_number_integer())
      throw bad("logprobs", "'logprobs' has the wrong type", "invalid_type");
    if (v->is_boolean() ? v->get<bool>() : v->get<int64_t>() > 0) {
      throw bad("logprobs", "'logprobs' is not supported by hrm-serve", "unsupported_parameter");
    }
  }
  if (const auto* v = field(body, "echo")) {
    if (!v->is_boolean()) throw bad("echo", "'echo' must be true or false", "invalid_type");
    if (v->get<bool>()) throw bad("echo", "'echo' is not supported by hrm-serve", "unsupported_parameter");
  }
}

}  // namespace

ApiRequest parse_request(const std::string& text, bool chat, const ApiLimits& limits) {
  json body;
  try {
    body = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ApiError(400, std::string("the request body is not valid JSON: ") + e.what(), "", "invalid_json");
  }
  if (!body.is_object()) throw ApiError(400, "the request body must be a JSON object", "", "invalid_json");
  ApiRequest r;
  r.chat = chat;
  if (const auto* m = field(body, "model")) r.model = string_of(*m, "model");
  if (chat) {
    r.messages = parse_messages(body);
  } else {
    r.prompts = parse_prompts(body, limits);
  }
  parse_sampling(body, limits, r);
  refuse_unsupported(body);
  if (const auto* v = field(body, "stream")) {
    if (!v->is_boolean()) throw bad("stream", "'stream' must be true or false", "invalid_type");
    r.stream = v->get<bool>();
  }
  if (const auto* v = field(body, "stream_options")) {
    if (!v->is_object()) throw bad("stream_options", "'stream_options' must be an object", "invalid_type");
    if (const auto* u = field(*v, "include_usage")) {
      if (!u->is_boolean()) throw bad("stream_options.include_usage", "'include_usage' must be true or false");
      r.include_usage = u->get<bool>();
    }
  }
  if (chat) {
    if (const auto* v = field(body, "tools")) r.tools = parse_tools(*v);
    if (const auto* v = field(body, "tool_choice")) parse_tool_choice(*v, r);
  }
  return r;
}

}  // namespace hrm::serve
