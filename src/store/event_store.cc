#include "store/event_store.h"

namespace ghloader {

std::string_view HourStateName(HourState state) {
  switch (state) {
    case HourState::kPending: return "pending";
    case HourState::kLoading: return "loading";
    case HourState::kLoaded: return "loaded";
    case HourState::kMissing: return "missing";
    case HourState::kFailed: return "failed";
  }
  return "unknown";
}

std::optional<HourState> ParseHourState(std::string_view name) {
  for (HourState state : {HourState::kPending, HourState::kLoading, HourState::kLoaded,
                          HourState::kMissing, HourState::kFailed}) {
    if (HourStateName(state) == name) return state;
  }
  return std::nullopt;
}

}  // namespace ghloader
