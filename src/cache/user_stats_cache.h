// The cache of QueryUser answers, keyed by lower-cased login. Answers expire
// after a TTL, and a load drops the answers of every login it touched (the
// task's "invalidating" step), so a query never serves counts older than the
// last load that changed them.
#ifndef GHLOADER_CACHE_USER_STATS_CACHE_H_
#define GHLOADER_CACHE_USER_STATS_CACHE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "store/user_stats.h"

namespace ghloader {

class UserStatsCache {
 public:
  virtual ~UserStatsCache() = default;

  // Returns the cached answer for a lower-cased login, if fresh.
  virtual std::optional<UserStats> Get(std::string_view login) = 0;
  virtual void Put(std::string_view login, const UserStats& stats) = 0;
  // Drops the answers of lower-cased logins.
  virtual absl::Status Invalidate(const std::vector<std::string>& logins) = 0;
};

}  // namespace ghloader

#endif  // GHLOADER_CACHE_USER_STATS_CACHE_H_
