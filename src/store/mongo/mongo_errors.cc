#include "store/mongo/mongo_errors.h"

#include <mongoc/mongoc.h>

#include "common/strings.h"

namespace ghloader {
namespace {

constexpr int32_t kUnauthorizedCode = 13;
constexpr int32_t kAuthenticationFailedCode = 18;

absl::StatusCode CodeFor(const bson_error_t& error, const bson_t* reply) {
  if (reply != nullptr && (mongoc_error_has_label(reply, "RetryableWriteError") ||
                           mongoc_error_has_label(reply, "TransientTransactionError"))) {
    return absl::StatusCode::kUnavailable;
  }
  switch (error.domain) {
    case MONGOC_ERROR_STREAM:
    case MONGOC_ERROR_SERVER_SELECTION:
      return absl::StatusCode::kUnavailable;
    case MONGOC_ERROR_CLIENT:
      if (error.code == MONGOC_ERROR_CLIENT_AUTHENTICATE) {
        return absl::StatusCode::kUnauthenticated;
      }
      return absl::StatusCode::kInternal;
    case MONGOC_ERROR_COMMAND:
      if (error.code == MONGOC_ERROR_COMMAND_INVALID_ARG) {
        return absl::StatusCode::kInvalidArgument;
      }
      break;
    default:
      break;
  }

  // Server errors (error API version 2 reports them in MONGOC_ERROR_SERVER
  // and MONGOC_ERROR_WRITE_CONCERN with the server's own code).
  if (IsTransientServerCode(error.code)) return absl::StatusCode::kUnavailable;
  switch (error.code) {
    case kDuplicateKeyCode: return absl::StatusCode::kAlreadyExists;
    case kUnauthorizedCode: return absl::StatusCode::kPermissionDenied;
    case kAuthenticationFailedCode: return absl::StatusCode::kUnauthenticated;
    case kNotImplementedCode: return absl::StatusCode::kUnimplemented;
    default: return absl::StatusCode::kInternal;
  }
}

}  // namespace

bool IsTransientServerCode(int64_t code) {
  switch (code) {
    case 6:      // HostUnreachable
    case 7:      // HostNotFound
    case 63:     // StaleShardVersion
    case 64:     // WriteConcernFailed (wtimeout)
    case 89:     // NetworkTimeout
    case 91:     // ShutdownInProgress
    case 134:    // ReadConcernMajorityNotAvailableYet
    case 150:    // StaleEpoch
    case 189:    // PrimarySteppedDown
    case 262:    // ExceededTimeLimit
    case 9001:   // SocketException
    case 10107:  // NotWritablePrimary
    case 11600:  // InterruptedAtShutdown
    case 11602:  // InterruptedDueToReplStateChange
    case 13388:  // StaleConfig
    case 13435:  // NotPrimaryNoSecondaryOk
    case 13436:  // NotPrimaryOrSecondary
      return true;
    default:
      return false;
  }
}

absl::Status MongoErrorStatus(const bson_error_t& error, std::string_view action,
                              const bson_t* reply) {
  return absl::Status(CodeFor(error, reply),
                      Concat("MongoDB ", action, " failed: ", error.message, " (error ",
                             error.domain, ".", error.code, ")"));
}

}  // namespace ghloader
