// The hour ledger of MongoEventStore (the jobs collection): claims, lease
// renewals, completions and releases, each one single-document operation
// guarded by a filter, since FerretDB has no multi-document transactions.
#include <random>

#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_event_store.h"

namespace ghloader {
namespace {

// A claim is a compare-and-set on `version`, which every ledger write
// increments; a claim that loses the race reads the entry again. Bounded so
// that a bug cannot spin forever.
constexpr int kMaxClaimConflicts = 100;

struct LedgerEntry {
  HourRecord record;
  int64_t version = 0;
  std::string claim_id;
  // True while the hour has never ended (loaded, missing or failed): its
  // events were new when first written, except replays from other hours.
  bool fresh = false;
  // Keys of a batch sent but not yet counted (see MarkInFlight).
  std::vector<std::string> in_flight_keys;
};

LedgerEntry ReadLedgerEntry(const bson_t& document) {
  LedgerEntry entry;
  HourRecord& record = entry.record;
  record.hour = GetString(document, "_id");
  record.state = ParseHourState(GetString(document, "state")).value_or(HourState::kPending);
  HourStats& stats = record.stats;
  stats.lines = GetInt64(document, "lines");
  stats.events_stored = GetInt64(document, "events_stored");
  stats.duplicates = GetInt64(document, "duplicates");
  stats.lines_rejected = GetInt64(document, "lines_rejected");
  stats.lines_repaired = GetInt64(document, "lines_repaired");
  stats.compressed_bytes = GetInt64(document, "compressed_bytes");
  stats.decompressed_bytes = GetInt64(document, "decompressed_bytes");
  stats.seconds = GetDouble(document, "seconds");
  stats.fingerprint = GetString(document, "fingerprint");
  record.source = GetString(document, "source");
  record.error = GetString(document, "error");
  record.lease_owner = GetString(document, "lease_owner");
  record.lease_expires_at = GetTime(document, "lease_expires_at");
  record.fencing_token = GetInt64(document, "fencing_token");
  record.updated_at = GetTime(document, "updated_at");
  entry.version = GetInt64(document, "version");
  entry.claim_id = GetString(document, "claim_id");
  entry.fresh = GetBool(document, "fresh");
  entry.in_flight_keys = GetStringArray(document, "in_flight_keys");
  return entry;
}

absl::StatusOr<std::optional<LedgerEntry>> FindLedgerEntry(const MongoDatabase& database,
                                                           std::string_view hour) {
  BsonPtr filter = NewBson();
  AppendString(filter.get(), "_id", hour);
  absl::StatusOr<std::vector<BsonPtr>> found =
      database.Find(database.collections().jobs, *filter, nullptr, database.primary());
  if (!found.ok()) return found.status();
  if (found->empty()) return std::optional<LedgerEntry>();
  return std::optional<LedgerEntry>(ReadLedgerEntry(*found->front()));
}

std::string NewClaimId() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("{:016x}{:016x}", random(), random());
}

absl::Status LeaseTakenOver(const Lease& lease) {
  return absl::FailedPreconditionError(Concat("lease on hour ", lease.hour,
                                              " with fencing token ", lease.fencing_token,
                                              " was taken over by another loader"));
}

// The fields a claim sets, for an update's $set or a new entry.
void AppendClaimFields(bson_t* fields, const Lease& lease, const std::string& claim_id,
                       bool fresh, absl::Time now) {
  AppendBool(fields, "fresh", fresh);
  AppendString(fields, "state", HourStateName(HourState::kLoading));
  AppendString(fields, "lease_owner", lease.owner);
  AppendTime(fields, "lease_expires_at", lease.expires_at);
  AppendInt64(fields, "fencing_token", lease.fencing_token);
  AppendString(fields, "claim_id", claim_id);
  AppendInt64(fields, "events_stored", lease.events_stored_before);
  AppendTime(fields, "updated_at", now);
}

// Appends $unset of the lease fields and the version increment.
void AppendEndLease(bson_t* update) {
  bson_t unset;
  bson_append_document_begin(update, "$unset", -1, &unset);
  AppendString(&unset, "lease_owner", "");
  AppendString(&unset, "lease_expires_at", "");
  AppendString(&unset, "claim_id", "");
  bson_append_document_end(update, &unset);
  bson_t inc;
  bson_append_document_begin(update, "$inc", -1, &inc);
  AppendInt64(&inc, "version", 1);
  bson_append_document_end(update, &inc);
}

Lease LeaseFromEntry(const LedgerEntry& entry) {
  const HourRecord& record = entry.record;
  return Lease{record.hour, record.lease_owner, record.fencing_token, record.lease_expires_at,
               record.stats.events_stored};
}

// What the unfinished attempts at an hour stored: the counted batches, plus
// the events of a batch that was in flight when its loader died, which
// exist now. Those are new events only while the hour is fresh; otherwise
// (a forced reload) they may have existed before, and are left out.
absl::StatusOr<int64_t> CountStoredBefore(const MongoDatabase& database,
                                          const LedgerEntry& entry) {
  int64_t stored = entry.record.stats.events_stored;
  if (!entry.fresh || entry.in_flight_keys.empty()) return stored;
  BsonPtr filter = NewBson();
  bson_t id;
  bson_append_document_begin(filter.get(), "_id", 3, &id);
  AppendStringArray(&id, "$in", entry.in_flight_keys);
  bson_append_document_end(filter.get(), &id);
  absl::StatusOr<int64_t> landed = database.CountDocuments(database.collections().events, *filter);
  if (!landed.ok()) return landed.status();
  return stored + *landed;
}

}  // namespace

absl::StatusOr<std::optional<HourRecord>> MongoEventStore::GetHour(std::string_view hour) {
  absl::StatusOr<std::optional<HourRecord>> result;
  absl::Status read = database_->RetryWhileUnavailable(Concat("reading hour ", hour), [&] {
    result = ReadHour(hour);
    return result.status();
  });
  if (!read.ok()) return read;
  return result;
}

absl::StatusOr<std::optional<HourRecord>> MongoEventStore::ReadHour(std::string_view hour) {
  absl::StatusOr<std::optional<LedgerEntry>> entry = FindLedgerEntry(*database_, hour);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value()) return std::optional<HourRecord>();
  return std::optional<HourRecord>((*entry)->record);
}

absl::StatusOr<ClaimResult> MongoEventStore::ClaimHour(std::string_view hour,
                                                       std::string_view owner,
                                                       absl::Duration lease_duration,
                                                       bool force) {
  // A retry compares the claim id to learn whether the attempt before it,
  // whose reply was lost, claimed the hour after all.
  std::string claim_id = NewClaimId();
  absl::StatusOr<ClaimResult> result;
  absl::Status claimed = database_->RetryWhileUnavailable(Concat("claiming hour ", hour), [&] {
    result = TryClaimHour(hour, owner, lease_duration, force, claim_id);
    return result.status();
  });
  if (!claimed.ok()) return claimed;
  return result;
}

absl::StatusOr<ClaimResult> MongoEventStore::TryClaimHour(std::string_view hour,
                                                          std::string_view owner,
                                                          absl::Duration lease_duration,
                                                          bool force,
                                                          const std::string& claim_id) {
  const std::string& jobs = database_->collections().jobs;
  for (int conflicts = 0; conflicts < kMaxClaimConflicts; ++conflicts) {
    absl::StatusOr<std::optional<LedgerEntry>> current = FindLedgerEntry(*database_, hour);
    if (!current.ok()) return current.status();

    ClaimResult result;
    absl::Time now = absl::Now();
    int64_t token = 1;
    if (current->has_value()) {
      const LedgerEntry& entry = **current;
      if (entry.claim_id == claim_id) {
        result.lease = LeaseFromEntry(entry);
        return result;
      }
      result.current = entry.record;
      token = entry.record.fencing_token + 1;
      if (entry.record.state == HourState::kLoaded && !force) {
        result.outcome = ClaimOutcome::kAlreadyLoaded;
        return result;
      }
      if (entry.record.state == HourState::kLoading && entry.record.lease_expires_at > now) {
        result.outcome = ClaimOutcome::kHeldByOther;
        return result;
      }
    }

    result.outcome = ClaimOutcome::kClaimed;
    result.lease = Lease{std::string(hour), std::string(owner), token, now + lease_duration};
    bool unfinished = current->has_value() && ((*current)->record.state == HourState::kLoading ||
                                               (*current)->record.state == HourState::kPending);
    bool fresh = !current->has_value() || (unfinished && (*current)->fresh);
    if (unfinished) {
      absl::StatusOr<int64_t> stored_before = CountStoredBefore(*database_, **current);
      if (!stored_before.ok()) return stored_before.status();
      result.lease.events_stored_before = *stored_before;
    }

    if (!current->has_value()) {
      BsonPtr entry = NewBson();
      AppendString(entry.get(), "_id", hour);
      AppendInt64(entry.get(), "version", 1);
      AppendClaimFields(entry.get(), result.lease, claim_id, fresh, now);
      absl::Status inserted = database_->InsertOne(jobs, *entry);
      if (inserted.ok()) return result;
      if (!absl::IsAlreadyExists(inserted)) return inserted;
      continue;  // Another loader created the entry first.
    }

    BsonPtr selector = NewBson();
    AppendString(selector.get(), "_id", hour);
    AppendInt64(selector.get(), "version", (*current)->version);
    BsonPtr update = NewBson();
    bson_t set;
    bson_append_document_begin(update.get(), "$set", -1, &set);
    AppendClaimFields(&set, result.lease, claim_id, fresh, now);
    bson_append_document_end(update.get(), &set);
    BsonPtr unset = BCON_NEW("error", BCON_UTF8(""), "in_flight_keys", BCON_UTF8(""));
    bson_append_document(update.get(), "$unset", -1, unset.get());
    BsonPtr inc = BCON_NEW("version", BCON_INT64(1));
    bson_append_document(update.get(), "$inc", -1, inc.get());
    absl::StatusOr<int64_t> matched = database_->UpdateOne(jobs, *selector, *update);
    if (!matched.ok()) return matched.status();
    if (*matched == 1) return result;
  }
  return absl::AbortedError(Concat("hour ", hour, " changed ", kMaxClaimConflicts,
                                   " times while being claimed; try the claim again"));
}

absl::Status MongoEventStore::UpdateLeasedHour(const Lease& lease, bson_t* update,
                                               std::string_view action) {
  BsonPtr selector = NewBson();
  AppendString(selector.get(), "_id", lease.hour);
  AppendInt64(selector.get(), "fencing_token", lease.fencing_token);
  return database_->RetryWhileUnavailable(
      Concat(action, " of hour ", lease.hour), [&]() -> absl::Status {
        absl::StatusOr<int64_t> matched =
            database_->UpdateOne(database_->collections().jobs, *selector, *update);
        if (!matched.ok()) return matched.status();
        if (*matched == 0) return LeaseTakenOver(lease);
        return absl::OkStatus();
      });
}

absl::Status MongoEventStore::RenewLease(Lease& lease, absl::Duration lease_duration) {
  absl::Time expires_at = absl::Now() + lease_duration;
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendTime(&set, "lease_expires_at", expires_at);
  bson_append_document_end(update.get(), &set);
  BsonPtr inc = BCON_NEW("version", BCON_INT64(1));
  bson_append_document(update.get(), "$inc", -1, inc.get());

  absl::Status renewed = UpdateLeasedHour(lease, update.get(), "lease renewal");
  if (renewed.ok()) lease.expires_at = expires_at;
  return renewed;
}

absl::Status MongoEventStore::CompleteHour(const Lease& lease, const HourRecord& record) {
  const HourStats& stats = record.stats;
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendString(&set, "state", HourStateName(record.state));
  AppendInt64(&set, "lines", stats.lines);
  AppendInt64(&set, "events_stored", stats.events_stored);
  AppendInt64(&set, "duplicates", stats.duplicates);
  AppendInt64(&set, "lines_rejected", stats.lines_rejected);
  AppendInt64(&set, "lines_repaired", stats.lines_repaired);
  AppendInt64(&set, "compressed_bytes", stats.compressed_bytes);
  AppendInt64(&set, "decompressed_bytes", stats.decompressed_bytes);
  AppendDouble(&set, "seconds", stats.seconds);
  AppendString(&set, "fingerprint", stats.fingerprint);
  AppendString(&set, "source", record.source);
  AppendString(&set, "error", record.error);
  AppendTime(&set, "updated_at", absl::Now());
  bson_append_document_end(update.get(), &set);
  AppendEndLease(update.get());
  return UpdateLeasedHour(lease, update.get(), "completion");
}

absl::Status MongoEventStore::ReleaseHour(const Lease& lease) {
  BsonPtr update = NewBson();
  bson_t set;
  bson_append_document_begin(update.get(), "$set", -1, &set);
  AppendString(&set, "state", HourStateName(HourState::kPending));
  AppendTime(&set, "updated_at", absl::Now());
  bson_append_document_end(update.get(), &set);
  AppendEndLease(update.get());
  return UpdateLeasedHour(lease, update.get(), "release");
}

}  // namespace ghloader
