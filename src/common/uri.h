// Connection strings as they may appear in logs and error messages.
#ifndef GHLOADER_COMMON_URI_H_
#define GHLOADER_COMMON_URI_H_

#include <string>
#include <string_view>

namespace ghloader {

// Returns `uri` with the password of its user information replaced by
// "***", e.g. "mongodb://loader:***@db1:27017/github". Values without a
// scheme or without a password come back unchanged.
std::string RedactUriPassword(std::string_view uri);

}  // namespace ghloader

#endif  // GHLOADER_COMMON_URI_H_
