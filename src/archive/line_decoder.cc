#include "archive/line_decoder.h"

#include <isa-l/igzip_lib.h>

#include <algorithm>
#include <cstring>

#include "common/strings.h"

// NOTE: gunzip uses ISA-L's igzip rather than zlib because it inflates about
// four times as fast on x86-64 (see docs/benchmarks.md), and decompression is
// the largest share of the CPU time of parsing an hour.

namespace ghloader {
namespace {

constexpr size_t kOversizedPrefixBytes = 200;

const char* InflateErrorText(int code) {
  switch (code) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid back-reference distance";
    case ISAL_INVALID_WRAPPER: return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD: return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM: return "CRC-32 checksum mismatch";
    case ISAL_NEED_DICT: return "stream needs a preset dictionary";
    default: return "inflate error";
  }
}

}  // namespace

LineDecoder::LineDecoder(LineHandler& handler, LineDecoderOptions options)
    : handler_(handler),
      options_(options),
      inflate_(std::make_unique<inflate_state>()),
      capacity_(std::max<size_t>(options.buffer_bytes, 16)) {
  buffer_.assign(capacity_ + kLinePaddingBytes, 0);
}

LineDecoder::~LineDecoder() = default;

absl::Status LineDecoder::Begin(const HourFileInfo& info) {
  info_ = info;
  in_member_ = false;
  member_finished_ = false;
  magic_probe_.clear();
  filled_ = 0;
  scanned_ = 0;
  skipping_oversized_ = false;
  compressed_bytes_ = 0;
  decompressed_bytes_ = 0;
  line_number_ = 0;
  return absl::OkStatus();
}

absl::Status LineDecoder::Write(std::string_view bytes) {
  compressed_bytes_ += static_cast<int64_t>(bytes.size());
  return info_.gzip ? WriteGzip(bytes) : AppendPlain(bytes);
}

absl::Status LineDecoder::WriteGzip(std::string_view bytes) {
  while (!bytes.empty()) {
    if (!in_member_) {
      absl::Status started = StartMember(bytes);
      if (!started.ok()) return started;
      continue;
    }
    absl::Status inflated = InflateMember(bytes);
    if (!inflated.ok()) return inflated;
  }
  return absl::OkStatus();
}

// Checks the gzip magic number of a member before handing it to ISA-L, which
// would report any non-gzip file only as an "invalid header".
absl::Status LineDecoder::StartMember(std::string_view& bytes) {
  if (member_finished_ && magic_probe_.empty()) {
    // gzip(1) tolerates zero bytes padding the end of a file; so do we.
    size_t zeros = 0;
    while (zeros < bytes.size() && bytes[zeros] == '\0') ++zeros;
    bytes.remove_prefix(zeros);
    if (bytes.empty()) return absl::OkStatus();
  }

  while (magic_probe_.size() < 2 && !bytes.empty()) {
    magic_probe_.push_back(bytes.front());
    bytes.remove_prefix(1);
  }
  if (magic_probe_.size() < 2) return absl::OkStatus();

  if (magic_probe_ != "\x1f\x8b") {
    std::string first_bytes = fmt::format(
        "{:02x} {:02x}", static_cast<unsigned char>(magic_probe_[0]),
        static_cast<unsigned char>(magic_probe_[1]));
    return GzipError(member_finished_
                         ? Concat("data after the end of the gzip stream "
                                        "is not another gzip member (bytes ",
                                        first_bytes, ")")
                         : Concat("not a gzip file: it starts with bytes ",
                                        first_bytes, " instead of 1f 8b"));
  }

  isal_inflate_init(inflate_.get());
  inflate_->crc_flag = ISAL_GZIP;
  in_member_ = true;
  std::string probe = std::move(magic_probe_);
  magic_probe_.clear();
  std::string_view probe_view = probe;
  return InflateMember(probe_view);
}

absl::Status LineDecoder::InflateMember(std::string_view& bytes) {
  inflate_->next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(bytes.data()));
  inflate_->avail_in = static_cast<uint32_t>(bytes.size());

  while (true) {
    absl::Status room = MakeRoom();
    if (!room.ok()) return room;

    uint32_t space = static_cast<uint32_t>(capacity_ - filled_);
    inflate_->next_out = reinterpret_cast<uint8_t*>(buffer_.data() + filled_);
    inflate_->avail_out = space;
    int result = isal_inflate(inflate_.get());
    size_t produced = space - inflate_->avail_out;
    filled_ += produced;
    decompressed_bytes_ += static_cast<int64_t>(produced);
    if (result < 0) return GzipError(InflateErrorText(result));

    absl::Status split = SplitLines();
    if (!split.ok()) return split;

    if (inflate_->block_state == ISAL_BLOCK_FINISH) {
      in_member_ = false;
      member_finished_ = true;
      break;
    }
    bool output_full = inflate_->avail_out == 0;
    if (inflate_->avail_in == 0 && !output_full) break;
  }

  bytes.remove_prefix(bytes.size() - inflate_->avail_in);
  return absl::OkStatus();
}

absl::Status LineDecoder::AppendPlain(std::string_view bytes) {
  while (!bytes.empty()) {
    absl::Status room = MakeRoom();
    if (!room.ok()) return room;

    size_t count = std::min(capacity_ - filled_, bytes.size());
    std::memcpy(buffer_.data() + filled_, bytes.data(), count);
    filled_ += count;
    decompressed_bytes_ += static_cast<int64_t>(count);
    bytes.remove_prefix(count);

    absl::Status split = SplitLines();
    if (!split.ok()) return split;
  }
  return absl::OkStatus();
}

// Makes sure buffer_ has free space. A full buffer after SplitLines contains a
// single partial line, so the buffer grows up to max_line_bytes; past that
// the line is reported as oversized and skipped.
absl::Status LineDecoder::MakeRoom() {
  if (filled_ < capacity_) return absl::OkStatus();

  if (capacity_ >= options_.max_line_bytes) {
    ++line_number_;
    size_t prefix = std::min(filled_, kOversizedPrefixBytes);
    absl::Status reported = handler_.OnOversizedLine(
        std::string_view(buffer_.data(), prefix), line_number_);
    skipping_oversized_ = true;
    filled_ = 0;
    scanned_ = 0;
    return reported;
  }

  capacity_ = std::min(capacity_ * 2, std::max(options_.max_line_bytes, capacity_));
  buffer_.resize(capacity_ + kLinePaddingBytes, 0);
  return absl::OkStatus();
}

absl::Status LineDecoder::SplitLines() {
  size_t start = 0;
  while (scanned_ < filled_) {
    const char* base = buffer_.data();
    const void* newline = std::memchr(base + scanned_, '\n', filled_ - scanned_);
    if (newline == nullptr) {
      scanned_ = filled_;
      break;
    }

    size_t end = static_cast<size_t>(static_cast<const char*>(newline) - base);
    if (skipping_oversized_) {
      skipping_oversized_ = false;
    } else {
      absl::Status emitted = EmitLine(start, end);
      if (!emitted.ok()) return emitted;
    }
    start = end + 1;
    scanned_ = start;
  }

  if (skipping_oversized_) {
    // The oversized line goes on; nothing in the buffer is worth keeping.
    filled_ = 0;
    scanned_ = 0;
    return absl::OkStatus();
  }
  if (start > 0) {
    std::memmove(buffer_.data(), buffer_.data() + start, filled_ - start);
    filled_ -= start;
    scanned_ -= start;
  }
  return absl::OkStatus();
}

absl::Status LineDecoder::EmitLine(size_t begin, size_t end) {
  ++line_number_;
  if (end > begin && buffer_[end - 1] == '\r') --end;
  return handler_.OnLine(std::string_view(buffer_.data() + begin, end - begin),
                         line_number_);
}

absl::Status LineDecoder::Finish() {
  if (info_.gzip) {
    if (compressed_bytes_ == 0) {
      return absl::DataLossError(Concat(
          info_.location, " is empty (0 bytes) where gzip data was expected"));
    }
    if (in_member_ || !magic_probe_.empty()) {
      return GzipError(
          "truncated gzip stream: the file ends before the end of the "
          "compressed data (an interrupted download or a partial copy)");
    }
  }

  if (skipping_oversized_) {
    skipping_oversized_ = false;
    filled_ = 0;
    return absl::OkStatus();
  }
  if (filled_ > 0) {
    absl::Status emitted = EmitLine(0, filled_);
    filled_ = 0;
    scanned_ = 0;
    if (!emitted.ok()) return emitted;
  }
  return absl::OkStatus();
}

absl::Status LineDecoder::GzipError(std::string_view what) const {
  // The bytes received so far bound where the damage is; a file that is not
  // gzip at all is damaged from its first byte.
  if (compressed_bytes_ <= 2 || (!in_member_ && !member_finished_)) {
    return absl::DataLossError(Concat("corrupt gzip file ", info_.location, ": ", what));
  }
  return absl::DataLossError(Concat("corrupt gzip file ", info_.location,
                                    " at or before compressed byte ", compressed_bytes_, ": ",
                                    what));
}

}  // namespace ghloader
