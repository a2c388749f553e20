// The embedded default cache: a least-recently-used map in this process,
// bounded in entries, with a TTL per entry.
#ifndef GHLOADER_CACHE_IN_PROCESS_CACHE_H_
#define GHLOADER_CACHE_IN_PROCESS_CACHE_H_

#include <list>
#include <mutex>
#include <string>
#include <unordered_map>

#include "absl/time/time.h"
#include "cache/user_stats_cache.h"

namespace ghloader {

class InProcessCache final : public UserStatsCache {
 public:
  InProcessCache(absl::Duration ttl, size_t max_entries) : ttl_(ttl), max_entries_(max_entries) {}

  std::optional<UserStats> Get(std::string_view login) override;
  uint64_t InvalidationCount() override;
  void Put(std::string_view login, const UserStats& stats, uint64_t invalidation_count) override;
  absl::Status Invalidate(const std::vector<std::string>& logins) override;

 private:
  struct Entry {
    std::string login;
    UserStats stats;
    absl::Time expires_at;
  };

  absl::Duration ttl_;
  size_t max_entries_;
  std::mutex mutex_;
  uint64_t invalidation_count_ = 0;
  std::list<Entry> entries_;  // Most recently used first.
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace ghloader

#endif  // GHLOADER_CACHE_IN_PROCESS_CACHE_H_
