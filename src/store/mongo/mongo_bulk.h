// An unordered bulk insert (mongoc_bulk_operation_t) with its reply read
// into per-document errors, so that callers can tell a document the server
// refused from a write that failed as a whole. The store writes many
// documents only by inserting them: FerretDB 1.24 can stall on an update
// command that contains several updates.
#ifndef GHLOADER_STORE_MONGO_MONGO_BULK_H_
#define GHLOADER_STORE_MONGO_MONGO_BULK_H_

#include <mongoc/mongoc.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace ghloader {

struct BulkWriteError {
  size_t index = 0;  // Position of the operation in the bulk write.
  int64_t code = 0;  // Server error code, e.g. 11000 for a duplicate key.
  std::string message;
};

struct BulkWriteOutcome {
  int64_t inserted = 0;
  std::vector<BulkWriteError> errors;

  // OK without errors; otherwise the first error, naming `action`.
  absl::Status FirstErrorStatus(std::string_view action) const;
};

class BulkWrite {
 public:
  // An unordered bulk write on `collection`, named `namespace_name` in
  // messages. The documents are not validated by the driver: the server
  // decides which keys it accepts.
  BulkWrite(mongoc_collection_t* collection, std::string namespace_name);
  BulkWrite(const BulkWrite&) = delete;
  BulkWrite& operator=(const BulkWrite&) = delete;
  ~BulkWrite();

  // Adds a document; the bulk write keeps a copy. InvalidArgument when the
  // driver refuses it.
  absl::Status Insert(const bson_t* document);

  // Sends the `operations` added so far. Per-document errors are in the
  // outcome. Returns an error status when the write failed as a whole
  // (Unavailable for a lost connection or an unmet write concern), also
  // when some documents may have been written.
  absl::StatusOr<BulkWriteOutcome> Execute(size_t operations);

 private:
  mongoc_bulk_operation_t* bulk_;
  std::string namespace_name_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_BULK_H_
