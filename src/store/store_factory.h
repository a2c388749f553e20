// Opens the stores that a `--store` value names: the event store (events,
// hour ledger, rejects) and the task store, which share one backend.
#ifndef GHLOADER_STORE_STORE_FACTORY_H_
#define GHLOADER_STORE_STORE_FACTORY_H_

#include <memory>
#include <string_view>

#include "absl/status/statusor.h"
#include "store/event_store.h"
#include "tasks/task_store.h"

namespace ghloader {

inline constexpr std::string_view kDefaultStore = "sqlite:ghloader.db";

struct StoreOpenOptions {
  // When false, a store that does not exist yet is NotFound instead of being
  // created (for read-only commands such as `query`).
  bool create_if_missing = true;
};

struct Stores {
  std::unique_ptr<EventStore> events;
  std::unique_ptr<TaskStore> tasks;
};

// Accepts `sqlite:PATH` and MongoDB URIs (`mongodb://...`, `mongodb+srv://...`,
// see store/mongo/mongo_uri.h). Errors name the value and list the accepted forms:
// InvalidArgument for a malformed value, NotFound for a missing store that
// may not be created, and the store's own error otherwise.
absl::StatusOr<Stores> OpenStores(std::string_view uri, StoreOpenOptions options = {});

// Opens only the event store; see OpenStores.
absl::StatusOr<std::unique_ptr<EventStore>> OpenEventStore(std::string_view uri,
                                                           StoreOpenOptions options = {});

}  // namespace ghloader

#endif  // GHLOADER_STORE_STORE_FACTORY_H_
