// Prints per-user aggregations as readable text or as the JSON whose field
// names match the gRPC API (events, events_by_ym, pushed_to).
#ifndef GHLOADER_CLI_USER_STATS_OUTPUT_H_
#define GHLOADER_CLI_USER_STATS_OUTPUT_H_

#include <string>
#include <string_view>

#include "store/user_stats.h"

namespace ghloader {

std::string UserStatsToJson(const UserStats& stats);
std::string UserStatsToText(std::string_view login, const UserStats& stats);

}  // namespace ghloader

#endif  // GHLOADER_CLI_USER_STATS_OUTPUT_H_
