#include "store/sqlite/sqlite_connection.h"

#include "common/strings.h"

namespace ghloader::sqlite {

absl::Status SqliteError(sqlite3* db, int code, std::string_view context) {
  std::string message = Concat("SQLite ", context, " failed: ",
                                     db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
      return absl::UnavailableError(message);
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return absl::FailedPreconditionError(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return absl::DataLossError(message);
    default:
      return absl::InternalError(message);
  }
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(other.statement_) {
  other.statement_ = nullptr;
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = other.statement_;
    other.statement_ = nullptr;
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(statement_); }

void Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                      SQLITE_UTF8);
}

void Statement::Bind(int index, int64_t value) { sqlite3_bind_int64(statement_, index, value); }

void Statement::Bind(int index, double value) { sqlite3_bind_double(statement_, index, value); }

void Statement::BindNull(int index) { sqlite3_bind_null(statement_, index); }

void Statement::BindOptional(int index, std::string_view text) {
  if (text.empty()) {
    BindNull(index);
  } else {
    Bind(index, text);
  }
}

absl::StatusOr<bool> Statement::Step() {
  int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  absl::Status error = SqliteError(db_, code, Concat("statement '",
                                                           sqlite3_sql(statement_), "'"));
  sqlite3_reset(statement_);
  return error;
}

absl::Status Statement::Run() {
  absl::StatusOr<bool> row = Step();
  Reset();
  return row.status();
}

void Statement::Reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::string_view Statement::ColumnText(int index) const {
  const unsigned char* text = sqlite3_column_text(statement_, index);
  if (text == nullptr) return {};
  return std::string_view(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(statement_, index)));
}

int64_t Statement::ColumnInt64(int index) const { return sqlite3_column_int64(statement_, index); }

double Statement::ColumnDouble(int index) const { return sqlite3_column_double(statement_, index); }

bool Statement::ColumnIsNull(int index) const {
  return sqlite3_column_type(statement_, index) == SQLITE_NULL;
}

absl::StatusOr<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                             int busy_timeout_ms) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int code = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (code != SQLITE_OK) {
    absl::Status error = SqliteError(db, code, Concat("open of '", path, "'"));
    sqlite3_close(db);
    return error;
  }
  std::unique_ptr<Connection> connection(new Connection(db));
  sqlite3_busy_timeout(db, busy_timeout_ms);

  // A 16 KiB page fits several 2-3 KB events. Against the 4 KiB default it
  // cuts a load's page writes and system calls, for about 25% less wall time
  // (see docs/benchmarks.md). The page size takes effect only on a new file,
  // so it is set before WAL mode. WAL lets queries read while a load writes.
  // synchronous=NORMAL in WAL mode keeps every committed transaction across a
  // process crash; only a power loss can drop the last ones.
  for (std::string_view pragma : {"PRAGMA page_size=16384", "PRAGMA journal_mode=WAL",
                                  "PRAGMA synchronous=NORMAL", "PRAGMA foreign_keys=ON",
                                  "PRAGMA temp_store=MEMORY"}) {
    absl::Status status = connection->Execute(pragma);
    if (sqlite3_errcode(db) == SQLITE_NOTADB) {
      return absl::InvalidArgumentError(
          Concat("'", path, "' is not an SQLite database; give --store sqlite:PATH a new file "
                 "or a store that ghloader created"));
    }
    if (!status.ok()) return status;
  }
  return connection;
}

Connection::~Connection() { sqlite3_close_v2(db_); }

absl::Status Connection::Execute(std::string_view sql) {
  std::string text(sql);
  char* error_text = nullptr;
  int code = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error_text);
  if (code == SQLITE_OK) return absl::OkStatus();
  absl::Status error = SqliteError(db_, code, Concat("'", sql.substr(0, 60), "'"));
  sqlite3_free(error_text);
  return error;
}

absl::StatusOr<Statement> Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* statement = nullptr;
  int code = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
  if (code != SQLITE_OK) {
    return SqliteError(db_, code, Concat("prepare of '", sql, "'"));
  }
  return Statement(db_, statement);
}

}  // namespace ghloader::sqlite
