// A thin RAII layer over the SQLite C API: connections, prepared statements,
// and errors turned into absl::Status.
#ifndef GHLOADER_STORE_SQLITE_SQLITE_CONNECTION_H_
#define GHLOADER_STORE_SQLITE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ghloader::sqlite {

class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  // Parameters are numbered from 1, as in SQLite.
  void Bind(int index, std::string_view text);
  void Bind(int index, int64_t value);
  void Bind(int index, double value);
  void BindNull(int index);
  // Binds NULL for an empty string.
  void BindOptional(int index, std::string_view text);

  // Returns true while a row is available, false once the statement is done.
  absl::StatusOr<bool> Step();
  // Runs a statement that returns no rows.
  absl::Status Run();
  // Makes the statement ready to run again with new bindings.
  void Reset();

  std::string_view ColumnText(int index) const;
  int64_t ColumnInt64(int index) const;
  double ColumnDouble(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
};

class Connection {
 public:
  // Opens (creating if needed) the database at `path`, in WAL mode. A
  // statement waits up to `busy_timeout_ms` for another writer's lock.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path,
                                                          int busy_timeout_ms);
  ~Connection();

  absl::Status Execute(std::string_view sql);
  absl::StatusOr<Statement> Prepare(std::string_view sql);
  int64_t Changes() const { return sqlite3_changes64(db_); }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

// Maps an SQLite result code to a status; busy and I/O errors are
// Unavailable so callers can retry them.
absl::Status SqliteError(sqlite3* db, int code, std::string_view context);

}  // namespace ghloader::sqlite

#endif  // GHLOADER_STORE_SQLITE_SQLITE_CONNECTION_H_
