// The cache of QueryUser results, keyed by lower-cased login. Results expire
// after a TTL, and a load drops the results of every login it touched (the
// task's "invalidating" step), so a query never serves counts older than the
// last load that changed them.
#ifndef GHLOADER_CACHE_USER_STATS_CACHE_H_
#define GHLOADER_CACHE_USER_STATS_CACHE_H_

#include <cstdint>
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

  // Returns the cached result for a lower-cased login, if fresh.
  virtual std::optional<UserStats> Get(std::string_view login) = 0;

  // Returns a counter that every Invalidate call increases. Read it before
  // querying the store and pass it to Put.
  virtual uint64_t InvalidationCount() = 0;

  // Caches a result read from the store, unless an invalidation ran since
  // `invalidation_count` was read: the result might predate that load.
  virtual void Put(std::string_view login, const UserStats& stats,
                   uint64_t invalidation_count) = 0;
  // Drops the results of lower-cased logins.
  virtual absl::Status Invalidate(const std::vector<std::string>& logins) = 0;
};

}  // namespace ghloader

#endif  // GHLOADER_CACHE_USER_STATS_CACHE_H_
