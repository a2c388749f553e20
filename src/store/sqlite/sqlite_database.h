// One SQLite file and its connections: one write connection behind a mutex
// takes all writes, and queries use a small pool of read connections, which
// WAL mode lets run during a load. The event store and the task store share
// it.
#ifndef GHLOADER_STORE_SQLITE_SQLITE_DATABASE_H_
#define GHLOADER_STORE_SQLITE_SQLITE_DATABASE_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "store/sqlite/sqlite_connection.h"

namespace ghloader {

// The connections to one SQLite file, shared by the stores built on it.
class SqliteDatabase {
 public:
  // Opens or creates the file and its schema. Writes wait up to
  // `busy_timeout_ms` for another process's write lock, then fail as
  // Unavailable.
  static absl::StatusOr<std::shared_ptr<SqliteDatabase>> Open(const std::string& path,
                                                              int busy_timeout_ms = 30000);

  const std::string& path() const { return path_; }

  // Runs `work` on the write connection inside one transaction, serialized
  // with all other writers of this process.
  absl::Status WithWriteTransaction(
      const std::function<absl::Status(sqlite::Connection&)>& work);

  // Runs `work` on a read connection from the pool.
  absl::Status WithReadConnection(
      const std::function<absl::Status(sqlite::Connection&)>& work);

 private:
  SqliteDatabase(std::string path, int busy_timeout_ms)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms) {}
  absl::Status CreateSchema();

  std::string path_;
  int busy_timeout_ms_;
  std::mutex write_mutex_;
  std::unique_ptr<sqlite::Connection> writer_;
  std::mutex readers_mutex_;
  std::vector<std::unique_ptr<sqlite::Connection>> idle_readers_;
};

// Times are stored as microseconds since the Unix epoch, 0 for none.
int64_t ToMicros(absl::Time time);
absl::Time FromMicros(int64_t micros);

}  // namespace ghloader

#endif  // GHLOADER_STORE_SQLITE_SQLITE_DATABASE_H_
