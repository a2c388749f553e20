// QueryUser of MongoEventStore: the per-user aggregations, run on the
// server as pipelines over the events in their original shape.
//
// The pipelines keep to $match, $group with one accumulator and $sort,
// which both MongoDB and FerretDB 1.24 run; FerretDB has no string or date
// expression operators ($concat, $substr, $dateFromString, ...), and a
// $group with several accumulators returns wrong sums for all but the
// first. So:
//   - the login is matched through the actors collection (mongo_actors.h);
//   - events by type: one $group by `type`;
//   - events by month: one $group by `type` per UTC month the login has
//     events in, with `created_at` bounded to that month for each shape of
//     created_at text the login has (times with offsets such as -07:00
//     included);
//   - pushed_to: one $group by the repository fields, `repo.name` (Events
//     API) or `repository.owner` (else `repository.organization`) and
//     `repository.name` (timeline), which are joined with "/" here.
#include <set>

#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_actors.h"
#include "store/mongo/mongo_event_store.h"

namespace ghloader {
namespace {

// [{$match: match}, {$group: {_id: group_key, count: {$sum: 1}}},
//  {$sort: {count: -1, _id: 1}}]
BsonPtr CountPipeline(const bson_t& match, const char* group_key) {
  BsonPtr pipeline = NewBson();
  bson_t stage;
  bson_t body;
  bson_append_document_begin(pipeline.get(), "0", 1, &stage);
  bson_append_document(&stage, "$match", -1, &match);
  bson_append_document_end(pipeline.get(), &stage);

  bson_append_document_begin(pipeline.get(), "1", 1, &stage);
  bson_append_document_begin(&stage, "$group", -1, &body);
  AppendString(&body, "_id", group_key);
  BsonPtr count = BCON_NEW("$sum", BCON_INT32(1));
  bson_append_document(&body, "count", -1, count.get());
  bson_append_document_end(&stage, &body);
  bson_append_document_end(pipeline.get(), &stage);

  bson_append_document_begin(pipeline.get(), "2", 1, &stage);
  BsonPtr sort = BCON_NEW("count", BCON_INT32(-1), "_id", BCON_INT32(1));
  bson_append_document(&stage, "$sort", -1, sort.get());
  bson_append_document_end(pipeline.get(), &stage);
  return pipeline;
}

// [{$match: match}, {$group: {_id: {name: "$repo.name", owner:
//  "$repository.owner", repository: "$repository.name"}}}]
BsonPtr RepositoryPipeline(const bson_t& match) {
  BsonPtr pipeline = NewBson();
  bson_t stage;
  bson_append_document_begin(pipeline.get(), "0", 1, &stage);
  bson_append_document(&stage, "$match", -1, &match);
  bson_append_document_end(pipeline.get(), &stage);

  bson_append_document_begin(pipeline.get(), "1", 1, &stage);
  BsonPtr group = BCON_NEW("_id", "{", "name", BCON_UTF8("$repo.name"), "owner",
                           BCON_UTF8("$repository.owner"), "organization",
                           BCON_UTF8("$repository.organization"), "repository",
                           BCON_UTF8("$repository.name"), "}", "count", "{", "$sum",
                           BCON_INT32(1), "}");
  bson_append_document(&stage, "$group", -1, group.get());
  bson_append_document_end(pipeline.get(), &stage);
  return pipeline;
}

std::vector<EventCount> ReadTypeCounts(const std::vector<BsonPtr>& rows) {
  std::vector<EventCount> counts;
  for (const BsonPtr& row : rows) {
    counts.push_back({GetString(*row, "_id"), GetInt64(*row, "count")});
  }
  return counts;
}

// The repository name an event's group key stands for, as the event parser
// reads it: `repo.name` unless it is "/", else "owner/name", with the
// owner from `organization` when `owner` is empty.
std::string RepositoryName(const bson_t& row) {
  std::string name = GetString(row, "_id.name");
  if (!name.empty()) return name == "/" ? std::string() : name;
  std::string owner = GetString(row, "_id.owner");
  if (owner.empty()) owner = GetString(row, "_id.organization");
  std::string repository = GetString(row, "_id.repository");
  if (owner.empty() || repository.empty()) return {};
  return Concat(owner, "/", repository);
}

}  // namespace

absl::StatusOr<UserStats> MongoEventStore::QueryUser(std::string_view login) {
  const MongoCollectionNames& names = database_->collections();
  BsonPtr actor_filter = NewBson();
  AppendString(actor_filter.get(), "login", AsciiToLower(login));
  absl::StatusOr<std::vector<BsonPtr>> actors =
      database_->Find(names.actors, *actor_filter, nullptr, nullptr);
  if (!actors.ok()) return actors.status();
  UserStats stats;
  if (actors->empty()) return stats;
  ActorSummary actor = SummarizeActors(*actors);

  BsonPtr user_match = NewBson();
  AppendLoginFilter(user_match.get(), actor.spellings, "", {});
  BsonPtr by_type = CountPipeline(*user_match, "$type");
  absl::StatusOr<std::vector<BsonPtr>> type_rows =
      database_->Aggregate(names.events, *by_type, nullptr);
  if (!type_rows.ok()) return type_rows.status();
  stats.events = ReadTypeCounts(*type_rows);

  // NOTE: one aggregation per month; a login active for ten years takes 120
  // round trips, each an index range scan on MongoDB (a full scan on
  // FerretDB 1.24, which pushes down only filters on _id).
  for (const std::string& month : actor.months) {
    if (month.size() != 7) continue;
    BsonPtr month_match = NewBson();
    AppendLoginFilter(month_match.get(), actor.spellings, month, actor.time_formats);
    BsonPtr by_month = CountPipeline(*month_match, "$type");
    absl::StatusOr<std::vector<BsonPtr>> month_rows =
        database_->Aggregate(names.events, *by_month, nullptr);
    if (!month_rows.ok()) return month_rows.status();
    if (month_rows->empty()) continue;
    int year = std::stoi(month.substr(0, 4));
    int month_number = std::stoi(month.substr(5, 2));
    stats.events_by_ym.push_back({year, month_number, ReadTypeCounts(*month_rows)});
  }

  BsonPtr push_match = NewBson();
  AppendLoginFilter(push_match.get(), actor.spellings, "", {});
  AppendString(push_match.get(), "type", "PushEvent");
  BsonPtr repositories = RepositoryPipeline(*push_match);
  absl::StatusOr<std::vector<BsonPtr>> repository_rows =
      database_->Aggregate(names.events, *repositories, nullptr);
  if (!repository_rows.ok()) return repository_rows.status();
  std::set<std::string> pushed_to;
  for (const BsonPtr& row : *repository_rows) {
    std::string name = RepositoryName(*row);
    if (!name.empty()) pushed_to.insert(std::move(name));
  }
  stats.pushed_to.assign(pushed_to.begin(), pushed_to.end());
  return stats;
}

}  // namespace ghloader
