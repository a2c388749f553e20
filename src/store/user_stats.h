// Per-user aggregations over stored events, as `query` and QueryUser return
// them.
#ifndef GHLOADER_STORE_USER_STATS_H_
#define GHLOADER_STORE_USER_STATS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace ghloader {

struct EventCount {
  std::string name;  // Event type.
  int64_t count = 0;
};

struct YearMonthEvents {
  int year = 0;
  int month = 0;  // 1-12.
  std::vector<EventCount> events;
};

struct UserStats {
  std::vector<EventCount> events;             // Count desc, then name.
  std::vector<YearMonthEvents> events_by_ym;  // By year and month.
  std::vector<std::string> pushed_to;         // Distinct, sorted.
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_USER_STATS_H_
