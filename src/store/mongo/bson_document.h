// Small helpers over libbson for the MongoDB store: an owning handle for
// documents, typed appends from std::string_view and absl::Time, and typed
// reads of (dotted) fields with defaults for missing ones.
#ifndef GHLOADER_STORE_MONGO_BSON_DOCUMENT_H_
#define GHLOADER_STORE_MONGO_BSON_DOCUMENT_H_

#include <bson/bson.h>

#include <cstdint>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"

namespace ghloader {

// Owns a document allocated by libbson (bson_new, BCON_NEW, bson_copy) and
// destroys it. Implicit from bson_t* so that `BsonPtr x = BCON_NEW(...)`
// reads like the libbson examples. (std::unique_ptr<bson_t> would drop the
// alignment attribute libbson puts on bson_t, with a warning.)
class BsonPtr {
 public:
  BsonPtr() = default;
  BsonPtr(bson_t* document) : document_(document) {}  // NOLINT: takes ownership.
  BsonPtr(BsonPtr&& other) noexcept : document_(std::exchange(other.document_, nullptr)) {}
  BsonPtr& operator=(BsonPtr&& other) noexcept {
    std::swap(document_, other.document_);
    return *this;
  }
  BsonPtr(const BsonPtr&) = delete;
  BsonPtr& operator=(const BsonPtr&) = delete;
  ~BsonPtr() {
    if (document_ != nullptr) bson_destroy(document_);
  }

  bson_t* get() const { return document_; }
  bson_t& operator*() const { return *document_; }

 private:
  bson_t* document_ = nullptr;
};

inline BsonPtr NewBson() { return BsonPtr(bson_new()); }

void AppendString(bson_t* document, std::string_view key, std::string_view value);
void AppendInt64(bson_t* document, std::string_view key, int64_t value);
void AppendBool(bson_t* document, std::string_view key, bool value);
void AppendDouble(bson_t* document, std::string_view key, double value);
// Appends a BSON date (milliseconds since the Unix epoch).
void AppendTime(bson_t* document, std::string_view key, absl::Time value);
// Appends an array of strings.
void AppendStringArray(bson_t* document, std::string_view key,
                       const std::vector<std::string>& values);

// Reads a field by dotted path ("a.b"); missing fields or other types give
// the default. Integer reads accept int32, int64 and double values.
std::string GetString(const bson_t& document, const char* path);
int64_t GetInt64(const bson_t& document, const char* path);
double GetDouble(const bson_t& document, const char* path);
bool GetBool(const bson_t& document, const char* path);
// A missing or non-date field gives absl::InfinitePast().
absl::Time GetTime(const bson_t& document, const char* path);
// The strings of an array field; other elements are skipped.
std::vector<std::string> GetStringArray(const bson_t& document, const char* path);

// The document as relaxed Extended JSON, for log and error messages.
std::string BsonToJson(const bson_t& document);

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_BSON_DOCUMENT_H_
