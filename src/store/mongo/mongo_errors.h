// Maps errors of the MongoDB C driver to absl::Status codes the loader acts
// on: Unavailable for what a retry can fix (no server reachable, a dropped
// connection, a primary that stepped down, a write concern timeout), and
// the closest canonical code otherwise.
#ifndef GHLOADER_STORE_MONGO_MONGO_ERRORS_H_
#define GHLOADER_STORE_MONGO_MONGO_ERRORS_H_

#include <bson/bson.h>

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"

namespace ghloader {

inline constexpr int32_t kDuplicateKeyCode = 11000;
inline constexpr int32_t kNotImplementedCode = 238;

// True for server error codes that the MongoDB retryable-writes and
// retryable-reads specifications list as transient, plus write concern
// timeouts.
bool IsTransientServerCode(int64_t code);

// Converts a driver error (with the server reply, when there is one, for its
// error labels) into a status whose message names `action`, e.g.
// "insert into github.events".
absl::Status MongoErrorStatus(const bson_error_t& error, std::string_view action,
                              const bson_t* reply = nullptr);

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_MONGO_ERRORS_H_
