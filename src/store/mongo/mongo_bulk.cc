#include "store/mongo/mongo_bulk.h"

#include "common/strings.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/mongo_errors.h"

namespace ghloader {
namespace {

std::vector<BulkWriteError> ReadWriteErrors(const bson_t& reply, const char* field) {
  std::vector<BulkWriteError> errors;
  bson_iter_t iter;
  bson_iter_t item;
  if (!bson_iter_init_find(&iter, &reply, field) || !BSON_ITER_HOLDS_ARRAY(&iter) ||
      !bson_iter_recurse(&iter, &item)) {
    return errors;
  }
  while (bson_iter_next(&item)) {
    if (!BSON_ITER_HOLDS_DOCUMENT(&item)) continue;
    uint32_t length = 0;
    const uint8_t* data = nullptr;
    bson_iter_document(&item, &length, &data);
    bson_t error;
    if (!bson_init_static(&error, data, length)) continue;
    errors.push_back({static_cast<size_t>(GetInt64(error, "index")), GetInt64(error, "code"),
                      GetString(error, "errmsg")});
  }
  return errors;
}

}  // namespace

absl::Status BulkWriteOutcome::FirstErrorStatus(std::string_view action) const {
  if (errors.empty()) return absl::OkStatus();
  const BulkWriteError& first = errors.front();
  absl::StatusCode code = IsTransientServerCode(first.code) ? absl::StatusCode::kUnavailable
                                                            : absl::StatusCode::kInternal;
  return absl::Status(code, Concat("MongoDB ", action, " failed for ", errors.size(),
                                   " document(s), first: ", first.message, " (error ",
                                   first.code, ")"));
}

BulkWrite::BulkWrite(mongoc_collection_t* collection, std::string namespace_name)
    : namespace_name_(std::move(namespace_name)) {
  BsonPtr options = BCON_NEW("ordered", BCON_BOOL(false));
  bulk_ = mongoc_collection_create_bulk_operation_with_opts(collection, options.get());
}

BulkWrite::~BulkWrite() { mongoc_bulk_operation_destroy(bulk_); }

absl::Status BulkWrite::Insert(const bson_t* document) {
  static const bson_t* options = BCON_NEW("validate", BCON_BOOL(false));
  bson_error_t error;
  if (!mongoc_bulk_operation_insert_with_opts(bulk_, document, options, &error)) {
    return absl::InvalidArgumentError(
        Concat("the MongoDB driver refused the document: ", error.message));
  }
  return absl::OkStatus();
}

absl::StatusOr<BulkWriteOutcome> BulkWrite::Execute(size_t operations) {
  bson_t reply;
  bson_error_t error;
  bool succeeded = mongoc_bulk_operation_execute(bulk_, &reply, &error) != 0;

  BulkWriteOutcome outcome;
  outcome.inserted = GetInt64(reply, "nInserted");
  outcome.errors = ReadWriteErrors(reply, "writeErrors");
  std::vector<BulkWriteError> concern_errors = ReadWriteErrors(reply, "writeConcernErrors");

  absl::Status status;
  if (!concern_errors.empty()) {
    status = absl::UnavailableError(Concat("MongoDB write to ", namespace_name_,
                                           " was not acknowledged by the write concern: ",
                                           concern_errors.front().message));
  } else if (!succeeded) {
    // Failed as a whole unless every operation is accounted for by a
    // success or its own error.
    size_t accounted = static_cast<size_t>(outcome.inserted) + outcome.errors.size();
    if (outcome.errors.empty() || accounted < operations) {
      status = MongoErrorStatus(error, "bulk write to " + namespace_name_, &reply);
    }
  }
  bson_destroy(&reply);
  if (!status.ok()) return status;
  return outcome;
}

}  // namespace ghloader
