// The actors collection, which makes case-insensitive login queries exact
// matches on indexed fields. Events keep their original shape, so the login
// sits in `actor.login` (Events API) or in `actor_attributes.login` or the
// string `actor` (timeline format), with the case GitHub showed at the time; FerretDB has no
// collations, and a case-insensitive regex cannot use an index. So each
// write also records, per lower-cased login, the spellings seen, the UTC
// months of the events and the shapes of their `created_at` texts, one
// document per combination:
//   {_id: "octocat\tOctocat\t2015-01\tTZ", login: "octocat",
//    spelling: "Octocat", month: "2015-01", time_format: "TZ"}
// QueryUser reads them by `login` (indexed), matches the spellings with $in
// and counts each month with a range on `created_at` per shape, because
// FerretDB 1.24 has none of the string or date operators that would let a
// pipeline derive the UTC month from the text.
//
// The documents are only ever inserted (a duplicate key means known), never
// updated: FerretDB 1.24 with its SQLite backend takes tens of milliseconds
// per update and stalls on bulk updates of existing documents, while bulk
// inserts are fast. They are written before the events, so every stored
// event is covered; those of events that were then rejected only add empty
// months.
#ifndef GHLOADER_STORE_MONGO_MONGO_ACTORS_H_
#define GHLOADER_STORE_MONGO_MONGO_ACTORS_H_

#include <bson/bson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/mongo/bson_document.h"

namespace ghloader {

// One combination of login, spelling, month and created_at shape.
struct ActorKey {
  std::string login;  // Lower-cased.
  std::string spelling;
  std::string month;  // "YYYY-MM", UTC.
  std::string time_format;

  std::string Id() const;
};

// What QueryUser needs of a login: the union of its actor documents.
struct ActorSummary {
  std::vector<std::string> spellings;
  std::vector<std::string> months;  // Sorted.
  std::vector<std::string> time_formats;
};

// "YYYY-MM" of a UTC time in seconds since the Unix epoch.
std::string UtcMonth(int64_t utc_seconds);

// The shape of a `created_at` text that ParseEventTime accepted: the
// character between date and time, then the zone suffix, e.g. "TZ" for
// "2015-01-01T15:00:01Z" and "T-07:00" for "2012-06-14T15:00:01-07:00".
std::string CreatedAtFormat(std::string_view created_at);

BsonPtr ActorDocument(const ActorKey& key);

// Combines the actor documents of one login.
ActorSummary SummarizeActors(const std::vector<BsonPtr>& documents);

// Appends to `filter` an `$or` with one branch per place the login can be
// (`actor.login`, the timeline `actor_attributes.login`, or the timeline
// `actor` string when there is no attributes login) matching `logins`. With a month
// ("YYYY-MM"), each branch also bounds `created_at` to that UTC month, once
// per created_at format.
void AppendLoginFilter(bson_t* filter, const std::vector<std::string>& logins,
                       std::string_view month, const std::vector<std::string>& time_formats);

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_ACTORS_H_
