#include "store/mongo/mongo_database.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <thread>

#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_driver.h"
#include "store/mongo/mongo_errors.h"

namespace ghloader {
namespace {

// A server that is down shows up within this time, and the loader's own
// backoff takes over; the driver's default is 30 s. The URI can set it.
constexpr int32_t kDefaultServerSelectionTimeoutMs = 5000;

// One index for createIndexes.
struct IndexSpec {
  std::string collection;
  std::string name;
  std::vector<std::pair<std::string, int32_t>> keys;
  // Applied where the server supports partial indexes (FerretDB 1.24 does
  // not; the index then covers every document).
  bson_t* partial_filter = nullptr;
};

BsonPtr CreateIndexCommand(const IndexSpec& index, bool with_partial_filter) {
  BsonPtr command = NewBson();
  AppendString(command.get(), "createIndexes", index.collection);
  bson_t indexes;
  bson_t entry;
  bson_t keys;
  bson_append_array_begin(command.get(), "indexes", -1, &indexes);
  bson_append_document_begin(&indexes, "0", -1, &entry);
  bson_append_document_begin(&entry, "key", -1, &keys);
  for (const auto& [field, direction] : index.keys) {
    bson_append_int32(&keys, field.data(), static_cast<int>(field.size()), direction);
  }
  bson_append_document_end(&entry, &keys);
  AppendString(&entry, "name", index.name);
  if (with_partial_filter && index.partial_filter != nullptr) {
    bson_append_document(&entry, "partialFilterExpression", -1, index.partial_filter);
  }
  bson_append_document_end(&indexes, &entry);
  bson_append_array_end(command.get(), &indexes);
  return command;
}

}  // namespace

PooledClient::PooledClient(mongoc_client_pool_t* pool, const std::string& database)
    : pool_(pool), client_(mongoc_client_pool_pop(pool)), database_(database) {}

PooledClient::~PooledClient() {
  for (mongoc_collection_t* collection : collections_) mongoc_collection_destroy(collection);
  mongoc_client_pool_push(pool_, client_);
}

mongoc_collection_t* PooledClient::Collection(const std::string& name) {
  collections_.push_back(mongoc_client_get_collection(client_, database_.c_str(), name.c_str()));
  return collections_.back();
}

absl::StatusOr<std::shared_ptr<MongoDatabase>> MongoDatabase::Open(MongoStoreConfig config,
                                                                   MongoOpenOptions options) {
  InitMongoDriver();
  std::shared_ptr<MongoDatabase> database(new MongoDatabase(std::move(config), options));
  absl::Status connected = database->Connect();
  if (!connected.ok()) return connected;
  absl::Status reachable = database->WaitForServer();
  if (!reachable.ok()) return reachable;
  if (!options.create_if_missing) {
    absl::Status exists = database->CheckEventsExist();
    if (!exists.ok()) return exists;
    return database;
  }
  absl::Status indexed = database->CreateIndexes();
  if (!indexed.ok()) return indexed;
  return database;
}

MongoDatabase::~MongoDatabase() {
  if (pool_ != nullptr) mongoc_client_pool_destroy(pool_);
  if (primary_ != nullptr) mongoc_read_prefs_destroy(primary_);
}

std::string MongoDatabase::Namespace(std::string_view collection) const {
  return Concat(config_.database, ".", collection);
}

std::unique_ptr<PooledClient> MongoDatabase::Client() const {
  return std::make_unique<PooledClient>(pool_, config_.database);
}

absl::Status MongoDatabase::Connect() {
  bson_error_t error;
  mongoc_uri_t* uri = mongoc_uri_new_with_error(config_.driver_uri.c_str(), &error);
  if (uri == nullptr) {
    return absl::InvalidArgumentError(
        Concat("invalid MongoDB URI for ", config_.description, ": ", error.message));
  }

  const mongoc_write_concern_t* uri_concern = mongoc_uri_get_write_concern(uri);
  if (mongoc_write_concern_get_w(uri_concern) == MONGOC_WRITE_CONCERN_W_DEFAULT &&
      !mongoc_write_concern_get_wmajority(uri_concern)) {
    mongoc_write_concern_t* majority = mongoc_write_concern_copy(uri_concern);
    mongoc_write_concern_set_wmajority(majority, mongoc_write_concern_get_wtimeout(majority));
    mongoc_uri_set_write_concern(uri, majority);
    mongoc_write_concern_destroy(majority);
  }
  if (!mongoc_uri_has_option(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri, MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
                                   kDefaultServerSelectionTimeoutMs);
  }

  pool_ = mongoc_client_pool_new_with_error(uri, &error);
  mongoc_uri_destroy(uri);
  if (pool_ == nullptr) {
    return absl::InvalidArgumentError(
        Concat("cannot use MongoDB URI for ", config_.description, ": ", error.message));
  }
  mongoc_client_pool_set_error_api(pool_, MONGOC_ERROR_API_VERSION_2);
  mongoc_client_pool_set_appname(pool_, "ghloader");
  primary_ = mongoc_read_prefs_new(MONGOC_READ_PRIMARY);
  return absl::OkStatus();
}

absl::Status MongoDatabase::WaitForServer() {
  absl::Time deadline = absl::Now() + options_.startup_retry_budget;
  absl::Duration backoff = options_.first_backoff;
  while (true) {
    std::unique_ptr<PooledClient> client = Client();
    BsonPtr ping = BCON_NEW("ping", BCON_INT32(1));
    bson_t reply;
    bson_error_t error;
    bool pinged = mongoc_client_command_simple(client->get(), "admin", ping.get(), nullptr,
                                               &reply, &error);
    bson_destroy(&reply);
    absl::Status status =
        pinged ? absl::OkStatus() : MongoErrorStatus(error, Concat("ping of ", config_.description));
    if (status.ok()) {
      mongoc_server_description_t* server =
          mongoc_client_select_server(client->get(), false, nullptr, &error);
      if (server != nullptr) {
        const bson_t* hello = mongoc_server_description_hello_response(server);
        int64_t max_bytes = GetInt64(*hello, "maxBsonObjectSize");
        if (max_bytes > 0) max_document_bytes_ = max_bytes;
        mongoc_server_description_destroy(server);
      }
      spdlog::info("connected to MongoDB at {} (max document size {} bytes)",
                   config_.description, max_document_bytes_);
      return absl::OkStatus();
    }
    if (!absl::IsUnavailable(status)) return status;
    if (absl::Now() + backoff > deadline) {
      return absl::UnavailableError(Concat(
          "MongoDB at ", config_.description, " is not reachable after trying for ",
          absl::FormatDuration(options_.startup_retry_budget), ": ", status.message(),
          "; check that the server is running and that --store names it"));
    }
    spdlog::warn("MongoDB at {} is not reachable: {}; retrying in {}", config_.description,
                 status.message(), absl::FormatDuration(backoff));
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

absl::Status MongoDatabase::CheckEventsExist() {
  std::unique_ptr<PooledClient> client = Client();
  mongoc_database_t* database = mongoc_client_get_database(client->get(), config_.database.c_str());
  bson_error_t error;
  bool exists = mongoc_database_has_collection(database, collections().events.c_str(), &error);
  mongoc_database_destroy(database);
  if (!exists && error.code != 0) {
    return MongoErrorStatus(error, Concat("listing the collections of ", config_.description));
  }
  if (!exists) {
    return absl::NotFoundError(Concat("MongoDB database ", config_.description,
                                      " has no collection '", collections().events,
                                      "'; load some hours into it first or pass the --store "
                                      "you loaded into"));
  }
  return absl::OkStatus();
}

absl::Status MongoDatabase::CreateIndexes() {
  BsonPtr timeline_actor = BCON_NEW("actor", "{", "$type", BCON_UTF8("string"), "}");
  BsonPtr timeline_login =
      BCON_NEW("actor_attributes.login", "{", "$type", BCON_UTF8("string"), "}");
  const MongoCollectionNames& names = collections();
  std::vector<IndexSpec> indexes = {
      {names.events, "actor_login_created_at", {{"actor.login", 1}, {"created_at", 1}}},
      {names.events, "timeline_login_created_at",
       {{"actor_attributes.login", 1}, {"created_at", 1}}, timeline_login.get()},
      {names.events, "timeline_actor_created_at", {{"actor", 1}, {"created_at", 1}},
       timeline_actor.get()},
      {names.actors, "login", {{"login", 1}}},
      {names.task_hours, "task_state_position", {{"task_id", 1}, {"state", 1}, {"position", 1}}},
      {names.task_users, "task_login", {{"task_id", 1}, {"login", 1}}},
      {names.tasks, "state_created_at", {{"state", 1}, {"created_at", 1}}},
      {names.tasks, "created_at", {{"created_at", -1}}},
  };

  std::unique_ptr<PooledClient> client = Client();
  mongoc_database_t* database = mongoc_client_get_database(client->get(), config_.database.c_str());
  absl::Status status;
  for (const IndexSpec& index : indexes) {
    bson_error_t error;
    bson_t reply;
    BsonPtr command = CreateIndexCommand(index, true);
    bool created = mongoc_database_write_command_with_opts(database, command.get(), nullptr,
                                                           &reply, &error);
    bson_destroy(&reply);
    if (!created && index.partial_filter != nullptr && error.code == kNotImplementedCode) {
      spdlog::debug("MongoDB at {} has no partial indexes; index {} covers all of {}",
                   config_.description, index.name, Namespace(index.collection));
      command = CreateIndexCommand(index, false);
      created = mongoc_database_write_command_with_opts(database, command.get(), nullptr, &reply,
                                                        &error);
      bson_destroy(&reply);
    }
    if (!created) {
      status = MongoErrorStatus(
          error, Concat("creating index ", index.name, " on ", Namespace(index.collection)));
      break;
    }
  }
  mongoc_database_destroy(database);
  return status;
}

absl::Status MongoDatabase::RetryWhileUnavailable(
    std::string_view what, const std::function<absl::Status()>& attempt) const {
  absl::Time deadline = absl::Now() + options_.operation_retry_budget;
  absl::Duration backoff = options_.first_backoff;
  for (int number = 1;; ++number) {
    absl::Status status = attempt();
    if (!absl::IsUnavailable(status) || absl::Now() + backoff > deadline) return status;
    spdlog::warn("{} on MongoDB at {} failed (attempt {}): {}; retrying in {}", what,
                 config_.description, number, status.message(), absl::FormatDuration(backoff));
    std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace ghloader
