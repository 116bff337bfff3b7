// LiveCodeBench private-test encoding: base64, bounded zlib, and the string-only pickle reader, on
// vectors made by Python's own pickle (data/lcb-fixtures/decoder_vectors.json) and on hostile inputs;
// each encoder against Python's bytes and round-tripped through its decoder.
#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "hrm/eval/lcb_codec.hpp"
#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"
#include "../error_of.hpp"

namespace lcb = hrm::eval::lcb;
using nlohmann::json;

namespace {

using hrm::testing::error_of;

json vectors() {
  return json::parse(hrm::read_file(std::string(HRM_SOURCE_DIR) + "/data/lcb-fixtures/decoder_vectors.json"));
}

std::string compress(const std::string& s) {
  uLongf n = compressBound(s.size());
  std::string out(n, '\0');
  EXPECT_EQ(compress2(reinterpret_cast<Bytef*>(out.data()), &n, reinterpret_cast<const Bytef*>(s.data()), s.size(), 9),
            Z_OK);
  out.resize(n);
  return out;
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

}  // namespace

TEST(LcbBase64, DecodesStandardAlphabetWithPaddingAndWhitespace) {
  EXPECT_EQ(lcb::base64_decode(""), "");
  EXPECT_EQ(lcb::base64_decode("TWFu"), "Man");
  EXPECT_EQ(lcb::base64_decode("TWE="), "Ma");
  EXPECT_EQ(lcb::base64_decode("TQ=="), "M");
  EXPECT_EQ(lcb::base64_decode("TW\nFu\r\n"), "Man");
  EXPECT_EQ(lcb::base64_decode("+/+/"), bytes({0xfb, 0xff, 0xbf}));
}

TEST(LcbBase64, RejectsBadInput) {
  EXPECT_NE(error_of([] { lcb::base64_decode("TW-u"); }).find("invalid character 0x2d at offset 2"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::base64_decode("T"); }).find("truncated"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::base64_decode("=TWE"); }).find("misplaced"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::base64_decode("TQ==TWFu"); }).find("after '=' padding"), std::string::npos);
}

TEST(LcbZlib, InflatesAndBoundsTheOutput) {
  const std::string text(100000, 'x');
  EXPECT_EQ(lcb::zlib_decompress(compress(text)), text);
  EXPECT_NE(error_of([&] { lcb::zlib_decompress(compress(text), 1000); }).find("exceeds 1000 bytes"),
            std::string::npos);
  std::string cut = compress("hello world, hello world");
  cut.resize(cut.size() - 6);
  EXPECT_NE(error_of([&] { lcb::zlib_decompress(cut); }).find("truncated"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::zlib_decompress("not zlib at all"); }).find("corrupt"), std::string::npos);
}

TEST(LcbPickle, ReadsPythonPicklesOfEveryAcceptedProtocol) {
  const json v = vectors();
  ASSERT_EQ(v["valid"].size(), 8u);
  for (const auto& c : v["valid"]) {
    SCOPED_TRACE("protocol " + std::to_string(c["protocol"].get<int>()));
    const std::string pickled = lcb::zlib_decompress(lcb::base64_decode(c["encoded"].get<std::string>()));
    EXPECT_EQ(lcb::unpickle_string(pickled), c["text"].get<std::string>());
    EXPECT_EQ(lcb::decode_private_tests(c["encoded"].get<std::string>()), c["text"].get<std::string>());
  }
}

TEST(LcbPickle, ReadsHandWrittenOpcodes) {
  // protocol 2: BINUNICODE + BINPUT
  EXPECT_EQ(lcb::unpickle_string(bytes({0x80, 2, 'X', 2, 0, 0, 0, 'h', 'i', 'q', 0, '.'})), "hi");
  // protocol 4: FRAME + BINUNICODE8 + LONG_BINPUT
  EXPECT_EQ(lcb::unpickle_string(bytes({0x80, 4, 0x95, 15, 0, 0,   0,   0,   0,   0, 0, 0x8d, 3, 0,  0,
                                        0,    0, 0,    0,  0, 'a', 'b', 'c', 'r', 1, 0, 0,    0, '.'})),
            "abc");
  // UTF-8 is kept as is; trailing bytes after STOP are ignored (as pickle.loads does).
  EXPECT_EQ(lcb::unpickle_string(bytes({0x80, 5, 0x8c, 2, 0xc3, 0xa9, 0x94, '.', 'z'})), "\xc3\xa9");
}

TEST(LcbPickle, RejectsEverythingThatIsNotASingleString) {
  const json v = vectors();
  const std::string global = lcb::zlib_decompress(lcb::base64_decode(v["hostile"]["global_reduce"].get<std::string>()));
  EXPECT_NE(error_of([&] { lcb::unpickle_string(global); }).find("refusing opcode 0x93 (STACK_GLOBAL)"),
            std::string::npos);
  const std::string list = lcb::zlib_decompress(lcb::base64_decode(v["hostile"]["list"].get<std::string>()));
  EXPECT_NE(error_of([&] { lcb::unpickle_string(list); }).find("EMPTY_LIST"), std::string::npos);
  const std::string proto0 = lcb::zlib_decompress(lcb::base64_decode(v["hostile"]["protocol0"].get<std::string>()));
  EXPECT_NE(error_of([&] { lcb::unpickle_string(proto0); }).find("(UNICODE)"), std::string::npos);
  // GLOBAL 'os\nsystem' + REDUCE, protocol 2
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 2, 'c', 'o', 's', '\n', 's', 'y', 's', '\n', 'R', '.'}));
            }).find("(GLOBAL)"),
            std::string::npos);
  EXPECT_NE(error_of([] { lcb::unpickle_string(bytes({0x80, 1, '.'})); }).find("protocol 1"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::unpickle_string(bytes({0x80, 4, '.'})); }).find("empty stack"), std::string::npos);
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 4, 0x8c, 1, 'a', 0x8c, 1, 'b', '.'}));
            }).find("2 objects"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 4, 0x8c, 9, 'a'}));
            }).find("truncated string"),
            std::string::npos);
  EXPECT_NE(error_of([] { lcb::unpickle_string(bytes({0x80, 4, 0x8c, 1, 'a'})); }).find("no STOP"), std::string::npos);
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 4, 0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '.'}));
            }).find("truncated string"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 4, 0x8c, 1, 0xff, '.'}));
            }).find("not valid UTF-8"),
            std::string::npos);
  EXPECT_NE(error_of([] {
              lcb::unpickle_string(bytes({0x80, 4, 0x95, 0xff, 0, 0, 0, 0, 0, 0, 0, '.'}));
            }).find("overruns"),
            std::string::npos);
}

TEST(LcbPickle, PrivateTestsFieldAcceptsJsonAndNamesTheFailingStage) {
  EXPECT_EQ(lcb::decode_private_tests("[{\"input\": \"1\", \"output\": \"2\", \"testtype\": \"stdin\"}]"),
            "[{\"input\": \"1\", \"output\": \"2\", \"testtype\": \"stdin\"}]");
  EXPECT_NE(error_of([] { lcb::decode_private_tests("[not json"); }).find("(base64 stage)"), std::string::npos);
  EXPECT_NE(error_of([] { lcb::decode_private_tests("aGVsbG8="); }).find("(zlib stage)"), std::string::npos);
  const json v = vectors();
  EXPECT_NE(error_of([&] {
              lcb::decode_private_tests(v["hostile"]["global_reduce"].get<std::string>());
            }).find("(pickle stage)"),
            std::string::npos);
}

TEST(LcbCodec, Base64EncodesWhatPythonEncodesAndRoundTripsEveryLength) {
  EXPECT_EQ(lcb::base64_encode(""), "");
  EXPECT_EQ(lcb::base64_encode("Man"), "TWFu");
  EXPECT_EQ(lcb::base64_encode("Ma"), "TWE=");
  EXPECT_EQ(lcb::base64_encode("M"), "TQ==");
  EXPECT_EQ(lcb::base64_encode(bytes({0xfb, 0xff, 0xbf})), "+/+/");
  std::string data;
  for (int n = 0; n < 300; ++n) {
    ASSERT_EQ(lcb::base64_decode(lcb::base64_encode(data)), data) << n << " bytes";
    data.push_back(static_cast<char>((n * 131 + 7) & 0xff));  // every byte value turns up
  }
}

TEST(LcbCodec, ZlibRoundTrips) {
  for (const std::string& text :
       {std::string(), std::string("a"), std::string(100000, 'z'), bytes({0, 0xff, 0x80, 1})}) {
    const std::string packed = lcb::zlib_compress(text);
    EXPECT_EQ(lcb::zlib_decompress(packed), text);
  }
  EXPECT_LT(lcb::zlib_compress(std::string(100000, 'z')).size(), 1000u);
}

TEST(LcbCodec, PickleWritesWhatPythonWritesForProtocol4) {
  const json v = vectors();
  int checked = 0;
  for (const auto& c : v["valid"]) {
    if (c["protocol"].get<int>() != 4) continue;
    const std::string python = lcb::zlib_decompress(lcb::base64_decode(c["encoded"].get<std::string>()));
    EXPECT_EQ(lcb::pickle_string(c["text"].get<std::string>()), python);
    ++checked;
  }
  EXPECT_EQ(checked, 2);  // SHORT_BINUNICODE and BINUNICODE
}

TEST(LcbCodec, PickleRoundTripsShortLongAndUtf8) {
  for (const std::string& text : {std::string(), std::string("hi"), std::string(255, 'a'), std::string(256, 'b'),
                                  std::string(70000, 'x'), std::string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e")}) {
    EXPECT_EQ(lcb::unpickle_string(lcb::pickle_string(text)), text) << text.size() << " bytes";
  }
}

TEST(LcbCodec, PrivateTestsRoundTrip) {
  const std::string tests = R"([{"input": "1\n2\n", "output": "3\n", "testtype": "stdin"}])";
  const std::string field = lcb::encode_private_tests(tests);
  EXPECT_EQ(field.find('['), std::string::npos);  // the encoded form, not JSON
  EXPECT_EQ(lcb::decode_private_tests(field), tests);
  const json v = vectors();
  for (const auto& c : v["valid"]) {
    const std::string text = lcb::decode_private_tests(c["encoded"].get<std::string>());
    EXPECT_EQ(lcb::decode_private_tests(lcb::encode_private_tests(text)), text);
  }
}
