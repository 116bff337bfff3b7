#include "hrm/data/shard.hpp"

#include <gtest/gtest.h>

#include <random>

#include "data_test_util.hpp"

namespace {

namespace fs = std::filesystem;
using namespace hrm::test_support;

struct Doc {
  std::vector<int32_t> ids;
  std::vector<uint8_t> mask;
};

std::vector<Doc> random_docs(size_t n, int vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Doc> docs(n);
  for (auto& d : docs) {
    const size_t len = 1 + rng() % 90;
    for (size_t i = 0; i < len; ++i) {
      d.ids.push_back(static_cast<int32_t>(rng() % static_cast<uint32_t>(vocab)));
      d.mask.push_back(rng() % 3 != 0);
    }
  }
  return docs;
}

TEST(Shards, ReaderGivesBackExactlyTheDocumentsWritten) {
  for (int vocab : {600, 70000}) {  // uint16 and uint32 tokens
    SCOPED_TRACE(vocab);
    const auto dir = scratch_dir("shards-" + std::to_string(vocab));
    const auto docs = random_docs(200, vocab, 11);
    hrm::ShardWriter::Options o;
    o.vocab_size = vocab;
    o.seq_len = 64;
    o.max_shard_tokens = 1000;  // several shards
    hrm::ShardWriter w(dir, o);
    uint64_t total = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      w.add(docs[i].ids, docs[i].mask, static_cast<uint32_t>(i % 6));
      total += docs[i].ids.size();
    }
    w.finish();

    const auto r = hrm::ShardReader::open(dir);
    EXPECT_EQ(r.token_bytes(), vocab <= 65536 ? 2 : 4);
    EXPECT_TRUE(fs::exists(dir / "shard-00003.bin"));
    EXPECT_EQ(r.num_documents(), 200);
    EXPECT_EQ(r.num_tokens(), static_cast<int64_t>(total));
    EXPECT_EQ(r.vocab_size(), vocab);
    EXPECT_EQ(r.seq_len(), 64);
    std::vector<int32_t> ids;
    std::vector<uint8_t> mask;
    std::vector<int32_t> stream;
    std::vector<uint8_t> stream_mask;
    for (int64_t d = 0; d < r.num_documents(); ++d) {
      r.read_document(d, ids, mask);
      ASSERT_EQ(ids, docs[static_cast<size_t>(d)].ids) << d;
      ASSERT_EQ(mask, docs[static_cast<size_t>(d)].mask) << d;
      EXPECT_EQ(r.document(d).language, static_cast<uint32_t>(d % 6));
      stream.insert(stream.end(), ids.begin(), ids.end());
      stream_mask.insert(stream_mask.end(), mask.begin(), mask.end());
    }
    // Windows of any length cut the concatenated stream exactly, across shard boundaries too.
    for (int64_t L : {1, 7, 64, 65, 999}) {
      std::vector<int32_t> t(static_cast<size_t>(L));
      std::vector<uint8_t> m(static_cast<size_t>(L));
      ASSERT_EQ(r.num_sequences(L), static_cast<int64_t>(total) / L);
      for (int64_t i = 0; i < r.num_sequences(L); ++i) {
        r.read(i, L, t.data(), m.data());
        ASSERT_TRUE(std::equal(t.begin(), t.end(), stream.begin() + i * L)) << "L=" << L << " i=" << i;
        ASSERT_TRUE(std::equal(m.begin(), m.end(), stream_mask.begin() + i * L)) << "L=" << L << " i=" << i;
      }
      EXPECT_THROW(r.read(r.num_sequences(L), L, t.data(), m.data()), hrm::Error);
    }
    std::vector<int32_t> t(10);
    r.read_window(static_cast<int64_t>(total) - 10, 10, t.data(), nullptr);
    EXPECT_TRUE(std::equal(t.begin(), t.end(), stream.end() - 10));
  }
}

TEST(Shards, UnpackedDocumentsArePaddedToWholeSequences) {
  const auto dir = scratch_dir("shards-padded");
  hrm::ShardWriter::Options o;
  o.vocab_size = 100;
  o.seq_len = 8;
  o.packing = false;
  o.pad_id = 0;
  hrm::ShardWriter w(dir, o);
  w.add({5, 6, 7}, {0, 1, 1});
  w.add({9, 9, 9, 9, 9, 9, 9, 9, 9, 9}, std::vector<uint8_t>(10, 1));
  w.finish();
  const auto r = hrm::ShardReader::open(dir);
  EXPECT_FALSE(r.packing());
  ASSERT_EQ(r.num_sequences(8), 3);  // 3 -> 8, 10 -> 16
  std::vector<int32_t> t(8);
  std::vector<uint8_t> m(8);
  r.read(0, 8, t.data(), m.data());
  EXPECT_EQ(t, (std::vector<int32_t>{5, 6, 7, 0, 0, 0, 0, 0}));
  EXPECT_EQ(m, (std::vector<uint8_t>{0, 1, 1, 0, 0, 0, 0, 0}));
  r.read(2, 8, t.data(), m.data());
  EXPECT_EQ(t, (std::vector<int32_t>{9, 9, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(m, (std::vector<uint8_t>{1, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r.document(1).begin, 8u);
  EXPECT_EQ(r.document(1).end, 18u);
}

TEST(Shards, WriterRejectsBadDocuments) {
  const auto dir = scratch_dir("shards-bad-docs");
  hrm::ShardWriter::Options o;
  o.vocab_size = 10;
  hrm::ShardWriter w(dir, o);
  EXPECT_NE(error_of([&] {
              w.add({1, 10}, {1, 1});
            }).find("token id 10 outside the vocabulary of 10"),
            std::string::npos);
  EXPECT_NE(error_of([&] { w.add({1, 2}, {1}); }).find("2 tokens but 1 loss mask"), std::string::npos);
}

TEST(Shards, DamagedShardSetsAreRefusedWithTheFileNamed) {
  const auto dir = scratch_dir("shards-damaged");
  hrm::ShardWriter::Options o;
  o.vocab_size = 100;
  hrm::ShardWriter w(dir, o);
  w.add({1, 2, 3, 4}, {1, 1, 1, 1});
  w.finish();
  EXPECT_NO_THROW(hrm::ShardReader::open(dir));
  fs::resize_file(dir / "shard-00000.bin", 6);
  auto msg = error_of([&] { hrm::ShardReader::open(dir); });
  EXPECT_NE(msg.find("shard-00000.bin: 6 bytes, expected 8"), std::string::npos) << msg;
  hrm::write_file_atomic(dir / "shard-00000.idx", "HRMSHRDX" + std::string(40, '\0'));
  msg = error_of([&] { hrm::ShardReader::open(dir); });
  EXPECT_NE(msg.find("shard-00000.idx: not an hrm shard index"), std::string::npos) << msg;
  fs::remove(dir / "dataset.json");
  msg = error_of([&] { hrm::ShardReader::open(dir); });
  EXPECT_NE(msg.find("dataset.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("hrm-data build"), std::string::npos) << msg;
}

}  // namespace
