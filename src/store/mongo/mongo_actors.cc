#include "store/mongo/mongo_actors.h"

#include <set>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/strings.h"

namespace ghloader {
namespace {

// Where the time of day ends in a created_at text (after the seconds and any
// fraction), i.e. where the zone suffix starts.
size_t ZoneStart(std::string_view created_at) {
  size_t position = std::min<size_t>(19, created_at.size());
  if (position < created_at.size() && created_at[position] == '.') {
    ++position;
    while (position < created_at.size() && created_at[position] >= '0' &&
           created_at[position] <= '9') {
      ++position;
    }
  }
  return position;
}

// The zone suffix's offset from UTC; "Z" and anything unreadable give zero.
absl::Duration ZoneOffset(std::string_view suffix) {
  if (suffix.size() != 6 || (suffix[0] != '+' && suffix[0] != '-')) return absl::ZeroDuration();
  int hours = (suffix[1] - '0') * 10 + (suffix[2] - '0');
  int minutes = (suffix[4] - '0') * 10 + (suffix[5] - '0');
  absl::Duration offset = absl::Hours(hours) + absl::Minutes(minutes);
  return suffix[0] == '-' ? -offset : offset;
}

std::string EscapeRegex(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    if (std::string_view(".^$|?*+()[]{}\\").find(c) != std::string_view::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// The local time text, as events in `format` write it, of a UTC instant:
// "YYYY-MM-DD" + separator + "HH:MM:SS", without the zone.
std::string LocalTimeText(absl::Time utc, std::string_view format) {
  absl::Duration offset = ZoneOffset(format.substr(1));
  absl::CivilSecond local = absl::ToCivilSecond(utc + offset, absl::UTCTimeZone());
  return fmt::format("{:04d}-{:02d}-{:02d}{}{:02d}:{:02d}:{:02d}", local.year(), local.month(),
                     local.day(), format.substr(0, 1), local.hour(), local.minute(),
                     local.second());
}

// {$gte: start, $lt: end, $regex: shape} for `created_at` texts in `format`
// whose UTC time falls in `month` ("YYYY-MM"). The bounds stop before the
// zone, so fractions of a second compare correctly.
void AppendMonthRange(bson_t* filter, std::string_view month, std::string_view format) {
  int year = (month[0] - '0') * 1000 + (month[1] - '0') * 100 + (month[2] - '0') * 10 +
             (month[3] - '0');
  int month_number = (month[5] - '0') * 10 + (month[6] - '0');
  absl::CivilMonth first(year, month_number);
  absl::Time start = absl::FromCivil(first, absl::UTCTimeZone());
  absl::Time end = absl::FromCivil(first + 1, absl::UTCTimeZone());

  bson_t range;
  bson_append_document_begin(filter, "created_at", -1, &range);
  AppendString(&range, "$gte", LocalTimeText(start, format));
  AppendString(&range, "$lt", LocalTimeText(end, format));
  AppendString(&range, "$regex",
               Concat("^.{10}", EscapeRegex(format.substr(0, 1)), ".{8}(\\.[0-9]*)?",
                      EscapeRegex(format.substr(1)), "$"));
  bson_append_document_end(filter, &range);
}

void AppendLoginsIn(bson_t* filter, const char* path, const std::vector<std::string>& logins,
                    bool strings_only) {
  bson_t condition;
  bson_append_document_begin(filter, path, -1, &condition);
  AppendStringArray(&condition, "$in", logins);
  // Lets MongoDB use the partial indexes on timeline logins.
  if (strings_only) AppendString(&condition, "$type", "string");
  bson_append_document_end(filter, &condition);
}

}  // namespace

std::string UtcMonth(int64_t utc_seconds) {
  absl::CivilSecond civil = absl::ToCivilSecond(absl::FromUnixSeconds(utc_seconds),
                                                absl::UTCTimeZone());
  return fmt::format("{:04d}-{:02d}", civil.year(), civil.month());
}

std::string CreatedAtFormat(std::string_view created_at) {
  if (created_at.size() < 20) return "TZ";
  return Concat(created_at.substr(10, 1), created_at.substr(ZoneStart(created_at)));
}

std::string ActorKey::Id() const {
  return Concat(login, '\t', spelling, '\t', month, '\t', time_format);
}

BsonPtr ActorDocument(const ActorKey& key) {
  BsonPtr document = NewBson();
  AppendString(document.get(), "_id", key.Id());
  AppendString(document.get(), "login", key.login);
  AppendString(document.get(), "spelling", key.spelling);
  AppendString(document.get(), "month", key.month);
  AppendString(document.get(), "time_format", key.time_format);
  return document;
}

ActorSummary SummarizeActors(const std::vector<BsonPtr>& documents) {
  std::set<std::string> spellings;
  std::set<std::string> months;
  std::set<std::string> time_formats;
  for (const BsonPtr& document : documents) {
    spellings.insert(GetString(*document, "spelling"));
    months.insert(GetString(*document, "month"));
    time_formats.insert(GetString(*document, "time_format"));
  }
  return {{spellings.begin(), spellings.end()},
          {months.begin(), months.end()},
          {time_formats.begin(), time_formats.end()}};
}

void AppendLoginFilter(bson_t* filter, const std::vector<std::string>& logins,
                       std::string_view month, const std::vector<std::string>& time_formats) {
  // Where the event parser reads the login: `actor.login` (Events API), else
  // `actor_attributes.login` when it is a non-empty string, else the
  // `actor` string (timeline format).
  enum class Path { kActorLogin, kAttributesLogin, kActorString };
  constexpr Path kPaths[] = {Path::kActorLogin, Path::kAttributesLogin, Path::kActorString};

  auto append_login = [&logins](bson_t* branch, Path path) {
    switch (path) {
      case Path::kActorLogin:
        AppendLoginsIn(branch, "actor.login", logins, false);
        break;
      case Path::kAttributesLogin:
        AppendLoginsIn(branch, "actor_attributes.login", logins, true);
        break;
      case Path::kActorString: {
        AppendLoginsIn(branch, "actor", logins, true);
        bson_t no_attributes_login;
        bson_append_document_begin(branch, "actor_attributes.login", -1, &no_attributes_login);
        bson_t values;
        bson_append_array_begin(&no_attributes_login, "$in", -1, &values);
        bson_append_null(&values, "0", 1);
        bson_append_utf8(&values, "1", 1, "", 0);
        bson_append_array_end(&no_attributes_login, &values);
        bson_append_document_end(branch, &no_attributes_login);
        break;
      }
    }
  };

  bson_t branches;
  bson_append_array_begin(filter, "$or", -1, &branches);
  uint32_t index = 0;
  auto begin_branch = [&](bson_t* branch) {
    std::string key = std::to_string(index++);
    bson_append_document_begin(&branches, key.c_str(), static_cast<int>(key.size()), branch);
  };
  for (Path path : kPaths) {
    if (month.empty()) {
      bson_t branch;
      begin_branch(&branch);
      append_login(&branch, path);
      bson_append_document_end(&branches, &branch);
      continue;
    }
    for (const std::string& format : time_formats) {
      bson_t branch;
      begin_branch(&branch);
      append_login(&branch, path);
      AppendMonthRange(&branch, month, format);
      bson_append_document_end(&branches, &branch);
    }
  }
  bson_append_array_end(filter, &branches);
}

}  // namespace ghloader
