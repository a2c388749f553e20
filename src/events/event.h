// Events: one GH Archive event as the loader stores it, with the fields the
// user queries need pulled out of its JSON.
#ifndef GHLOADER_EVENTS_EVENT_H_
#define GHLOADER_EVENTS_EVENT_H_

#include <cstdint>
#include <string>

namespace ghloader {

struct Event {
  // Idempotency key: the same event read twice (a replay, or a reload of an
  // hour) gets the same key, and two different events get different keys.
  std::string key;
  std::string id;           // The event's `id`, empty for timeline events.
  std::string type;         // e.g. "PushEvent".
  std::string actor_login;  // Empty when the event has no login.
  std::string repo_name;    // "owner/name", empty when the event has none.
  int64_t created_at = 0;   // Seconds since the Unix epoch, UTC.
  std::string json;         // The original JSON object, as it was in the file.
};

}  // namespace ghloader

#endif  // GHLOADER_EVENTS_EVENT_H_
