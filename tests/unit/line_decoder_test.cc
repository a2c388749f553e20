// Tests for LineDecoder: gunzip and line splitting of hour files, including
// damaged gzip streams. The gzip input is made here with zlib, a different
// implementation from the ISA-L inflater under test.
#include "archive/line_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "common/strings.h"

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

// Compresses `text` into one gzip member.
std::string Gzip(std::string_view text, int level = Z_DEFAULT_COMPRESSION) {
  z_stream stream{};
  // 15 + 16: the largest window, with a gzip header and trailer.
  EXPECT_EQ(deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 64, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// Text that compresses poorly, so that a gzip file has many deflate blocks.
std::string NoisyLines(int count) {
  std::string text;
  uint32_t state = 12345;
  for (int i = 0; i < count; ++i) {
    text += Concat("{\"n\":", i, ",\"noise\":\"");
    for (int j = 0; j < 80; ++j) {
      state = state * 1103515245u + 12345u;
      text.push_back(static_cast<char>('a' + (state >> 16) % 26));
    }
    text += "\"}\n";
  }
  return text;
}

std::vector<std::string> SplitAtNewlines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Records what the decoder passes on, and checks the padding promise.
class RecordingHandler final : public LineHandler {
 public:
  absl::Status OnLine(std::string_view line, int64_t line_number) override {
    // The decoder promises kLinePaddingBytes readable bytes after each line;
    // under AddressSanitizer a short buffer fails here.
    char padding[kLinePaddingBytes];
    std::memcpy(padding, line.data() + line.size(), kLinePaddingBytes);
    lines.emplace_back(line);
    line_numbers.push_back(line_number);
    return absl::OkStatus();
  }

  absl::Status OnOversizedLine(std::string_view prefix, int64_t line_number) override {
    oversized_prefixes.emplace_back(prefix);
    oversized_line_numbers.push_back(line_number);
    return absl::OkStatus();
  }

  std::vector<std::string> lines;
  std::vector<int64_t> line_numbers;
  std::vector<std::string> oversized_prefixes;
  std::vector<int64_t> oversized_line_numbers;
};

struct DecodeResult {
  absl::Status write;   // The first failed Write, or OK.
  absl::Status finish;  // Finish, run only when every Write succeeded.
  int64_t lines = 0;
  int64_t compressed_bytes = 0;
  int64_t decompressed_bytes = 0;
};

// Feeds `bytes` to a decoder in chunks of `chunk_bytes` (0: all at once).
DecodeResult Decode(LineDecoder& decoder, std::string_view bytes, bool gzip,
                    size_t chunk_bytes = 0) {
  DecodeResult result;
  EXPECT_TRUE(decoder.Begin({"memory/test.json.gz", gzip}).ok());
  if (chunk_bytes == 0) chunk_bytes = bytes.empty() ? 1 : bytes.size();
  for (size_t offset = 0; offset < bytes.size() && result.write.ok(); offset += chunk_bytes) {
    result.write = decoder.Write(bytes.substr(offset, chunk_bytes));
  }
  if (result.write.ok()) result.finish = decoder.Finish();
  result.lines = decoder.lines();
  result.compressed_bytes = decoder.compressed_bytes();
  result.decompressed_bytes = decoder.decompressed_bytes();
  return result;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

std::filesystem::path SamplesDir() {
  const char* data = std::getenv("GHARCHIVE_DATA");
  return data != nullptr ? std::filesystem::path(data) : std::filesystem::path();
}

TEST(LineDecoderTest, GzipLinesInOrder) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  std::string text = "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n";
  DecodeResult result = Decode(decoder, Gzip(text), true);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}"));
  EXPECT_THAT(handler.line_numbers, ElementsAre(1, 2, 3));
  EXPECT_EQ(result.lines, 3);
  EXPECT_EQ(result.decompressed_bytes, static_cast<int64_t>(text.size()));
  EXPECT_EQ(result.compressed_bytes, static_cast<int64_t>(Gzip(text).size()));
}

TEST(LineDecoderTest, EmptyGzipFileFails) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, "", true);
  ASSERT_TRUE(result.write.ok());
  ASSERT_FALSE(result.finish.ok());
  EXPECT_EQ(result.finish.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.finish), HasSubstr("memory/test.json.gz"));
  EXPECT_THAT(Message(result.finish), HasSubstr("empty"));
  EXPECT_THAT(handler.lines, IsEmpty());
}

TEST(LineDecoderTest, GzipOfEmptyTextHasNoLines) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, Gzip(""), true);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_EQ(result.lines, 0);
  EXPECT_THAT(handler.lines, IsEmpty());
}

TEST(LineDecoderTest, EmptyPlainFileHasNoLines) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, "", false);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_EQ(result.lines, 0);
}

TEST(LineDecoderTest, NotGzipFailsOnFirstBytes) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, "AASDSADSDFFSD and more text\n", true);
  ASSERT_FALSE(result.write.ok());
  EXPECT_EQ(result.write.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.write), HasSubstr("not a gzip file"));
  EXPECT_THAT(Message(result.write), HasSubstr("41 41"));
  EXPECT_THAT(Message(result.write), HasSubstr("memory/test.json.gz"));
  // The damage starts at byte 0, so the message gives no later position.
  EXPECT_THAT(Message(result.write), Not(HasSubstr("compressed byte")));
  EXPECT_THAT(handler.lines, IsEmpty());
}

TEST(LineDecoderTest, PlainJsonIsNotMistakenForGzip) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, "{\"x\":1}\n\x1f\x8b not gzip\n", false);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("{\"x\":1}", "\x1f\x8b not gzip"));
}

TEST(LineDecoderTest, TruncatedStreamFailsAtFinish) {
  std::string text = NoisyLines(2000);
  std::string gzip = Gzip(text);
  for (size_t keep : {size_t{1}, size_t{2}, size_t{10}, gzip.size() / 2, gzip.size() - 8,
                      gzip.size() - 1}) {
    RecordingHandler handler;
    LineDecoder decoder(handler);
    DecodeResult result = Decode(decoder, std::string_view(gzip).substr(0, keep), true);
    ASSERT_TRUE(result.write.ok()) << "kept " << keep << ": " << result.write;
    ASSERT_FALSE(result.finish.ok()) << "kept " << keep << " of " << gzip.size();
    EXPECT_EQ(result.finish.code(), absl::StatusCode::kDataLoss);
    EXPECT_THAT(Message(result.finish), HasSubstr("truncated gzip stream"));

    // Lines seen before the cut are whole lines of the original text.
    std::vector<std::string> expected = SplitAtNewlines(text);
    ASSERT_LE(handler.lines.size(), expected.size());
    for (size_t i = 0; i < handler.lines.size(); ++i) {
      ASSERT_EQ(handler.lines[i], expected[i]) << "line " << i + 1 << ", kept " << keep;
    }
  }
}

TEST(LineDecoderTest, CrcMismatchFails) {
  std::string gzip = Gzip("{\"a\":1}\n{\"b\":2}\n");
  // The trailer is CRC-32 then ISIZE, 4 bytes each, little-endian.
  gzip[gzip.size() - 8] = static_cast<char>(gzip[gzip.size() - 8] ^ 0x01);
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  absl::Status failure = result.write.ok() ? result.finish : result.write;
  ASSERT_FALSE(failure.ok());
  EXPECT_EQ(failure.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(failure), HasSubstr("CRC-32"));
}

TEST(LineDecoderTest, LengthMismatchInTrailerFails) {
  std::string gzip = Gzip("{\"a\":1}\n{\"b\":2}\n");
  // ISIZE, the last 4 bytes, is the uncompressed length modulo 2^32.
  gzip[gzip.size() - 4] = static_cast<char>(gzip[gzip.size() - 4] ^ 0x01);
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  absl::Status failure = result.write.ok() ? result.finish : result.write;
  ASSERT_FALSE(failure.ok());
  EXPECT_EQ(failure.code(), absl::StatusCode::kDataLoss);
}

TEST(LineDecoderTest, CorruptDeflateDataFails) {
  std::string gzip = Gzip(NoisyLines(500));
  // Damage the middle of the deflate data. The exact error depends on where
  // the bits land, but it must be an error and never a silent success.
  for (size_t i = gzip.size() / 2; i < gzip.size() / 2 + 16; ++i) gzip[i] = '\xff';
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  absl::Status failure = result.write.ok() ? result.finish : result.write;
  ASSERT_FALSE(failure.ok());
  EXPECT_EQ(failure.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(failure), HasSubstr("corrupt gzip file memory/test.json.gz"));
  EXPECT_THAT(Message(failure), HasSubstr("at or before compressed byte"));
}

TEST(LineDecoderTest, MultiMemberGzipIsOneFile) {
  std::string gzip = Gzip("{\"a\":1}\n{\"b\":2}\n") + Gzip("{\"c\":3}\n") + Gzip("{\"d\":4}\n");
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":2}", "{\"c\":3}", "{\"d\":4}"));
  EXPECT_THAT(handler.line_numbers, ElementsAre(1, 2, 3, 4));
}

TEST(LineDecoderTest, LineContinuesAcrossMembers) {
  // Concatenated gzip members decompress to concatenated text, as with
  // `cat a.gz b.gz | zcat`, so a line may start in one member and end in the next.
  std::string gzip = Gzip("{\"a\":1}\n{\"b\":") + Gzip("2}\n");
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true, 3);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":2}"));
}

TEST(LineDecoderTest, TruncatedSecondMemberFails) {
  std::string second = Gzip("{\"c\":3}\n");
  std::string gzip = Gzip("{\"a\":1}\n") + second.substr(0, second.size() / 2);
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_FALSE(result.finish.ok());
  EXPECT_THAT(Message(result.finish), HasSubstr("truncated gzip stream"));
}

TEST(LineDecoderTest, TrailingZeroPaddingIsIgnored) {
  std::string gzip = Gzip("{\"a\":1}\n") + std::string(512, '\0');
  for (size_t chunk : {size_t{0}, size_t{1}, size_t{7}}) {
    RecordingHandler handler;
    LineDecoder decoder(handler);
    DecodeResult result = Decode(decoder, gzip, true, chunk);
    ASSERT_TRUE(result.write.ok()) << "chunk " << chunk << ": " << result.write;
    ASSERT_TRUE(result.finish.ok()) << "chunk " << chunk << ": " << result.finish;
    EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}"));
  }
}

TEST(LineDecoderTest, GarbageAfterTheStreamFails) {
  std::string gzip = Gzip("{\"a\":1}\n") + "garbage";
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, gzip, true);
  ASSERT_FALSE(result.write.ok());
  EXPECT_EQ(result.write.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.write), HasSubstr("data after the end of the gzip stream"));
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}"));
}

TEST(LineDecoderTest, OneByteAtATimeMatchesOneWrite) {
  std::string text = NoisyLines(300);
  std::string gzip = Gzip(text);

  RecordingHandler whole_handler;
  LineDecoder whole_decoder(whole_handler);
  DecodeResult whole = Decode(whole_decoder, gzip, true);
  ASSERT_TRUE(whole.finish.ok()) << whole.finish;

  RecordingHandler byte_handler;
  LineDecoder byte_decoder(byte_handler);
  DecodeResult bytes = Decode(byte_decoder, gzip, true, 1);
  ASSERT_TRUE(bytes.write.ok()) << bytes.write;
  ASSERT_TRUE(bytes.finish.ok()) << bytes.finish;

  EXPECT_EQ(byte_handler.lines, whole_handler.lines);
  EXPECT_EQ(byte_handler.lines, SplitAtNewlines(text));
  EXPECT_EQ(bytes.decompressed_bytes, static_cast<int64_t>(text.size()));
  EXPECT_EQ(bytes.compressed_bytes, static_cast<int64_t>(gzip.size()));
}

TEST(LineDecoderTest, LinesSplitAcrossChunksAndBufferRefills) {
  // A 64-byte buffer forces lines to straddle both Write calls and refills
  // of the decoder's own buffer, and makes it grow for the long lines.
  std::string text = NoisyLines(50) + std::string(1000, 'x') + "\nshort\n";
  std::vector<std::string> expected = SplitAtNewlines(text);
  for (bool gzip : {true, false}) {
    for (size_t chunk : {size_t{1}, size_t{5}, size_t{63}, size_t{64}, size_t{65}, size_t{4096}}) {
      RecordingHandler handler;
      LineDecoder decoder(handler, {.buffer_bytes = 64, .max_line_bytes = 1 << 20});
      DecodeResult result = Decode(decoder, gzip ? Gzip(text) : text, gzip, chunk);
      ASSERT_TRUE(result.write.ok()) << result.write;
      ASSERT_TRUE(result.finish.ok()) << result.finish;
      EXPECT_EQ(handler.lines, expected) << "gzip " << gzip << ", chunk " << chunk;
    }
  }
}

TEST(LineDecoderTest, LastLineWithoutNewlineIsPassedAtFinish) {
  for (bool gzip : {true, false}) {
    RecordingHandler handler;
    LineDecoder decoder(handler);
    std::string text = "{\"a\":1}\n{\"b\":2}";
    DecodeResult result = Decode(decoder, gzip ? Gzip(text) : text, gzip);
    ASSERT_TRUE(result.finish.ok()) << result.finish;
    EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":2}"));
    EXPECT_THAT(handler.line_numbers, ElementsAre(1, 2));
    EXPECT_EQ(result.lines, 2);
  }
}

TEST(LineDecoderTest, CrlfLineEndsAreStripped) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  std::string text = "{\"a\":1}\r\n{\"b\":\"x\ry\"}\r\n{\"c\":3}\r";
  DecodeResult result = Decode(decoder, Gzip(text), true, 2);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  // Only a '\r' right before the line end goes; one inside a line stays.
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":\"x\ry\"}", "{\"c\":3}"));
}

TEST(LineDecoderTest, EmptyLinesAreNumberedAndPassed) {
  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, "a\n\n\r\nb\n", false);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("a", "", "", "b"));
  EXPECT_THAT(handler.line_numbers, ElementsAre(1, 2, 3, 4));
}

TEST(LineDecoderTest, OversizedLineIsReportedAndSkipped) {
  std::string long_line = "{\"big\":\"" + std::string(500, 'z') + "\"}";
  std::string text = "{\"a\":1}\n" + long_line + "\n{\"b\":2}\n";
  for (bool gzip : {true, false}) {
    for (size_t chunk : {size_t{1}, size_t{10}, size_t{0}}) {
      RecordingHandler handler;
      LineDecoder decoder(handler, {.buffer_bytes = 16, .max_line_bytes = 128});
      DecodeResult result = Decode(decoder, gzip ? Gzip(text) : text, gzip, chunk);
      ASSERT_TRUE(result.write.ok()) << result.write;
      ASSERT_TRUE(result.finish.ok()) << result.finish;
      EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}", "{\"b\":2}"))
          << "gzip " << gzip << ", chunk " << chunk;
      EXPECT_THAT(handler.line_numbers, ElementsAre(1, 3));
      ASSERT_EQ(handler.oversized_line_numbers.size(), 1u);
      EXPECT_EQ(handler.oversized_line_numbers[0], 2);
      ASSERT_FALSE(handler.oversized_prefixes[0].empty());
      EXPECT_TRUE(long_line.starts_with(handler.oversized_prefixes[0]));
      EXPECT_EQ(result.lines, 3);
    }
  }
}

TEST(LineDecoderTest, OversizedLastLineWithoutNewline) {
  std::string text = "{\"a\":1}\n" + std::string(1000, 'q');
  RecordingHandler handler;
  LineDecoder decoder(handler, {.buffer_bytes = 16, .max_line_bytes = 64});
  DecodeResult result = Decode(decoder, text, false, 7);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre("{\"a\":1}"));
  EXPECT_THAT(handler.oversized_line_numbers, ElementsAre(2));
}

TEST(LineDecoderTest, LineOfExactlyMaxBytesIsKept) {
  std::string line(64, 'm');
  RecordingHandler handler;
  LineDecoder decoder(handler, {.buffer_bytes = 16, .max_line_bytes = 128});
  DecodeResult result = Decode(decoder, line + "\n" + line + "\n", false, 3);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_THAT(handler.lines, ElementsAre(line, line));
  EXPECT_THAT(handler.oversized_line_numbers, IsEmpty());
}

TEST(LineDecoderTest, HandlerErrorStopsDecoding) {
  class FailingHandler final : public LineHandler {
   public:
    absl::Status OnLine(std::string_view, int64_t line_number) override {
      ++calls;
      if (line_number == 2) return absl::ResourceExhaustedError("handler is full");
      return absl::OkStatus();
    }
    absl::Status OnOversizedLine(std::string_view, int64_t) override { return absl::OkStatus(); }
    int calls = 0;
  };
  FailingHandler handler;
  LineDecoder decoder(handler);
  ASSERT_TRUE(decoder.Begin({"memory/x.json", false}).ok());
  absl::Status written = decoder.Write("a\nb\nc\nd\n");
  EXPECT_EQ(written.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(handler.calls, 2);
}

TEST(LineDecoderTest, BeginStartsAFreshFile) {
  std::string gzip = Gzip(NoisyLines(200));
  RecordingHandler handler;
  LineDecoder decoder(handler);

  // An attempt cut off mid-stream, as when a download drops...
  ASSERT_TRUE(decoder.Begin({"memory/first-attempt", true}).ok());
  ASSERT_TRUE(decoder.Write(std::string_view(gzip).substr(0, gzip.size() / 2)).ok());

  // ...then a retry from the start must decode the whole file cleanly.
  handler.lines.clear();
  handler.line_numbers.clear();
  DecodeResult retry = Decode(decoder, gzip, true, 1000);
  ASSERT_TRUE(retry.write.ok()) << retry.write;
  ASSERT_TRUE(retry.finish.ok()) << retry.finish;
  EXPECT_EQ(handler.lines.size(), 200u);
  EXPECT_EQ(handler.line_numbers.front(), 1);
  EXPECT_EQ(retry.compressed_bytes, static_cast<int64_t>(gzip.size()));
}

TEST(LineDecoderTest, HighlyCompressibleInputStaysWithinBuffer) {
  // 8 MiB of one repeated line compresses to a few KiB, so each Write makes
  // far more output than the buffer holds.
  std::string line = "{\"type\":\"PushEvent\",\"repeat\":true}";
  std::string text;
  while (text.size() < (8u << 20)) text += line + "\n";
  std::string gzip = Gzip(text, Z_BEST_COMPRESSION);
  RecordingHandler handler;
  LineDecoder decoder(handler, {.buffer_bytes = 4096, .max_line_bytes = 1 << 20});
  DecodeResult result = Decode(decoder, gzip, true, 512);
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_EQ(handler.lines.size(), text.size() / (line.size() + 1));
  EXPECT_EQ(result.decompressed_bytes, static_cast<int64_t>(text.size()));
}

TEST(LineDecoderSamplesTest, CorruptSampleIsNotGzip) {
  std::filesystem::path path =
      SamplesDir() / "intersimone999--gh-archive/corrupt/2015-01-01-11.json.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;

  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, ReadFile(path), true, 1 << 20);
  ASSERT_FALSE(result.write.ok());
  EXPECT_EQ(result.write.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.write), HasSubstr("not a gzip file"));
  EXPECT_THAT(handler.lines, IsEmpty());
}

TEST(LineDecoderSamplesTest, TruncatedSampleKeepsItsTwoLinesAndFails) {
  std::filesystem::path path =
      SamplesDir() / "aureliensld--backend-review-test/truncated-gzip/2024-03-11-1.json.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;

  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, ReadFile(path), true, 100);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_FALSE(result.finish.ok());
  EXPECT_EQ(result.finish.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(Message(result.finish), HasSubstr("truncated gzip stream"));
  // The sample's deflate data contains two whole lines (2,029 bytes) before it stops.
  EXPECT_EQ(handler.lines.size(), 2u);
  EXPECT_EQ(result.decompressed_bytes, 2029);
}

TEST(LineDecoderSamplesTest, CompleteSampleDecodesEveryLine) {
  std::filesystem::path path = SamplesDir() / "intersimone999--gh-archive/2015-01-01-3.json.gz";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "GHARCHIVE_DATA sample missing: " << path;

  RecordingHandler handler;
  LineDecoder decoder(handler);
  DecodeResult result = Decode(decoder, ReadFile(path), true, 65536);
  ASSERT_TRUE(result.write.ok()) << result.write;
  ASSERT_TRUE(result.finish.ok()) << result.finish;
  EXPECT_EQ(result.lines, 5971);
  EXPECT_EQ(result.decompressed_bytes, 12751091);
  for (const std::string& line : handler.lines) {
    ASSERT_FALSE(line.empty());
    ASSERT_EQ(line.front(), '{');
    ASSERT_EQ(line.back(), '}');
  }
}

}  // namespace
}  // namespace ghloader
