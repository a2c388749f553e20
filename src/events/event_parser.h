// Event parsing: reads one line of an hour file into an Event, for both
// formats GH Archive has published:
//   - the Events API format (2015 on, and some 2011-2012 backfill files):
//     `id`, `actor.login`, `repo.name`, `created_at` in UTC ("...Z");
//   - the older timeline format (up to 2014): no `id`, `actor` is a login
//     string beside `actor_attributes`, `repository{owner,name}` instead of
//     `repo`, `created_at` with an offset such as "-08:00".
//
//   EventParser parser;
//   absl::StatusOr<LineParseResult> result = parser.Parse(line, event);
//   if (!result.ok()) Reject(line, result.status().message());
#ifndef GHLOADER_EVENTS_EVENT_PARSER_H_
#define GHLOADER_EVENTS_EVENT_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "absl/status/statusor.h"
#include "events/event.h"

namespace ghloader {

struct LineParseResult {
  // True when the line held invalid UTF-8 that was replaced by U+FFFD; the
  // stored JSON is then the repaired text.
  bool repaired_utf8 = false;
};

// Parses an RFC 3339 time as GH Archive writes it ("2015-01-01T15:00:01Z",
// "2012-06-14T15:00:01-07:00", optional fractional seconds) into seconds
// since the Unix epoch, UTC.
absl::StatusOr<int64_t> ParseEventTime(std::string_view text);

// Not thread-safe: use one parser per thread. It reuses its buffers.
class EventParser {
 public:
  // Parses `line` into `event`, replacing all its fields. When the line is
  // followed by at least SIMDJSON_PADDING readable bytes, pass
  // `line_is_padded` to avoid a copy. Returns InvalidArgument with the reason
  // for a line that cannot be stored (not JSON, not an object, no `type`, no
  // valid `created_at`).
  absl::StatusOr<LineParseResult> Parse(std::string_view line, Event& event,
                                        bool line_is_padded = false);

 private:
  absl::Status ParseDocument(std::string_view text, bool padded, Event& event);

  simdjson::dom::parser parser_;
  std::string repaired_;
};

}  // namespace ghloader

#endif  // GHLOADER_EVENTS_EVENT_PARSER_H_
