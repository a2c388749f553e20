// Single MongoDB operations of MongoDatabase: find, aggregate, update,
// insert and count, each returning a status that names the collection.
#include "common/strings.h"
#include "store/mongo/mongo_database.h"
#include "store/mongo/mongo_errors.h"

namespace ghloader {
namespace {

absl::StatusOr<std::vector<BsonPtr>> DrainCursor(mongoc_cursor_t* cursor,
                                                 std::string_view action) {
  std::vector<BsonPtr> documents;
  const bson_t* document = nullptr;
  while (mongoc_cursor_next(cursor, &document)) documents.emplace_back(bson_copy(document));

  bson_error_t error;
  const bson_t* reply = nullptr;
  absl::Status status;
  if (mongoc_cursor_error_document(cursor, &error, &reply)) {
    status = MongoErrorStatus(error, action, reply);
  }
  mongoc_cursor_destroy(cursor);
  if (!status.ok()) return status;
  return documents;
}

}  // namespace

absl::StatusOr<std::vector<BsonPtr>> MongoDatabase::Find(
    std::string_view collection, const bson_t& filter, const bson_t* options,
    const mongoc_read_prefs_t* read_prefs) const {
  std::unique_ptr<PooledClient> client = Client();
  mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(
      client->Collection(std::string(collection)), &filter, options, read_prefs);
  return DrainCursor(cursor, Concat("find in ", Namespace(collection)));
}

absl::StatusOr<std::vector<BsonPtr>> MongoDatabase::Aggregate(
    std::string_view collection, const bson_t& pipeline,
    const mongoc_read_prefs_t* read_prefs) const {
  std::unique_ptr<PooledClient> client = Client();
  mongoc_cursor_t* cursor =
      mongoc_collection_aggregate(client->Collection(std::string(collection)),
                                  MONGOC_QUERY_NONE, &pipeline, nullptr, read_prefs);
  return DrainCursor(cursor, Concat("aggregation on ", Namespace(collection)));
}

absl::StatusOr<int64_t> MongoDatabase::UpdateOne(std::string_view collection,
                                                 const bson_t& selector,
                                                 const bson_t& update) const {
  std::unique_ptr<PooledClient> client = Client();
  bson_t reply;
  bson_error_t error;
  bool updated = mongoc_collection_update_one(client->Collection(std::string(collection)),
                                              &selector, &update, nullptr, &reply, &error);
  absl::StatusOr<int64_t> matched = GetInt64(reply, "matchedCount");
  if (!updated) matched = MongoErrorStatus(error, Concat("update in ", Namespace(collection)), &reply);
  bson_destroy(&reply);
  return matched;
}

absl::Status MongoDatabase::DeleteMany(std::string_view collection,
                                       const bson_t& selector) const {
  std::unique_ptr<PooledClient> client = Client();
  bson_t reply;
  bson_error_t error;
  bool deleted = mongoc_collection_delete_many(client->Collection(std::string(collection)),
                                               &selector, nullptr, &reply, &error);
  absl::Status status;
  if (!deleted) {
    status = MongoErrorStatus(error, Concat("delete in ", Namespace(collection)), &reply);
  }
  bson_destroy(&reply);
  return status;
}

absl::Status MongoDatabase::InsertOne(std::string_view collection,
                                      const bson_t& document) const {
  std::unique_ptr<PooledClient> client = Client();
  bson_t reply;
  bson_error_t error;
  bool inserted = mongoc_collection_insert_one(client->Collection(std::string(collection)),
                                               &document, nullptr, &reply, &error);
  absl::Status status;
  if (!inserted) status = MongoErrorStatus(error, Concat("insert into ", Namespace(collection)), &reply);
  bson_destroy(&reply);
  return status;
}

absl::StatusOr<int64_t> MongoDatabase::CountDocuments(std::string_view collection,
                                                      const bson_t& filter) const {
  std::unique_ptr<PooledClient> client = Client();
  bson_t reply;
  bson_error_t error;
  int64_t count = mongoc_collection_count_documents(client->Collection(std::string(collection)),
                                                    &filter, nullptr, primary_, &reply, &error);
  absl::StatusOr<int64_t> result = count;
  if (count < 0) {
    result = MongoErrorStatus(error, Concat("count in ", Namespace(collection)), &reply);
  }
  bson_destroy(&reply);
  return result;
}

}  // namespace ghloader
