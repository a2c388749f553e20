#include "store/store_factory.h"

#include <filesystem>

#include "common/strings.h"
#include "store/sqlite/sqlite_event_store.h"

namespace ghloader {

absl::StatusOr<std::unique_ptr<EventStore>> OpenEventStore(std::string_view uri,
                                                           StoreOpenOptions options) {
  if (uri.starts_with("sqlite:")) {
    std::string path(uri.substr(7));
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
    return std::make_unique<SqliteEventStore>(*database);
  }
  return absl::InvalidArgumentError(Concat(
      "unsupported --store '", uri, "': expected sqlite:PATH, e.g. ", kDefaultStore));
}

}  // namespace ghloader
