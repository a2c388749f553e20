#include "store/store_factory.h"

#include <charconv>
#include <filesystem>

#include "common/strings.h"
#include "common/uri.h"
#include "store/mongo/mongo_event_store.h"
#include "store/mongo/mongo_task_store.h"
#include "store/mongo/mongo_uri.h"
#include "store/sqlite/sqlite_event_store.h"
#include "store/sqlite/sqlite_task_store.h"

namespace ghloader {
namespace {

constexpr int kDefaultBusyTimeoutMs = 30000;

// Reads the options after '?' in "sqlite:PATH?busy_timeout_ms=N".
absl::Status ParseSqliteOptions(std::string_view uri, std::string_view query,
                                int& busy_timeout_ms) {
  while (!query.empty()) {
    size_t end = query.find('&');
    std::string_view option = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);

    size_t equals = option.find('=');
    std::string_view name = option.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? "" : option.substr(equals + 1);
    if (name != "busy_timeout_ms") {
      return absl::InvalidArgumentError(Concat("invalid --store '", uri, "': unknown option '",
                                               name, "'; the only option is busy_timeout_ms"));
    }
    auto parsed = std::from_chars(value.data(), value.data() + value.size(), busy_timeout_ms);
    if (parsed.ec != std::errc() || parsed.ptr != value.data() + value.size() ||
        busy_timeout_ms < 0) {
      return absl::InvalidArgumentError(Concat("invalid --store '", uri, "': busy_timeout_ms '",
                                               value, "' is not a number of milliseconds"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Stores> OpenSqliteStores(std::string_view uri, StoreOpenOptions options) {
  std::string_view rest = uri.substr(std::string_view("sqlite:").size());
  size_t question = rest.find('?');
  std::string path(rest.substr(0, question));
  int busy_timeout_ms = kDefaultBusyTimeoutMs;
  if (question != std::string_view::npos) {
    absl::Status parsed = ParseSqliteOptions(uri, rest.substr(question + 1), busy_timeout_ms);
    if (!parsed.ok()) return parsed;
  }
  if (path.empty()) {
    return absl::InvalidArgumentError(
        "invalid --store 'sqlite:': give a file path, e.g. sqlite:ghloader.db");
  }
  std::error_code error;
  if (!options.create_if_missing && !std::filesystem::exists(path, error)) {
    return absl::NotFoundError(Concat("store file '", path,
                                      "' does not exist; load some hours into it first "
                                      "or pass the --store you loaded into"));
  }
  absl::StatusOr<std::shared_ptr<SqliteDatabase>> database = SqliteDatabase::Open(path, busy_timeout_ms);
  if (!database.ok()) return database.status();

  Stores stores;
  stores.events = std::make_unique<SqliteEventStore>(*database);
  stores.tasks = std::make_unique<SqliteTaskStore>(*database);
  return stores;
}

absl::StatusOr<Stores> OpenMongoStores(std::string_view uri, StoreOpenOptions options) {
  absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri(uri);
  if (!config.ok()) return config.status();
  MongoOpenOptions open_options;
  open_options.create_if_missing = options.create_if_missing;
  // Read-only commands such as `query` should not keep a user waiting long.
  if (!options.create_if_missing) open_options.startup_retry_budget = absl::Seconds(10);
  absl::StatusOr<std::shared_ptr<MongoDatabase>> database =
      MongoDatabase::Open(*std::move(config), open_options);
  if (!database.ok()) return database.status();

  Stores stores;
  stores.events = std::make_unique<MongoEventStore>(*database);
  stores.tasks = std::make_unique<MongoTaskStore>(*database);
  return stores;
}

}  // namespace

absl::StatusOr<Stores> OpenStores(std::string_view uri, StoreOpenOptions options) {
  if (uri.starts_with("sqlite:")) return OpenSqliteStores(uri, options);
  if (IsMongoStoreUri(uri)) return OpenMongoStores(uri, options);
  return absl::InvalidArgumentError(
      Concat("unsupported --store '", RedactUriPassword(uri), "': expected sqlite:PATH, e.g. ", kDefaultStore,
             ", or a MongoDB URI, e.g. mongodb://127.0.0.1:27017/github"));
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenEventStore(std::string_view uri,
                                                           StoreOpenOptions options) {
  absl::StatusOr<Stores> stores = OpenStores(uri, options);
  if (!stores.ok()) return stores.status();
  return std::move(stores->events);
}

}  // namespace ghloader
