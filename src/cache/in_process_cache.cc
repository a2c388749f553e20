#include "cache/in_process_cache.h"

namespace ghloader {

std::optional<UserStats> InProcessCache::Get(std::string_view login) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = index_.find(std::string(login));
  if (found == index_.end()) return std::nullopt;

  if (found->second->expires_at <= absl::Now()) {
    entries_.erase(found->second);
    index_.erase(found);
    return std::nullopt;
  }
  entries_.splice(entries_.begin(), entries_, found->second);
  return found->second->stats;
}

uint64_t InProcessCache::InvalidationCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return invalidation_count_;
}

void InProcessCache::Put(std::string_view login, const UserStats& stats,
                         uint64_t invalidation_count) {
  if (max_entries_ == 0 || ttl_ <= absl::ZeroDuration()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (invalidation_count != invalidation_count_) return;
  std::string key(login);
  auto found = index_.find(key);
  if (found != index_.end()) {
    entries_.erase(found->second);
    index_.erase(found);
  }

  entries_.push_front(Entry{key, stats, absl::Now() + ttl_});
  index_[key] = entries_.begin();
  while (entries_.size() > max_entries_) {
    index_.erase(entries_.back().login);
    entries_.pop_back();
  }
}

absl::Status InProcessCache::Invalidate(const std::vector<std::string>& logins) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++invalidation_count_;
  for (const std::string& login : logins) {
    auto found = index_.find(login);
    if (found == index_.end()) continue;
    entries_.erase(found->second);
    index_.erase(found);
  }
  return absl::OkStatus();
}

}  // namespace ghloader
