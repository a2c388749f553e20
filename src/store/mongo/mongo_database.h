// One MongoDB database and its connection pool, shared by the event store
// and the task store built on it: opening it (waiting for the server with
// backoff), the indexes the queries need, pooled clients for each thread,
// and the retry of operations while the server is unavailable.
#ifndef GHLOADER_STORE_MONGO_MONGO_DATABASE_H_
#define GHLOADER_STORE_MONGO_MONGO_DATABASE_H_

#include <mongoc/mongoc.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_uri.h"

namespace ghloader {

struct MongoOpenOptions {
  // When false, a database without the events collection is NotFound, and
  // no index is created (for read-only commands such as `query`).
  bool create_if_missing = true;
  // How long Open keeps trying an unreachable server before it gives up.
  absl::Duration startup_retry_budget = absl::Minutes(1);
  // How long ledger and task operations are retried while the server is
  // unavailable. Event batches are retried by the loader instead.
  absl::Duration operation_retry_budget = absl::Minutes(2);
  absl::Duration first_backoff = absl::Seconds(1);
  absl::Duration max_backoff = absl::Seconds(15);
};

// A client taken from the pool for the current thread, and the collection
// handles opened through it; both go back when this object is destroyed.
class PooledClient {
 public:
  PooledClient(mongoc_client_pool_t* pool, const std::string& database);
  PooledClient(const PooledClient&) = delete;
  PooledClient& operator=(const PooledClient&) = delete;
  ~PooledClient();

  mongoc_client_t* get() const { return client_; }
  // A handle to a collection of the database, valid while this object lives.
  mongoc_collection_t* Collection(const std::string& name);

 private:
  mongoc_client_pool_t* pool_;
  mongoc_client_t* client_;
  std::string database_;
  std::vector<mongoc_collection_t*> collections_;
};

class MongoDatabase {
 public:
  // Connects, waiting with backoff while the server cannot be reached, and
  // creates the indexes. The write concern is the URI's, or w=majority when
  // the URI sets none. Unavailable when the server stayed unreachable for
  // the whole start-up budget.
  static absl::StatusOr<std::shared_ptr<MongoDatabase>> Open(MongoStoreConfig config,
                                                             MongoOpenOptions options = {});

  MongoDatabase(const MongoDatabase&) = delete;
  MongoDatabase& operator=(const MongoDatabase&) = delete;
  ~MongoDatabase();

  const MongoStoreConfig& config() const { return config_; }
  const MongoCollectionNames& collections() const { return config_.collections; }
  // The server's maximum document size (maxBsonObjectSize).
  int64_t max_document_bytes() const { return max_document_bytes_; }
  // "database.collection", for messages.
  std::string Namespace(std::string_view collection) const;

  // Takes a client from the pool; blocks while all clients are in use.
  std::unique_ptr<PooledClient> Client() const;

  // Primary read preference, for ledger and task reads that must see the
  // latest writes whatever the URI's readPreference says.
  const mongoc_read_prefs_t* primary() const { return primary_; }

  // Single operations, each on a client of its own. Errors name the
  // collection; see MongoErrorStatus for their codes.
  //
  // Documents matching `filter`, with find options such as sort and limit.
  absl::StatusOr<std::vector<BsonPtr>> Find(std::string_view collection, const bson_t& filter,
                                            const bson_t* options,
                                            const mongoc_read_prefs_t* read_prefs) const;
  // The documents an aggregation pipeline (a BSON array) returns.
  absl::StatusOr<std::vector<BsonPtr>> Aggregate(std::string_view collection,
                                                 const bson_t& pipeline,
                                                 const mongoc_read_prefs_t* read_prefs) const;
  // Updates the first document matching `selector`; returns how many
  // matched (0 or 1).
  absl::StatusOr<int64_t> UpdateOne(std::string_view collection, const bson_t& selector,
                                    const bson_t& update) const;
  absl::Status DeleteMany(std::string_view collection, const bson_t& selector) const;
  // AlreadyExists when a document with the same `_id` exists.
  absl::Status InsertOne(std::string_view collection, const bson_t& document) const;
  absl::StatusOr<int64_t> CountDocuments(std::string_view collection, const bson_t& filter) const;

  // Runs `attempt` until it returns anything but Unavailable, sleeping with
  // backoff between tries, for at most the operation retry budget. The
  // attempt must be safe to repeat after a try whose outcome is unknown.
  absl::Status RetryWhileUnavailable(std::string_view what,
                                     const std::function<absl::Status()>& attempt) const;

 private:
  MongoDatabase(MongoStoreConfig config, MongoOpenOptions options)
      : config_(std::move(config)), options_(options) {}

  absl::Status Connect();
  absl::Status WaitForServer();
  absl::Status CheckEventsExist();
  absl::Status CreateIndexes();

  MongoStoreConfig config_;
  MongoOpenOptions options_;
  mongoc_client_pool_t* pool_ = nullptr;
  mongoc_read_prefs_t* primary_ = nullptr;
  int64_t max_document_bytes_ = 16 * 1024 * 1024;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_DATABASE_H_
