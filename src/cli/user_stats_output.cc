#include "cli/user_stats_output.h"

#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace ghloader {
namespace {

nlohmann::json CountsToJson(const std::vector<EventCount>& counts) {
  nlohmann::json array = nlohmann::json::array();
  for (const EventCount& count : counts) {
    array.push_back({{"name", count.name}, {"count", count.count}});
  }
  return array;
}

}  // namespace

std::string UserStatsToJson(const UserStats& stats) {
  nlohmann::json by_month = nlohmann::json::array();
  for (const YearMonthEvents& month : stats.events_by_ym) {
    by_month.push_back(
        {{"year", month.year}, {"month", month.month}, {"events", CountsToJson(month.events)}});
  }
  nlohmann::json root = {{"events", CountsToJson(stats.events)},
                         {"events_by_ym", by_month},
                         {"pushed_to", stats.pushed_to}};
  return root.dump();
}

std::string UserStatsToText(std::string_view login, const UserStats& stats) {
  int64_t total = 0;
  for (const EventCount& count : stats.events) total += count.count;
  std::string out = Concat(login, ": ", total, " events\n");
  if (total == 0) return out;

  out += "Events by type:\n";
  for (const EventCount& count : stats.events) {
    out += fmt::format("  {:<32} {}\n", count.name, count.count);
  }

  out += "Events by month:\n";
  for (const YearMonthEvents& month : stats.events_by_ym) {
    std::string counts;
    for (const EventCount& count : month.events) {
      if (!counts.empty()) counts += ", ";
      counts += Concat(count.name, " ", count.count);
    }
    out += fmt::format("  {:04d}-{:02d}  {}\n", month.year, month.month, counts);
  }

  out += Concat("Pushed to (", stats.pushed_to.size(),
                stats.pushed_to.size() == 1 ? " repository" : " repositories", "):\n");
  for (const std::string& repo : stats.pushed_to) out += Concat("  ", repo, "\n");
  return out;
}

}  // namespace ghloader
