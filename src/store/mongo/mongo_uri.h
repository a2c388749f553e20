// The `--store` value for MongoDB: a standard MongoDB connection string,
// whose path names the database, plus options naming the collections.
//
//   mongodb://[USER:PASSWORD@]HOST[:PORT][,HOST...]/[DATABASE][?OPTIONS]
//   mongodb+srv://[USER:PASSWORD@]SERVICE/[DATABASE][?OPTIONS]
//
// DATABASE defaults to `github`. Besides the driver's own options (write
// concern `w`, `readPreference`, timeouts, TLS, ...), these options rename
// collections; their defaults are the names shown:
//   eventsCollection=events        the events, as the archive has them
//   jobsCollection=jobs            the ledger: one entry per archive hour
//   rejectsCollection=rejects      lines and events that could not be stored
//   actorsCollection=actors        lower-cased login -> spellings, months
//   tasksCollection=tasks          asynchronous load tasks
//   taskHoursCollection=task_hours the hours of each task
//   taskUsersCollection=task_users the logins each task touched
// They are removed before the driver parses the string.
#ifndef GHLOADER_STORE_MONGO_MONGO_URI_H_
#define GHLOADER_STORE_MONGO_MONGO_URI_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace ghloader {

inline constexpr std::string_view kDefaultMongoDatabase = "github";

struct MongoCollectionNames {
  std::string events = "events";
  std::string jobs = "jobs";
  std::string rejects = "rejects";
  std::string actors = "actors";
  std::string tasks = "tasks";
  std::string task_hours = "task_hours";
  std::string task_users = "task_users";
};

struct MongoStoreConfig {
  std::string driver_uri;  // The connection string without the options above.
  std::string database;
  MongoCollectionNames collections;
  // "mongodb://HOST:PORT,.../DATABASE", without credentials or options.
  std::string description;
};

// True for values that name a MongoDB store.
bool IsMongoStoreUri(std::string_view uri);

// Parses a `--store` value. InvalidArgument naming the value and what is
// wrong for a malformed string, database name or collection name.
absl::StatusOr<MongoStoreConfig> ParseMongoStoreUri(std::string_view uri);

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_URI_H_
