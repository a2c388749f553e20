#include "store/store_factory.h"

#include <filesystem>

#include "common/strings.h"
#include "store/sqlite/sqlite_event_store.h"
#include "store/sqlite/sqlite_task_store.h"

namespace ghloader {
namespace {

absl::StatusOr<Stores> OpenSqliteStores(std::string_view uri, StoreOpenOptions options) {
  std::string path(uri.substr(std::string_view("sqlite:").size()));
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
  absl::StatusOr<std::shared_ptr<SqliteDatabase>> database = SqliteDatabase::Open(path);
  if (!database.ok()) return database.status();

  Stores stores;
  stores.events = std::make_unique<SqliteEventStore>(*database);
  stores.tasks = std::make_unique<SqliteTaskStore>(*database);
  return stores;
}

}  // namespace

absl::StatusOr<Stores> OpenStores(std::string_view uri, StoreOpenOptions options) {
  if (uri.starts_with("sqlite:")) return OpenSqliteStores(uri, options);
  return absl::InvalidArgumentError(
      Concat("unsupported --store '", uri, "': expected sqlite:PATH, e.g. ", kDefaultStore));
}

absl::StatusOr<std::unique_ptr<EventStore>> OpenEventStore(std::string_view uri,
                                                           StoreOpenOptions options) {
  absl::StatusOr<Stores> stores = OpenStores(uri, options);
  if (!stores.ok()) return stores.status();
  return std::move(stores->events);
}

}  // namespace ghloader
