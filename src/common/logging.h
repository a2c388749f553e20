// Logging set-up: spdlog's default logger writing to stderr, with levels,
// plus the hook the terminal progress line uses to stay below log lines.
#ifndef GHLOADER_COMMON_LOGGING_H_
#define GHLOADER_COMMON_LOGGING_H_

#include <functional>
#include <string_view>

#include "absl/status/status.h"

namespace ghloader {

// Sets up the default logger. `level` is trace, debug, info, warn, error or
// off; InvalidArgument otherwise.
absl::Status InitLogging(std::string_view level);

// While set, `before` runs before and `after` runs after each log line
// written to stderr, so that a progress line can clear itself and redraw.
void SetLogLineHooks(std::function<void()> before, std::function<void()> after);

// Runs `write` while no log line is being written, for other stderr output.
void RunUnderLogLock(const std::function<void()>& write);

}  // namespace ghloader

#endif  // GHLOADER_COMMON_LOGGING_H_
