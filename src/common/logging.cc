#include "common/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <mutex>

#include "common/strings.h"

namespace ghloader {
namespace {

std::mutex hooks_mutex;
std::function<void()> before_hook;
std::function<void()> after_hook;

// Writes to stderr, letting a progress line step out of the way.
class StderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::lock_guard<std::mutex> lock(hooks_mutex);
    if (before_hook) before_hook();
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (after_hook) after_hook();
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

absl::Status InitLogging(std::string_view level) {
  spdlog::level::level_enum parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    return absl::InvalidArgumentError(Concat(
        "invalid --log-level '", level, "': use trace, debug, info, warn, error or off"));
  }
  auto logger = std::make_shared<spdlog::logger>("ghloader", std::make_shared<StderrSink>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v", spdlog::pattern_time_type::utc);
  logger->set_level(parsed);
  spdlog::set_default_logger(logger);
  return absl::OkStatus();
}

void SetLogLineHooks(std::function<void()> before, std::function<void()> after) {
  std::lock_guard<std::mutex> lock(hooks_mutex);
  before_hook = std::move(before);
  after_hook = std::move(after);
}

void RunUnderLogLock(const std::function<void()>& write) {
  std::lock_guard<std::mutex> lock(hooks_mutex);
  write();
}

}  // namespace ghloader
