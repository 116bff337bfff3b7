#include "hrm/tokenizer/tokenizer.hpp"

#include <gtest/gtest.h>
#include <sentencepiece_trainer.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "hrm/util/utf8.hpp"
#include "hrm/util/fs.hpp"
#include "hrm/util/error.hpp"
#include "shared_tokenizer.hpp"
#include "../error_of.hpp"

namespace {

using hrm::testing::error_of;

using hrm::test_support::fixtures_dir;
using hrm::test_support::shared_tokenizer;

void expect_round_trip(const std::string& text) {
  const auto& tok = shared_tokenizer();
  const auto ids = tok.encode(text);
  const auto back = tok.decode(ids);
  ASSERT_EQ(back, text) << "round trip failed for " << ::testing::PrintToString(text);
}

// Appends the UTF-8 encoding of code point `cp`.
void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xC0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xE0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    s += static_cast<char>(0xF0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    s += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

TEST(Tokenizer, SpecialIdsAreFixedAndMatchTheModel) {
  const auto& tok = shared_tokenizer();
  EXPECT_EQ(tok.piece(hrm::tok::kPadId), "<pad>");
  EXPECT_EQ(tok.piece(hrm::tok::kUnkId), "<unk>");
  EXPECT_EQ(tok.piece(hrm::tok::kBosId), "<s>");
  EXPECT_EQ(tok.piece(hrm::tok::kEosId), "</s>");
  EXPECT_EQ(tok.piece(5), "<|user|>");
  EXPECT_EQ(tok.piece(hrm::tok::kPythonId), "<|python|>");
  EXPECT_EQ(tok.piece(hrm::tok::kFirstByteId), "<0x00>");
  EXPECT_EQ(tok.piece(hrm::tok::kFirstByteId + 255), "<0xFF>");
  for (size_t i = 0; i < hrm::tok::kSpecialPieces.size(); ++i) {
    const int id = hrm::tok::kFirstSpecialId + static_cast<int>(i);
    EXPECT_EQ(tok.piece(id), hrm::tok::kSpecialPieces[i]);
    EXPECT_EQ(tok.piece_to_id(hrm::tok::kSpecialPieces[i]), id);
    EXPECT_EQ(tok.encode(hrm::tok::kSpecialPieces[i]), std::vector<int32_t>{id});
    EXPECT_TRUE(tok.is_special(id));
  }
  EXPECT_EQ(tok.piece_to_id("<|no such piece|>"), -1);
  EXPECT_GT(tok.vocab_size(), hrm::tok::kFirstByteId + 256);
  EXPECT_LE(tok.vocab_size(), 600);
}

TEST(Tokenizer, SpecialTokensAreNeverSplit) {
  const auto& tok = shared_tokenizer();
  std::mt19937 rng(7);
  const std::string fillers[] = {"", " ", "x", "\n", "<", "|", "<|", "|>", "def f():", "\t\t", "\xF0\x9F\x98\x80"};
  for (int trial = 0; trial < 300; ++trial) {
    const auto& special = hrm::tok::kSpecialPieces[rng() % hrm::tok::kSpecialPieces.size()];
    const std::string text =
        fillers[rng() % std::size(fillers)] + std::string(special) + fillers[rng() % std::size(fillers)];
    const auto ids = tok.encode(text);
    const int want = *hrm::tok::special_id(special);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), want), 1) << text;
    EXPECT_EQ(tok.decode(ids), text);
  }
}

TEST(Tokenizer, RoundTripsCodeInAllSixLanguages) {
  for (const char* name : {"sample.cpp", "sample.go", "Sample.java", "sample.js", "sample.py", "sample.rs"}) {
    SCOPED_TRACE(name);
    const auto text = hrm::read_file(fixtures_dir() / name);
    expect_round_trip(text);
    // Learned pieces compress the text well below one token per byte.
    EXPECT_LT(shared_tokenizer().encode(text).size(), text.size() * 6 / 10) << name;
  }
}

TEST(Tokenizer, RoundTripsWhitespaceAndUnusualText) {
  expect_round_trip(hrm::read_file(fixtures_dir() / "whitespace.txt"));
  for (const std::string& s : {std::string(""),
                               std::string(" "),
                               std::string("  "),
                               std::string("\n"),
                               std::string("\r\n"),
                               std::string("\t"),
                               std::string("   leading"),
                               std::string("trailing   "),
                               std::string(" both "),
                               std::string("a  b   c\t\td"),
                               std::string("\xE2\x96\x81"),
                               std::string("\xE2\x96\x81\xE2\x96\x81 x \xE2\x96\x81"),
                               std::string("<0x41> is not a byte piece"),
                               std::string("<s></s><pad><unk>"),
                               std::string("nul\0inside", 10),
                               std::string("\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"),
                               std::string("\xEF\xBB\xBF"
                                           "BOM first"),
                               std::string("\xEF\xBF\xBD replacement char"),
                               std::string("12345678901234567890"),
                               std::string("\xE3\x80\x80ideographic space")}) {
    expect_round_trip(s);
  }
}

TEST(Tokenizer, DigitsAreSplit) {
  const auto& tok = shared_tokenizer();
  for (int id : tok.encode("x = 1234567")) {
    const auto bytes = tok.decode({id});
    size_t digits = std::count_if(bytes.begin(), bytes.end(), [](char c) { return c >= '0' && c <= '9'; });
    EXPECT_LE(digits, 1u) << "piece '" << bytes << "' holds several digits";
  }
}

TEST(Tokenizer, RoundTripsRandomValidUtf8WithWhitespaceRuns) {
  std::mt19937 rng(12345);
  const auto pick = [&](uint32_t n) { return static_cast<uint32_t>(rng() % n); };
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s;
    const int parts = 1 + static_cast<int>(pick(12));
    for (int p = 0; p < parts; ++p) {
      switch (pick(7)) {
        case 0:
          s.append(1 + pick(9), " \t\n\r"[pick(4)]);
          break;  // whitespace run
        case 1:
          for (int k = 0, n = 1 + static_cast<int>(pick(8)); k < n; ++k) s += static_cast<char>(0x20 + pick(95));
          break;
        case 2:
          append_utf8(s, 0x80 + pick(0x7FF - 0x80));
          break;
        case 3: {
          uint32_t cp = 0x800 + pick(0xFFFF - 0x800);
          if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x2581;
          append_utf8(s, cp);
          break;
        }
        case 4:
          append_utf8(s, 0x10000 + pick(0x10FFFF - 0x10000));
          break;
        case 5:
          s += std::string(hrm::tok::kSpecialPieces[pick(hrm::tok::kSpecialPieces.size())]);
          break;
        default:
          append_utf8(s, pick(0x20));
          break;  // control characters, NUL included
      }
    }
    ASSERT_TRUE(hrm::utf8::is_valid(s));
    expect_round_trip(s);
    if (HasFatalFailure()) return;
  }
}

TEST(Tokenizer, EscapesInvalidUtf8ReversiblyAsBytePieces) {
  const auto& tok = shared_tokenizer();
  const std::string bad = "ok \xFF\xFE then \xC3 cut, overlong \xC0\xAF, surrogate \xED\xA0\x80 end\x80";
  const auto ids = tok.encode(bad);
  EXPECT_EQ(tok.decode(ids), bad);
  EXPECT_NE(std::find(ids.begin(), ids.end(), hrm::tok::kFirstByteId + 0xFF), ids.end());
  std::mt19937 rng(99);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string s(rng() % 40, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xFF);
    expect_round_trip(s);
    if (HasFatalFailure()) return;
  }
}

TEST(Tokenizer, DecodeRejectsIdsOutsideTheVocabulary) {
  const auto& tok = shared_tokenizer();
  const auto msg = error_of([&] { tok.decode({5, tok.vocab_size()}); });
  EXPECT_NE(msg.find("token id " + std::to_string(tok.vocab_size()) + " at position 1"), std::string::npos) << msg;
  EXPECT_NE(error_of([&] { tok.decode({-1}); }), "");
}

TEST(Tokenizer, ControlIdsDecodeToNothing) {
  const auto& tok = shared_tokenizer();
  auto ids = tok.encode("abc");
  ids.insert(ids.begin(), hrm::tok::kBosId);
  ids.push_back(hrm::tok::kEosId);
  ids.push_back(hrm::tok::kPadId);
  EXPECT_EQ(tok.decode(ids), "abc");
}

TEST(Tokenizer, LoadRejectsFilesThatAreNotHrmModels) {
  const auto dir = hrm::test_support::scratch_dir("bad-models");
  hrm::write_file_atomic(dir / "garbage.model", "this is not a protobuf");
  EXPECT_NE(error_of([&] { hrm::Tokenizer::load(dir / "garbage.model"); }).find("not a SentencePiece model"),
            std::string::npos);
  EXPECT_NE(error_of([&] { hrm::Tokenizer::load(dir / "missing.model"); }).find("missing.model"), std::string::npos);

  // A plain SentencePiece model (default ids, no hrm specials) is refused with the id that differs.
  std::string text;
  for (const char* name : {"sample.py", "sample.go"}) text += hrm::read_file(fixtures_dir() / name);
  hrm::write_file_atomic(dir / "train.txt", text);
  const auto status = sentencepiece::SentencePieceTrainer::Train(
      "--input=" + (dir / "train.txt").string() + " --model_prefix=" + (dir / "plain").string() +
      " --vocab_size=100 --minloglevel=2 --hard_vocab_limit=false");
  ASSERT_TRUE(status.ok()) << status.ToString();
  const auto msg = error_of([&] { hrm::Tokenizer::load(dir / "plain.model"); });
  EXPECT_NE(msg.find("fixed special ids"), std::string::npos) << msg;
}

TEST(Tokenizer, TrainingRejectsTooSmallVocabAndEmptyInput) {
  const auto dir = hrm::test_support::scratch_dir("bad-train");
  hrm::TokenizerTrainOptions options;
  options.vocab_size = 100;
  EXPECT_NE(error_of([&] { hrm::train_tokenizer({fixtures_dir()}, options, dir / "t.model"); }).find("too small"),
            std::string::npos);
  options.vocab_size = 400;
  std::filesystem::create_directories(dir / "empty");
  EXPECT_NE(error_of([&] { hrm::train_tokenizer({dir / "empty"}, options, dir / "t.model"); }).find("no training text"),
            std::string::npos);
  EXPECT_NE(error_of([&] { hrm::train_tokenizer({dir / "nope"}, options, dir / "t.model"); }).find("nope"),
            std::string::npos);
}

TEST(Tokenizer, TrainingSkipsAndCountsNonUtf8Files) {
  const auto dir = hrm::test_support::scratch_dir("skip-train");
  std::filesystem::create_directories(dir / "src");
  hrm::write_file_atomic(dir / "src" / "good.py", hrm::read_file(fixtures_dir() / "sample.py"));
  hrm::write_file_atomic(dir / "src" / "latin1.py", "caf\xE9 = 1\n");
  hrm::write_file_atomic(dir / "src" / "blob.bin", std::string("\0\1\2\3", 4));
  hrm::TokenizerTrainOptions options;
  options.vocab_size = 400;
  const auto summary = hrm::train_tokenizer({dir / "src"}, options, dir / "t.model");
  EXPECT_EQ(summary.files, 1u);
  EXPECT_EQ(summary.skipped_files, 2u);
  ASSERT_EQ(summary.skipped.size(), 2u);
  EXPECT_NE(summary.skipped[1].find("invalid UTF-8 at byte offset 3"), std::string::npos) << summary.skipped[1];
  // The .vocab listing has one line per piece (newlines inside pieces are escaped).
  const auto vocab = hrm::read_file(dir / "t.vocab");
  EXPECT_EQ(std::count(vocab.begin(), vocab.end(), '\n'), hrm::Tokenizer::load(dir / "t.model").vocab_size());
  // Training is deterministic: same inputs, same seed, same model bytes.
  hrm::train_tokenizer({dir / "src"}, options, dir / "t2.model");
  EXPECT_EQ(hrm::read_file(dir / "t.model"), hrm::read_file(dir / "t2.model"));
}

TEST(Tokenizer, TrainsOnCorpusAndSftJsonlRows) {
  const auto dir = hrm::test_support::scratch_dir("jsonl-train");
  const std::string code = hrm::read_file(fixtures_dir() / "sample.py");
  nlohmann::json sft_messages = {
      {"messages",
       {{{"role", "user"}, {"content", "Write add_seven(x)."}}, {{"role", "assistant"}, {"content", code}}}}};
  nlohmann::json sft_pair = {{"prompt", "Write mul_three(x)."}, {"response", "def mul_three(x):\n    return x * 3\n"}};
  hrm::write_file_atomic(dir / "rows.jsonl", nlohmann::json{{"content", code}}.dump() + "\n" + sft_messages.dump() +
                                                 "\n" + sft_pair.dump() + "\n" + nlohmann::json{{"id", 3}}.dump() +
                                                 "\n");
  hrm::TokenizerTrainOptions options;
  options.vocab_size = 400;
  const auto summary = hrm::train_tokenizer({dir / "rows.jsonl"}, options, dir / "t.model");
  EXPECT_EQ(summary.files, 1u);
  ASSERT_EQ(summary.skipped.size(), 1u);
  EXPECT_NE(summary.skipped[0].find("rows.jsonl:4"), std::string::npos) << summary.skipped[0];
  const auto tok = hrm::Tokenizer::load(dir / "t.model");
  EXPECT_EQ(tok.decode(tok.encode("def mul_three(x):")), "def mul_three(x):");
}

TEST(Tokenizer, TrainsOnTheToolCallsOfAgentRows) {
  // Rows of recorded episodes: assistant turns that are only tool calls (content null) are text too.
  const auto dir = hrm::test_support::scratch_dir("jsonl-tool-calls");
  std::string rows;
  for (int i = 0; i < 60; ++i) {
    const nlohmann::json args = {{"command", "python3 test_" + std::to_string(i) + ".py"}};
    const nlohmann::json call = {
        {"id", "call_1"}, {"type", "function"}, {"function", {{"name", "bash"}, {"arguments", args.dump()}}}};
    rows +=
        nlohmann::json{{"messages", {{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", {call}}}}}}.dump() +
        "\n";
  }
  rows += nlohmann::json{{"messages", {{{"role", "assistant"}, {"tool_calls", {{{"id", 1}}}}}}}}.dump() + "\n";
  hrm::write_file_atomic(dir / "rows.jsonl", rows);
  hrm::TokenizerTrainOptions options;
  options.vocab_size = 400;
  const auto summary = hrm::train_tokenizer({dir / "rows.jsonl"}, options, dir / "t.model");
  ASSERT_EQ(summary.skipped.size(), 1u);  // the malformed call, named by its line
  EXPECT_NE(summary.skipped[0].find("rows.jsonl:61"), std::string::npos) << summary.skipped[0];
  const auto tok = hrm::Tokenizer::load(dir / "t.model");
  const std::string line = R"({"name":"bash","arguments":{"command":"python3 test_7.py"}})";
  EXPECT_EQ(tok.decode(tok.encode(line)), line);
  // The only text of these rows is the calls' JSON: its punctuation became pieces.
  for (const char* piece : {"{\"", "\":\""}) EXPECT_EQ(tok.encode(piece).size(), 1u) << piece;
}

}  // namespace

namespace {

TEST(Tokenizer, EncodesFromSeveralThreadsAtOnce) {
  const auto& tok = hrm::test_support::shared_tokenizer();
  std::vector<std::string> texts;
  for (const char* name : {"sample.cpp", "sample.go", "Sample.java", "sample.js", "sample.py", "sample.rs"}) {
    texts.push_back(hrm::read_file(hrm::test_support::fixtures_dir() / name));
  }
  std::vector<std::vector<int32_t>> want;
  for (const auto& t : texts) want.push_back(tok.encode(t));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&, w] {
      for (int round = 0; round < 50; ++round) {
        const size_t i = static_cast<size_t>(w + round) % texts.size();
        const auto ids = tok.encode(texts[i]);
        if (ids != want[i] || tok.decode(ids) != texts[i]) ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
