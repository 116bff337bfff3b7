#include "hrm/serve/tools.hpp"

namespace hrm::serve {

std::vector<ChatMessage> with_tools(const std::vector<ChatMessage>& messages, const nlohmann::json& tools,
                                    const std::string& tool_choice) {
  (void)tools;
  (void)tool_choice;
  return messages;
}

ToolReply parse_tool_reply(const std::string& text) { return {text, nlohmann::json::array()}; }

}  // namespace hrm::serve
