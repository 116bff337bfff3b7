// The special tokens of every hrm tokenizer, with ids fixed at training time.
//
//   id 0 <pad>  id 1 <unk>  id 2 <s> (bos)  id 3 </s> (eos)   — SentencePiece control/unknown pieces:
//                                                                never produced from text, only by id.
//   ids 4..   the user-defined symbols below, in this order    — matched atomically in text (never split).
//   next 256  byte-fallback pieces <0x00>..<0xFF>
//   rest      learned pieces
//
// A model trained with one tokenizer can therefore rely on these ids; Tokenizer::load checks them and
// refuses a model whose ids differ. Append new markers only by renaming a reserved slot.
#pragma once
#include <array>
#include <optional>
#include <string_view>

namespace hrm::tok {

inline constexpr int kPadId = 0;
inline constexpr int kUnkId = 1;
inline constexpr int kBosId = 2;
inline constexpr int kEosId = 3;
inline constexpr int kFirstSpecialId = 4;

// User-defined symbols in id order (kFirstSpecialId + index).
inline constexpr std::array<std::string_view, 24> kSpecialPieces = {
    // Chat roles and the end-of-turn separator (chat_template.hpp).
    "<|system|>", "<|user|>", "<|assistant|>", "<|end|>",
    // One tag per language (language.hpp in hrm/data names the same six).
    "<|cpp|>", "<|go|>", "<|java|>", "<|javascript|>", "<|python|>", "<|rust|>",
    // Edit formats: a SEARCH/REPLACE block and a whole-file rewrite (chat_template.hpp).
    "<|file|>", "<|search|>", "<|divider|>", "<|replace|>", "<|whole_file|>",
    // Tool use.
    "<|tool_call|>", "<|tool_result|>",
    // Document separator for raw pretraining text, plus reserved slots for future markers.
    "<|doc|>", "<|reserved_0|>", "<|reserved_1|>", "<|reserved_2|>", "<|reserved_3|>", "<|reserved_4|>",
    "<|reserved_5|>"};

inline constexpr int kFirstByteId = kFirstSpecialId + static_cast<int>(kSpecialPieces.size());

// Id of a special piece by its text, e.g. special_id("<|user|>") == 5; nullopt when it is not one.
inline constexpr std::optional<int> special_id(std::string_view piece) {
  for (size_t i = 0; i < kSpecialPieces.size(); ++i) {
    if (kSpecialPieces[i] == piece) return kFirstSpecialId + static_cast<int>(i);
  }
  return std::nullopt;
}

// Named ids, checked against the table at compile time.
inline constexpr int kSystemId = 4, kUserId = 5, kAssistantId = 6, kEndId = 7;
inline constexpr int kCppId = 8, kGoId = 9, kJavaId = 10, kJavascriptId = 11, kPythonId = 12, kRustId = 13;
inline constexpr int kFileId = 14, kSearchId = 15, kDividerId = 16, kReplaceId = 17, kWholeFileId = 18;
inline constexpr int kToolCallId = 19, kToolResultId = 20, kDocId = 21;
static_assert(*special_id("<|system|>") == kSystemId && *special_id("<|end|>") == kEndId);
static_assert(*special_id("<|cpp|>") == kCppId && *special_id("<|rust|>") == kRustId);
static_assert(*special_id("<|file|>") == kFileId && *special_id("<|whole_file|>") == kWholeFileId);
static_assert(*special_id("<|tool_result|>") == kToolResultId && *special_id("<|doc|>") == kDocId);

}  // namespace hrm::tok
