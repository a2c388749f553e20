// Turns the bytes of an hour file into lines: gunzips them when the file is
// gzip-compressed and splits the text at '\n', streaming, so memory stays at
// one buffer of a few hundred KiB plus the longest line.
//
//   LineDecoder decoder(handler);   // handler.OnLine is called per line
//   source.Fetch(hour, decoder, cancel);
//   absl::Status status = decoder.Finish();  // detects truncated gzip
#ifndef GHLOADER_ARCHIVE_LINE_DECODER_H_
#define GHLOADER_ARCHIVE_LINE_DECODER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "archive/source.h"

struct inflate_state;

namespace ghloader {

// Readable bytes guaranteed after every line passed to LineHandler::OnLine.
// simdjson reads up to 64 bytes past the end of a document.
inline constexpr size_t kLinePaddingBytes = 64;

// Receives the lines of one hour file, numbered from 1.
class LineHandler {
 public:
  virtual ~LineHandler() = default;

  // `line` excludes the line end ("\n" or "\r\n") and is followed by at least
  // kLinePaddingBytes readable bytes. An error stops decoding the file.
  virtual absl::Status OnLine(std::string_view line, int64_t line_number) = 0;

  // Called instead of OnLine for a line longer than the decoder's maximum;
  // its bytes are skipped. `prefix` contains its first bytes.
  virtual absl::Status OnOversizedLine(std::string_view prefix,
                                       int64_t line_number) = 0;
};

struct LineDecoderOptions {
  size_t buffer_bytes = 256 * 1024;
  size_t max_line_bytes = 64 * 1024 * 1024;
};

class LineDecoder final : public ByteSink {
 public:
  explicit LineDecoder(LineHandler& handler, LineDecoderOptions options = {});
  ~LineDecoder() override;

  LineDecoder(const LineDecoder&) = delete;
  LineDecoder& operator=(const LineDecoder&) = delete;

  // Starts a new file; any state of a previous file is dropped.
  absl::Status Begin(const HourFileInfo& info) override;
  absl::Status Write(std::string_view bytes) override;

  // Ends the file: fails if a gzip stream stopped before its end marker or
  // the file was empty, then passes a last line that had no '\n'.
  absl::Status Finish();

  int64_t compressed_bytes() const { return compressed_bytes_; }
  int64_t decompressed_bytes() const { return decompressed_bytes_; }
  int64_t lines() const { return line_number_; }

 private:
  absl::Status WriteGzip(std::string_view bytes);
  absl::Status InflateMember(std::string_view& bytes);
  absl::Status StartMember(std::string_view& bytes);
  absl::Status AppendPlain(std::string_view bytes);
  absl::Status SplitLines();
  absl::Status MakeRoom();
  absl::Status EmitLine(size_t begin, size_t end);
  absl::Status GzipError(std::string_view what) const;

  LineHandler& handler_;
  LineDecoderOptions options_;
  HourFileInfo info_;

  std::unique_ptr<inflate_state> inflate_;
  bool in_member_ = false;       // Inside a gzip member, before its trailer.
  bool member_finished_ = false; // At least one member ended cleanly.
  std::string magic_probe_;      // First bytes of a member, until 2 are seen.

  // buffer_[0, filled_) contains decompressed text not yet split into lines;
  // bytes before scanned_ are known to contain no '\n'.
  std::vector<char> buffer_;
  size_t capacity_ = 0;
  size_t filled_ = 0;
  size_t scanned_ = 0;
  bool skipping_oversized_ = false;

  int64_t compressed_bytes_ = 0;
  int64_t decompressed_bytes_ = 0;
  int64_t line_number_ = 0;
};

}  // namespace ghloader

#endif  // GHLOADER_ARCHIVE_LINE_DECODER_H_
