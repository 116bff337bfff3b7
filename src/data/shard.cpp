#include "hrm/data/shard.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hrm/util/error.hpp"
#include "hrm/util/fs.hpp"

namespace hrm {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'H', 'R', 'M', 'S', 'H', 'R', 'D', '1'};
constexpr uint32_t kVersion = 1;

#pragma pack(push, 1)
struct IndexHeader {
  char magic[8];
  uint32_t version;
  uint32_t token_bytes;
  uint64_t num_tokens;
  uint64_t num_documents;
  uint64_t num_spans;
};
struct DocEntry {
  uint64_t begin, end;
  uint32_t language, prompt_length;
};
struct SpanEntry {
  uint64_t begin, end;
};
#pragma pack(pop)
static_assert(sizeof(IndexHeader) == 40 && sizeof(DocEntry) == 24 && sizeof(SpanEntry) == 16);

std::string shard_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shard-%05zu", i);
  return buf;
}

template <typename T>
void put(std::ofstream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

// A read-only memory map of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const fs::path& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw Error("cannot open shard file '" + path.string() + "': " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw Error("cannot stat '" + path.string() + "': " + std::strerror(errno));
    size_ = static_cast<size_t>(st.st_size);
    if (size_ > 0) {
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd_, 0);
      if (p == MAP_FAILED) throw Error("cannot mmap '" + path.string() + "': " + std::strerror(errno));
      data_ = static_cast<const char*>(p);
    }
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
    if (fd_ >= 0) ::close(fd_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  int fd_ = -1;
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------- writer

struct ShardWriter::Impl {
  fs::path dir;
  Options options;
  int token_bytes = 2;
  std::vector<nlohmann::json> shards;
  // The shard being written: tokens stream to disk, the index is kept until the shard closes.
  std::ofstream bin;
  uint64_t tokens = 0;
  std::vector<DocEntry> docs;
  std::vector<SpanEntry> spans;
  bool finished = false;

  void open_shard() {
    const auto path = dir / (shard_name(shards.size()) + ".bin");
    bin.open(path, std::ios::binary | std::ios::trunc);
    if (!bin) throw Error("cannot write '" + path.string() + "'", "check that the output directory is writable");
    tokens = 0;
    docs.clear();
    spans.clear();
  }

  void close_shard() {
    const auto name = shard_name(shards.size());
    bin.close();
    if (!bin) throw Error("error writing '" + (dir / (name + ".bin")).string() + "' (disk full?)");
    const auto idx_path = dir / (name + ".idx");
    std::ofstream idx(idx_path, std::ios::binary | std::ios::trunc);
    IndexHeader h{};
    std::memcpy(h.magic, kMagic, 8);
    h.version = kVersion;
    h.token_bytes = static_cast<uint32_t>(token_bytes);
    h.num_tokens = tokens;
    h.num_documents = docs.size();
    h.num_spans = spans.size();
    put(idx, h);
    idx.write(reinterpret_cast<const char*>(docs.data()), static_cast<std::streamsize>(docs.size() * sizeof(DocEntry)));
    idx.write(reinterpret_cast<const char*>(spans.data()),
              static_cast<std::streamsize>(spans.size() * sizeof(SpanEntry)));
    idx.close();
    if (!idx) throw Error("error writing '" + idx_path.string() + "' (disk full?)");
    shards.push_back({{"name", name}, {"tokens", tokens}, {"documents", docs.size()}});
  }

  void write_tokens(const int32_t* ids, size_t n) {
    if (token_bytes == 2) {
      std::vector<uint16_t> buf(ids, ids + n);
      bin.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n * 2));
    } else {
      std::vector<uint32_t> buf(ids, ids + n);
      bin.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n * 4));
    }
    tokens += n;
  }

  void add_span(uint64_t begin, uint64_t end) {
    if (!spans.empty() && spans.back().end == begin) {
      spans.back().end = end;
    } else {
      spans.push_back({begin, end});
    }
  }
};

ShardWriter::ShardWriter(const fs::path& dir, Options options) : impl_(std::make_unique<Impl>()) {
  if (options.vocab_size <= 0) throw Error("ShardWriter: vocab_size must be positive");
  if (!options.packing && options.seq_len <= 0) throw Error("ShardWriter: seq_len must be positive without packing");
  impl_->dir = dir;
  impl_->options = options;
  impl_->token_bytes = options.vocab_size <= 65536 ? 2 : 4;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create shard directory '" + dir.string() + "': " + ec.message());
  // A stale manifest must not describe the new shards.
  fs::remove(dir / "dataset.json", ec);
  impl_->open_shard();
}

ShardWriter::~ShardWriter() = default;

void ShardWriter::add(const std::vector<int32_t>& tokens, const std::vector<uint8_t>& loss_mask, uint32_t language,
                      uint32_t prompt_length) {
  auto& m = *impl_;
  if (m.finished) throw Error("ShardWriter::add after finish()");
  if (tokens.size() != loss_mask.size()) {
    throw Error("ShardWriter: " + std::to_string(tokens.size()) + " tokens but " + std::to_string(loss_mask.size()) +
                " loss mask entries");
  }
  for (int32_t id : tokens) {
    if (id < 0 || id >= m.options.vocab_size) {
      throw Error("ShardWriter: token id " + std::to_string(id) + " outside the vocabulary of " +
                  std::to_string(m.options.vocab_size));
    }
  }
  uint64_t padded = tokens.size();
  if (!m.options.packing) {
    const uint64_t L = static_cast<uint64_t>(m.options.seq_len);
    padded = std::max<uint64_t>(1, (tokens.size() + L - 1) / L) * L;
  }
  if (m.tokens > 0 && m.tokens + padded > m.options.max_shard_tokens) {
    m.close_shard();
    m.open_shard();
  }
  const uint64_t begin = m.tokens;
  m.write_tokens(tokens.data(), tokens.size());
  for (size_t i = 0; i < loss_mask.size();) {
    if (!loss_mask[i]) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < loss_mask.size() && loss_mask[j]) ++j;
    m.add_span(begin + i, begin + j);
    i = j;
  }
  m.docs.push_back({begin, begin + tokens.size(), language, prompt_length});
  if (padded > tokens.size()) {
    const std::vector<int32_t> pad(padded - tokens.size(), m.options.pad_id);
    m.write_tokens(pad.data(), pad.size());
  }
  total_tokens_ += padded;
  ++total_documents_;
}

void ShardWriter::finish() {
  auto& m = *impl_;
  if (m.finished) return;
  m.finished = true;
  m.close_shard();
  nlohmann::json manifest = {{"format", "hrm-shards"},
                             {"version", kVersion},
                             {"vocab_size", m.options.vocab_size},
                             {"token_bytes", m.token_bytes},
                             {"seq_len", m.options.seq_len},
                             {"packing", m.options.packing},
                             {"pad_id", m.options.pad_id},
                             {"num_tokens", total_tokens_},
                             {"num_documents", total_documents_},
                             {"shards", m.shards}};
  write_file_atomic(m.dir / "dataset.json", manifest.dump(2) + "\n");
}

// ---------------------------------------------------------------------------------------------- reader

struct ShardReader::Impl {
  struct Shard {
    std::unique_ptr<MappedFile> bin, idx;
    uint64_t tokens = 0, num_docs = 0, num_spans = 0;
    const DocEntry* docs = nullptr;
    const SpanEntry* spans = nullptr;
  };
  fs::path dir;
  int vocab_size = 0, seq_len = 0, pad_id = 0, token_bytes = 2;
  bool packing = true;
  std::vector<Shard> shards;
  std::vector<uint64_t> token_start;  // stream offset of each shard, plus the total at the end
  std::vector<uint64_t> doc_start;    // first global document index of each shard, plus the total

  void copy(const Shard& s, uint64_t begin, uint64_t n, int32_t* tokens, uint8_t* mask) const {
    if (token_bytes == 2) {
      const auto* p = reinterpret_cast<const uint16_t*>(s.bin->data()) + begin;
      for (uint64_t i = 0; i < n; ++i) tokens[i] = static_cast<int32_t>(p[i]);
    } else {
      const auto* p = reinterpret_cast<const uint32_t*>(s.bin->data()) + begin;
      for (uint64_t i = 0; i < n; ++i) tokens[i] = static_cast<int32_t>(p[i]);
    }
    if (!mask) return;
    std::fill(mask, mask + n, uint8_t{0});
    const uint64_t end = begin + n;
    // First span that ends after `begin`.
    const SpanEntry* it = std::upper_bound(s.spans, s.spans + s.num_spans, begin,
                                           [](uint64_t v, const SpanEntry& sp) { return v < sp.end; });
    for (; it != s.spans + s.num_spans && it->begin < end; ++it) {
      const uint64_t b = std::max(it->begin, begin), e = std::min(it->end, end);
      std::fill(mask + (b - begin), mask + (e - begin), uint8_t{1});
    }
  }
};

ShardReader::ShardReader() : impl_(std::make_unique<Impl>()) {}
ShardReader::ShardReader(ShardReader&&) noexcept = default;
ShardReader& ShardReader::operator=(ShardReader&&) noexcept = default;
ShardReader::~ShardReader() = default;

ShardReader ShardReader::open(const fs::path& dir) {
  ShardReader r;
  auto& m = *r.impl_;
  m.dir = dir;
  const auto manifest_path = dir / "dataset.json";
  nlohmann::json manifest;
  try {
    manifest = nlohmann::json::parse(read_file(manifest_path));
  } catch (const Error& e) {
    throw Error("cannot open shard set: " + e.message(),
                "build one with `hrm-data build --config <yaml>`; pass its train/ or validation/ directory");
  } catch (const nlohmann::json::exception& e) {
    throw Error(manifest_path.string() + ": not valid JSON: " + e.what());
  }
  try {
    if (manifest.at("format") != "hrm-shards") throw Error(manifest_path.string() + ": not an hrm shard manifest");
    if (manifest.at("version").get<uint32_t>() != kVersion) {
      throw Error(manifest_path.string() + ": shard format version " + manifest.at("version").dump() +
                      ", this build reads " + std::to_string(kVersion),
                  "rebuild the shards with this hrm-data");
    }
    m.vocab_size = manifest.at("vocab_size").get<int>();
    m.seq_len = manifest.at("seq_len").get<int>();
    m.pad_id = manifest.at("pad_id").get<int>();
    m.packing = manifest.at("packing").get<bool>();
    m.token_bytes = manifest.at("token_bytes").get<int>();
    m.token_start.push_back(0);
    m.doc_start.push_back(0);
    for (const auto& entry : manifest.at("shards")) {
      const std::string name = entry.at("name").get<std::string>();
      Impl::Shard s;
      s.idx = std::make_unique<MappedFile>(dir / (name + ".idx"));
      s.bin = std::make_unique<MappedFile>(dir / (name + ".bin"));
      const auto bad = [&](const std::string& what) {
        return Error(s.idx->path().string() + ": " + what, "the shard set is damaged or incomplete; rebuild it");
      };
      if (s.idx->size() < sizeof(IndexHeader)) throw bad("too short for an index header");
      IndexHeader h;
      std::memcpy(&h, s.idx->data(), sizeof h);
      if (std::memcmp(h.magic, kMagic, 8) != 0) throw bad("not an hrm shard index (bad magic)");
      if (h.version != kVersion || static_cast<int>(h.token_bytes) != m.token_bytes)
        throw bad("version or token width differs from dataset.json");
      if (h.num_tokens != entry.at("tokens").get<uint64_t>()) throw bad("token count differs from dataset.json");
      if (s.idx->size() != sizeof(IndexHeader) + h.num_documents * sizeof(DocEntry) + h.num_spans * sizeof(SpanEntry)) {
        throw bad("size does not match its header");
      }
      if (s.bin->size() != h.num_tokens * h.token_bytes) {
        throw Error(s.bin->path().string() + ": " + std::to_string(s.bin->size()) + " bytes, expected " +
                        std::to_string(h.num_tokens * h.token_bytes),
                    "the shard set is damaged or incomplete; rebuild it");
      }
      s.tokens = h.num_tokens;
      s.num_docs = h.num_documents;
      s.num_spans = h.num_spans;
      s.docs = reinterpret_cast<const DocEntry*>(s.idx->data() + sizeof(IndexHeader));
      s.spans =
          reinterpret_cast<const SpanEntry*>(s.idx->data() + sizeof(IndexHeader) + h.num_documents * sizeof(DocEntry));
      m.token_start.push_back(m.token_start.back() + s.tokens);
      m.doc_start.push_back(m.doc_start.back() + s.num_docs);
      m.shards.push_back(std::move(s));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(manifest_path.string() + ": missing or mistyped field: " + e.what(),
                "rebuild the shards with hrm-data build");
  }
  return r;
}

int ShardReader::vocab_size() const { return impl_->vocab_size; }
int ShardReader::seq_len() const { return impl_->seq_len; }
bool ShardReader::packing() const { return impl_->packing; }
int ShardReader::pad_id() const { return impl_->pad_id; }
int ShardReader::token_bytes() const { return impl_->token_bytes; }
int64_t ShardReader::num_tokens() const { return static_cast<int64_t>(impl_->token_start.back()); }
int64_t ShardReader::num_documents() const { return static_cast<int64_t>(impl_->doc_start.back()); }

int64_t ShardReader::num_sequences(int64_t length) const {
  if (length <= 0) throw Error("ShardReader: sequence length must be positive, got " + std::to_string(length));
  return num_tokens() / length;
}

void ShardReader::read(int64_t index, int64_t length, int32_t* tokens, uint8_t* loss_mask) const {
  if (index < 0 || index >= num_sequences(length)) {
    throw Error("ShardReader: sequence " + std::to_string(index) + " of length " + std::to_string(length) +
                " is out of range (" + std::to_string(num_sequences(length)) + " sequences in " + impl_->dir.string() +
                ")");
  }
  read_window(index * length, length, tokens, loss_mask);
}

void ShardReader::read_window(int64_t start, int64_t length, int32_t* tokens, uint8_t* loss_mask) const {
  const auto& m = *impl_;
  if (start < 0 || length < 0 || start + length > num_tokens()) {
    throw Error("ShardReader: window [" + std::to_string(start) + ", " + std::to_string(start + length) +
                ") is outside the " + std::to_string(num_tokens()) + " tokens of " + m.dir.string());
  }
  uint64_t pos = static_cast<uint64_t>(start), left = static_cast<uint64_t>(length);
  size_t s =
      static_cast<size_t>(std::upper_bound(m.token_start.begin(), m.token_start.end(), pos) - m.token_start.begin()) -
      1;
  while (left > 0) {
    const uint64_t local = pos - m.token_start[s];
    const uint64_t n = std::min(left, m.shards[s].tokens - local);
    m.copy(m.shards[s], local, n, tokens, loss_mask);
    tokens += n;
    if (loss_mask) loss_mask += n;
    pos += n;
    left -= n;
    ++s;
  }
}

ShardReader::Document ShardReader::document(int64_t d) const {
  const auto& m = *impl_;
  if (d < 0 || d >= num_documents()) {
    throw Error("ShardReader: document " + std::to_string(d) + " is out of range (" + std::to_string(num_documents()) +
                ")");
  }
  const size_t s =
      static_cast<size_t>(std::upper_bound(m.doc_start.begin(), m.doc_start.end(), static_cast<uint64_t>(d)) -
                          m.doc_start.begin()) -
      1;
  const DocEntry& e = m.shards[s].docs[static_cast<uint64_t>(d) - m.doc_start[s]];
  return {s, e.begin, e.end, e.language, e.prompt_length};
}

void ShardReader::read_document(int64_t d, std::vector<int32_t>& tokens, std::vector<uint8_t>& loss_mask) const {
  const auto doc = document(d);
  const auto n = doc.end - doc.begin;
  tokens.resize(n);
  loss_mask.resize(n);
  impl_->copy(impl_->shards[doc.shard], doc.begin, n, tokens.data(), loss_mask.data());
}

}  // namespace hrm
