#include "events/event_parser.h"

#include <utf8cpp/utf8.h>
#include <xxhash.h>

#include <charconv>
#include <iterator>

#include "absl/status/status.h"
#include "common/strings.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace ghloader {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool ReadNumber(std::string_view text, size_t offset, size_t length, int& out) {
  if (offset + length > text.size()) return false;
  for (size_t i = offset; i < offset + length; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto result = std::from_chars(text.data() + offset, text.data() + offset + length, out);
  return result.ec == std::errc();
}

std::string_view StringField(const object& parent, std::string_view name) {
  std::string_view value;
  if (parent.at_key(name).get_string().get(value) != simdjson::SUCCESS) return {};
  return value;
}

// `id` is a string of digits in every archive seen; a number is accepted too.
std::string ReadId(const object& event) {
  element id;
  if (event.at_key("id").get(id) != simdjson::SUCCESS) return {};
  std::string_view text;
  if (id.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  uint64_t number = 0;
  if (id.get_uint64().get(number) == simdjson::SUCCESS) return Concat(number);
  return {};
}

// Events API: actor is an object with `login`. Timeline: actor is the login
// string, with details in `actor_attributes`. Anonymous actors have neither.
std::string_view ReadActorLogin(const object& event) {
  element actor;
  if (event.at_key("actor").get(actor) != simdjson::SUCCESS) return {};

  object actor_object;
  if (actor.get_object().get(actor_object) == simdjson::SUCCESS) {
    return StringField(actor_object, "login");
  }

  std::string_view actor_login;
  if (actor.get_string().get(actor_login) != simdjson::SUCCESS) return {};
  object attributes;
  if (event.at_key("actor_attributes").get_object().get(attributes) == simdjson::SUCCESS) {
    std::string_view login = StringField(attributes, "login");
    if (!login.empty()) return login;
  }
  return actor_login;
}

// Events API: `repo.name` is "owner/name", or "/" in backfill events that
// have no repository. Timeline: `repository` has `owner` and `name`; some
// organization repositories have an empty `owner` and the owner in
// `organization` instead.
std::string ReadRepoName(const object& event) {
  object repo;
  if (event.at_key("repo").get_object().get(repo) == simdjson::SUCCESS) {
    std::string_view name = StringField(repo, "name");
    if (name == "/") return {};
    return std::string(name);
  }
  if (event.at_key("repository").get_object().get(repo) == simdjson::SUCCESS) {
    std::string_view owner = StringField(repo, "owner");
    if (owner.empty()) owner = StringField(repo, "organization");
    std::string_view name = StringField(repo, "name");
    if (owner.empty() || name.empty()) return {};
    return Concat(owner, "/", name);
  }
  return {};
}

std::string ContentKey(std::string_view json) {
  XXH128_hash_t hash = XXH3_128bits(json.data(), json.size());
  return fmt::format("x{:016x}{:016x}", hash.high64, hash.low64);
}

}  // namespace

absl::StatusOr<int64_t> ParseEventTime(std::string_view text) {
  auto invalid = [&text](std::string_view why) {
    return absl::InvalidArgumentError(Concat(
        "created_at '", text, "' is not an RFC 3339 time such as "
        "2015-01-01T15:00:01Z or 2012-06-14T15:00:01-07:00: ", why));
  };

  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool shape_ok = text.size() >= 20 && ReadNumber(text, 0, 4, year) &&
                  text[4] == '-' && ReadNumber(text, 5, 2, month) &&
                  text[7] == '-' && ReadNumber(text, 8, 2, day) &&
                  (text[10] == 'T' || text[10] == 't' || text[10] == ' ') &&
                  ReadNumber(text, 11, 2, hour) && text[13] == ':' &&
                  ReadNumber(text, 14, 2, minute) && text[16] == ':' &&
                  ReadNumber(text, 17, 2, second);
  if (!shape_ok) return invalid("expected YYYY-MM-DDTHH:MM:SS");

  absl::CivilSecond civil(year, month, day, hour, minute, second);
  if (civil.year() != year || civil.month() != month || civil.day() != day ||
      civil.hour() != hour || civil.minute() != minute || civil.second() != second) {
    return invalid("a field is out of range");
  }

  size_t position = 19;
  if (position < text.size() && text[position] == '.') {
    ++position;
    while (position < text.size() && text[position] >= '0' && text[position] <= '9') ++position;
  }

  std::string_view zone = text.substr(position);
  int offset_seconds = 0;
  if (zone == "Z" || zone == "z") {
    offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int offset_hours = 0, offset_minutes = 0;
    if (!ReadNumber(zone, 1, 2, offset_hours) || !ReadNumber(zone, 4, 2, offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return invalid("invalid UTC offset");
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (zone[0] == '-' ? -1 : 1);
  } else {
    return invalid("expected 'Z' or a UTC offset such as -08:00 after the seconds");
  }

  absl::Time local = absl::FromCivil(civil, absl::UTCTimeZone());
  return absl::ToUnixSeconds(local) - offset_seconds;
}

absl::StatusOr<LineParseResult> EventParser::Parse(std::string_view line, Event& event,
                                                   bool line_is_padded) {
  LineParseResult result;
  absl::Status parsed = ParseDocument(line, line_is_padded, event);
  if (parsed.ok()) {
    event.json.assign(line);
  } else if (parsed.code() == absl::StatusCode::kDataLoss) {
    // Invalid UTF-8: replace each bad sequence by U+FFFD and try again.
    repaired_.clear();
    utf8::replace_invalid(line.begin(), line.end(), std::back_inserter(repaired_));
    parsed = ParseDocument(repaired_, false, event);
    if (!parsed.ok()) return parsed;
    event.json = repaired_;
    result.repaired_utf8 = true;
  } else {
    return parsed;
  }

  if (event.id.empty()) {
    event.key = ContentKey(event.json);
  } else {
    // Ids repeat when GH Archive replays an event, and the same id has been
    // seen on different events years apart, so the key pairs it with the time.
    event.key = Concat(event.id, "@", event.created_at);
  }
  return result;
}

// Returns DataLoss for invalid UTF-8 (repairable) and InvalidArgument for
// anything else that makes the line unusable.
absl::Status EventParser::ParseDocument(std::string_view text, bool padded, Event& event) {
  element document;
  simdjson::error_code error = parser_.parse(text.data(), text.size(), !padded).get(document);
  if (error == simdjson::UTF8_ERROR) {
    return absl::DataLossError("invalid UTF-8");
  }
  if (error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        Concat("not valid JSON: ", simdjson::error_message(error)));
  }

  object root;
  if (document.get_object().get(root) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        Concat("the line is a JSON ", document.is_array() ? "array" : "scalar",
                     ", not an event object"));
  }

  std::string_view type = StringField(root, "type");
  if (type.empty()) {
    return absl::InvalidArgumentError("the event has no string field 'type'");
  }
  std::string_view created_at_text;
  if (root.at_key("created_at").get_string().get(created_at_text) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the event has no string field 'created_at'");
  }
  absl::StatusOr<int64_t> created_at = ParseEventTime(created_at_text);
  if (!created_at.ok()) return absl::InvalidArgumentError(created_at.status().message());

  event.type.assign(type);
  event.created_at = *created_at;
  event.id = ReadId(root);
  event.actor_login.assign(ReadActorLogin(root));
  event.repo_name = ReadRepoName(root);
  return absl::OkStatus();
}

}  // namespace ghloader
