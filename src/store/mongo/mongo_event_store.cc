#include "store/mongo/mongo_event_store.h"

#include <spdlog/spdlog.h>
#include <utf8cpp/utf8.h>

#include <iterator>
#include <utility>

#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/json_to_bson.h"
#include "store/mongo/mongo_bulk.h"
#include "store/mongo/mongo_errors.h"

namespace ghloader {
namespace {

// BSON strings must be UTF-8; a rejected line may not be, and a line cut at
// kMaxRejectedTextBytes may end inside a character.
std::string ValidUtf8(std::string_view text) {
  std::string valid;
  valid.reserve(text.size());
  utf8::replace_invalid(text.begin(), text.end(), std::back_inserter(valid));
  return valid;
}

// Servers may quote the whole refused value in their message, with the
// reason at the end (FerretDB does). The reject keeps the start and the end
// of it; the line itself is in `text`.
std::string ShortenMessage(std::string_view message) {
  constexpr size_t kHeadBytes = 200;
  constexpr size_t kTailBytes = 100;
  if (message.size() <= kHeadBytes + kTailBytes) return std::string(message);
  return Concat(message.substr(0, kHeadBytes), " ... ",
                message.substr(message.size() - kTailBytes));
}

RejectedLine MakeReject(std::string_view hour, const BatchEvent& item, std::string reason) {
  RejectedLine reject;
  reject.hour = std::string(hour);
  reject.line_number = item.line_number;
  reject.reason = std::move(reason);
  reject.text = item.event.json.substr(0, kMaxRejectedTextBytes);
  return reject;
}

// Checks size and converts one event; on success `time_format` is the shape
// of its created_at text.
absl::Status ConvertEvent(JsonToBson& converter, const Event& event, int64_t max_bytes,
                          bson_t* document, std::string& time_format) {
  absl::Status converted = converter.Convert(event.json, event.key, document);
  if (!converted.ok()) return converted;
  if (static_cast<int64_t>(document->len) > max_bytes) {
    return absl::InvalidArgumentError(
        Concat("the event's BSON document has ", document->len,
               " bytes, more than the server's maximum document size of ", max_bytes, " bytes"));
  }
  std::string_view created_at;
  if (converter.root().at_key("created_at").get_string().get(created_at) == simdjson::SUCCESS) {
    time_format = CreatedAtFormat(created_at);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BatchWriteResult> MongoEventStore::WriteBatch(
    std::string_view hour, const std::vector<BatchEvent>& events) {
  // Convert every event, keeping the refused ones as rejects.
  thread_local JsonToBson converter;
  std::unique_ptr<PooledClient> client = database_->Client();
  const MongoCollectionNames& names = database_->collections();
  BulkWrite bulk(client->Collection(names.events), database_->Namespace(names.events));
  std::vector<size_t> sent;  // Index in `events` of each document in the bulk write.
  std::vector<std::string> time_formats(events.size());
  std::vector<RejectedLine> rejects;
  for (size_t i = 0; i < events.size(); ++i) {
    bson_t document = BSON_INITIALIZER;
    absl::Status converted = ConvertEvent(converter, events[i].event,
                                          database_->max_document_bytes(), &document,
                                          time_formats[i]);
    if (converted.ok()) converted = bulk.Insert(&document);
    bson_destroy(&document);
    if (!converted.ok()) {
      rejects.push_back(MakeReject(hour, events[i], std::string(converted.message())));
      continue;
    }
    sent.push_back(i);
  }

  // Rejects before events, so that a failure after the insert has nothing
  // else left to write.
  BatchWriteResult result;
  result.rejected = static_cast<int64_t>(rejects.size());
  absl::Status rejected = WriteRejects(rejects);
  if (!rejected.ok()) return rejected;
  rejects.clear();
  if (sent.empty()) return result;

  std::vector<ActorKey> actor_keys = NewActorKeys(events, time_formats);
  absl::Status actors_written = WriteActorKeys(actor_keys);
  if (!actors_written.ok()) return actors_written;
  RememberActorKeys(actor_keys);

  std::vector<std::string> keys;
  keys.reserve(sent.size());
  for (size_t index : sent) keys.push_back(events[index].event.key);
  absl::Status marked = MarkInFlight(hour, keys);
  if (!marked.ok()) return marked;

  absl::StatusOr<BulkWriteOutcome> outcome = bulk.Execute(sent.size());
  if (!outcome.ok()) return outcome.status();
  result.inserted = outcome->inserted;
  for (const BulkWriteError& error : outcome->errors) {
    if (error.code == kDuplicateKeyCode) {
      ++result.duplicates;
      continue;
    }
    ++result.rejected;
    rejects.push_back(MakeReject(
        hour, events[sent[error.index]],
        Concat("MongoDB refused the document: ", ShortenMessage(error.message), " (error ",
               error.code, ")")));
  }

  // The events are stored now: retry what is left rather than have the
  // loader write the batch again and count its events as duplicates.
  if (!rejects.empty()) {
    absl::Status written = database_->RetryWhileUnavailable(
        Concat("writing rejects of hour ", hour), [&] { return WriteRejects(rejects); });
    if (!written.ok()) return written;
  }
  CountInserted(hour, result.inserted);
  return result;
}

absl::Status MongoEventStore::WriteRejects(const std::vector<RejectedLine>& rejects) {
  if (rejects.empty()) return absl::OkStatus();
  // Replaces earlier entries by deleting them and inserting anew rather than
  // with a bulk of upserts: FerretDB 1.24 can stall on an update command
  // that contains several updates (it keeps every update's read open until the
  // command ends). A crash in between leaves entries missing until the
  // loader writes them again.
  const std::string& collection = database_->collections().rejects;
  BsonPtr selector = NewBson();
  bson_t id;
  bson_t ids;
  bson_append_document_begin(selector.get(), "_id", 3, &id);
  bson_append_array_begin(&id, "$in", 3, &ids);
  std::vector<BsonPtr> documents;
  for (size_t i = 0; i < rejects.size(); ++i) {
    const RejectedLine& reject = rejects[i];
    std::string reject_id = Concat(reject.hour, ":", reject.line_number);
    std::string key = std::to_string(i);
    bson_append_utf8(&ids, key.c_str(), static_cast<int>(key.size()), reject_id.data(),
                     static_cast<int>(reject_id.size()));
    BsonPtr document = NewBson();
    AppendString(document.get(), "_id", reject_id);
    AppendString(document.get(), "hour", reject.hour);
    AppendInt64(document.get(), "line", reject.line_number);
    AppendString(document.get(), "reason", ValidUtf8(reject.reason));
    AppendString(document.get(), "text",
                 ValidUtf8(std::string_view(reject.text).substr(0, kMaxRejectedTextBytes)));
    documents.push_back(std::move(document));
  }
  bson_append_array_end(&id, &ids);
  bson_append_document_end(selector.get(), &id);

  absl::Status deleted = database_->DeleteMany(collection, *selector);
  if (!deleted.ok()) return deleted;
  std::unique_ptr<PooledClient> client = database_->Client();
  BulkWrite bulk(client->Collection(collection), database_->Namespace(collection));
  for (const BsonPtr& document : documents) {
    absl::Status added = bulk.Insert(document.get());
    if (!added.ok()) return added;
  }
  absl::StatusOr<BulkWriteOutcome> outcome = bulk.Execute(documents.size());
  if (!outcome.ok()) return outcome.status();
  // A duplicate is the same line written by a concurrent retry.
  std::erase_if(outcome->errors,
                [](const BulkWriteError& error) { return error.code == kDuplicateKeyCode; });
  return outcome->FirstErrorStatus("writing rejects to " + database_->Namespace(collection));
}

std::vector<ActorKey> MongoEventStore::NewActorKeys(const std::vector<BatchEvent>& events,
                                                    const std::vector<std::string>& time_formats) {
  std::vector<ActorKey> keys;
  absl::flat_hash_set<std::string> batch_ids;
  std::lock_guard<std::mutex> lock(known_actor_keys_mutex_);
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& event = events[i].event;
    if (event.actor_login.empty() || time_formats[i].empty()) continue;
    ActorKey key{AsciiToLower(event.actor_login), event.actor_login, UtcMonth(event.created_at),
                 time_formats[i]};
    std::string id = key.Id();
    if (known_actor_keys_.contains(id) || !batch_ids.insert(std::move(id)).second) continue;
    keys.push_back(std::move(key));
  }
  return keys;
}

absl::Status MongoEventStore::WriteActorKeys(const std::vector<ActorKey>& keys) {
  if (keys.empty()) return absl::OkStatus();
  std::unique_ptr<PooledClient> client = database_->Client();
  const std::string& collection = database_->collections().actors;
  BulkWrite bulk(client->Collection(collection), database_->Namespace(collection));
  for (const ActorKey& key : keys) {
    BsonPtr document = ActorDocument(key);
    absl::Status added = bulk.Insert(document.get());
    if (!added.ok()) return added;
  }
  absl::StatusOr<BulkWriteOutcome> outcome = bulk.Execute(keys.size());
  if (!outcome.ok()) return outcome.status();
  std::erase_if(outcome->errors,
                [](const BulkWriteError& error) { return error.code == kDuplicateKeyCode; });
  return outcome->FirstErrorStatus("writing to " + database_->Namespace(collection));
}

void MongoEventStore::RememberActorKeys(const std::vector<ActorKey>& keys) {
  std::lock_guard<std::mutex> lock(known_actor_keys_mutex_);
  if (known_actor_keys_.size() + keys.size() > kMaxKnownActorKeys) known_actor_keys_.clear();
  for (const ActorKey& key : keys) known_actor_keys_.insert(key.Id());
}

absl::Status MongoEventStore::MarkInFlight(std::string_view hour,
                                           const std::vector<std::string>& keys) {
  BsonPtr selector = NewBson();
  AppendString(selector.get(), "_id", hour);
  AppendString(selector.get(), "state", HourStateName(HourState::kLoading));
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendStringArray(&set, "in_flight_keys", keys);
  bson_append_document_end(update.get(), &set);
  return database_->RetryWhileUnavailable(
      Concat("marking a batch of hour ", hour), [&]() -> absl::Status {
        return database_->UpdateOne(database_->collections().jobs, *selector, *update).status();
      });
}

void MongoEventStore::CountInserted(std::string_view hour, int64_t inserted) {
  BsonPtr selector = NewBson();
  AppendString(selector.get(), "_id", hour);
  AppendString(selector.get(), "state", HourStateName(HourState::kLoading));
  BsonPtr update = BCON_NEW("$inc", "{", "events_stored", BCON_INT64(inserted), "version",
                            BCON_INT64(1), "}", "$unset", "{", "in_flight_keys", BCON_UTF8(""),
                            "}");
  absl::Status counted = database_->RetryWhileUnavailable(
      Concat("counting events of hour ", hour), [&]() -> absl::Status {
        return database_->UpdateOne(database_->collections().jobs, *selector, *update).status();
      });
  // The events are stored either way; only the count a crash recovery
  // would start from is short, and those events then count as duplicates.
  if (!counted.ok()) {
    spdlog::warn("hour={} could not add {} stored events to its ledger entry: {}", hour,
                 inserted, counted.message());
  }
}

}  // namespace ghloader
