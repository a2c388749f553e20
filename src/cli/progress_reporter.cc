#include "cli/progress_reporter.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "common/strings.h"
#include "common/logging.h"

namespace ghloader {
namespace {

std::string WithThousands(int64_t value) {
  std::string digits = Concat(value < 0 ? -value : value);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace

ProgressReporter::ProgressReporter(const LoadProgress& progress, bool terminal,
                                   absl::Duration log_interval)
    : progress_(progress),
      terminal_(terminal),
      interval_(terminal ? absl::Milliseconds(250) : log_interval),
      started_(absl::Now()) {
  if (terminal_) {
    SetLogLineHooks([this] { Clear(); }, [this] { Draw(); });
  }
  thread_ = std::thread([this] { Run(); });
}

ProgressReporter::~ProgressReporter() { Stop(); }

void ProgressReporter::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
  if (terminal_) {
    SetLogLineHooks(nullptr, nullptr);
    RunUnderLogLock([this] {
      Clear();
      std::fflush(stderr);
    });
  }
}

std::string ProgressReporter::FormatLine(int64_t hours_done, int64_t hours_total,
                                         int64_t events, double megabytes_per_second,
                                         absl::Duration eta) {
  std::string eta_text = "--:--:--";
  if (eta >= absl::ZeroDuration() && eta < absl::Hours(24 * 365)) {
    int64_t seconds = absl::ToInt64Seconds(eta);
    eta_text = fmt::format("{}:{:02d}:{:02d}", seconds / 3600, seconds / 60 % 60, seconds % 60);
  }
  return fmt::format("{}/{} hours  {} events  {:.1f} MB/s  ETA {}", hours_done, hours_total,
                         WithThousands(events), megabytes_per_second, eta_text);
}

std::string ProgressReporter::CurrentLine() const {
  int64_t done = progress_.hours_done.load();
  int64_t total = progress_.hours_total.load();
  double elapsed = absl::ToDoubleSeconds(absl::Now() - started_);
  double rate = elapsed > 0 ? progress_.decompressed_bytes.load() / 1e6 / elapsed : 0;
  absl::Duration eta = absl::InfiniteDuration();
  if (done > 0) eta = absl::Seconds(elapsed * static_cast<double>(total - done) / done);
  return FormatLine(done, total, progress_.events_stored.load(), rate, eta);
}

void ProgressReporter::Draw() { std::fprintf(stderr, "\r\033[K%s", CurrentLine().c_str()); }

void ProgressReporter::Clear() { std::fprintf(stderr, "\r\033[K"); }

void ProgressReporter::Run() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, absl::ToChronoMilliseconds(interval_));
    if (stopping_) break;
    if (terminal_) {
      RunUnderLogLock([this] {
        Draw();
        std::fflush(stderr);
      });
    } else {
      spdlog::info("progress: {}", CurrentLine());
    }
  }
}

}  // namespace ghloader
