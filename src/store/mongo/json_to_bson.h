// Converts one event's JSON text to the BSON document the MongoDB store
// writes: `_id` first, then every field of the JSON object in its order,
// with its value and type.
//
// The conversion walks simdjson's DOM rather than using libbson's JSON
// reader, because that reader interprets MongoDB Extended JSON: an object
// such as {"$numberLong": "5"} would become an int64 instead of staying the
// object the archive contains. Here every key is literal text.
//
// Value types:
//   - strings stay UTF-8 strings, booleans and null stay as they are;
//   - integers become int32 when they fit, else int64;
//   - integers above the int64 maximum (up to the uint64 maximum) become
//     doubles, as MongoDB's own JSON tools do; values above 2^53 lose
//     precision. Decimal128 would keep them exact, but FerretDB 1.24 drops
//     the connection on a Decimal128 value;
//   - other numbers (with a fraction or an exponent) become doubles.
//
//   JsonToBson converter;
//   bson_t document = BSON_INITIALIZER;
//   absl::Status converted = converter.Convert(event.json, event.key, &document);
#ifndef GHLOADER_STORE_MONGO_JSON_TO_BSON_H_
#define GHLOADER_STORE_MONGO_JSON_TO_BSON_H_

#include <bson/bson.h>
#include <simdjson.h>

#include <string_view>

#include "absl/status/status.h"

namespace ghloader {

// Not thread-safe: use one converter per thread. It reuses its buffers.
class JsonToBson {
 public:
  // Parses `json`, which must be a JSON object, and appends `_id: id` and
  // then its fields to `out`. InvalidArgument with the reason when the text
  // is not a JSON object, already has a top-level `_id`, or has a key that
  // BSON cannot store (one containing U+0000); `out` is then incomplete.
  absl::Status Convert(std::string_view json, std::string_view id, bson_t* out);

  // The object parsed by the last successful Convert; valid until the next.
  simdjson::dom::object root() const { return root_; }

 private:
  simdjson::dom::parser parser_;
  simdjson::dom::object root_;
};

}  // namespace ghloader

#endif  // GHLOADER_STORE_MONGO_JSON_TO_BSON_H_
