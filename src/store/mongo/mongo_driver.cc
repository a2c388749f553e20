#include "store/mongo/mongo_driver.h"

#include <mongoc/mongoc.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <string_view>

namespace ghloader {
namespace {

void LogDriverMessage(mongoc_log_level_t level, const char* domain, const char* message, void*) {
  switch (level) {
    case MONGOC_LOG_LEVEL_ERROR:
    case MONGOC_LOG_LEVEL_CRITICAL:
      // ParseMongoStoreUri reports a malformed --store with its own message.
      if (std::string_view(message).find("in URI") != std::string_view::npos) {
        spdlog::debug("mongoc {}: {}", domain, message);
      } else {
        spdlog::error("mongoc {}: {}", domain, message);
      }
      break;
    case MONGOC_LOG_LEVEL_WARNING:
      // Servers without sessions (FerretDB 1.24) reject the endSessions
      // command the driver sends when the pool closes. The command only frees
      // server-side sessions, so the warning goes to the debug level.
      if (std::string_view(message).find("endSessions") != std::string_view::npos) {
        spdlog::debug("mongoc {}: {}", domain, message);
      } else {
        spdlog::warn("mongoc {}: {}", domain, message);
      }
      break;
    case MONGOC_LOG_LEVEL_MESSAGE:
    case MONGOC_LOG_LEVEL_INFO:
      spdlog::debug("mongoc {}: {}", domain, message);
      break;
    default:
      spdlog::trace("mongoc {}: {}", domain, message);
      break;
  }
}

}  // namespace

void InitMongoDriver() {
  static std::once_flag once;
  std::call_once(once, [] {
    mongoc_init();
    mongoc_log_set_handler(LogDriverMessage, nullptr);
  });
}


}  // namespace ghloader
