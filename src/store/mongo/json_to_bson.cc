#include "store/mongo/json_to_bson.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include "common/strings.h"

namespace ghloader {
namespace {

using simdjson::dom::element;

absl::Status AppendValue(bson_t* parent, std::string_view key, element value);

absl::Status CheckKey(std::string_view key) {
  if (std::memchr(key.data(), '\0', key.size()) != nullptr) {
    return absl::InvalidArgumentError(
        Concat("key '", std::string_view(key.data(), std::strlen(key.data())),
               "\\u0000...' contains U+0000, which a BSON key cannot hold"));
  }
  return absl::OkStatus();
}

absl::Status TooLarge(std::string_view key) {
  return absl::InvalidArgumentError(
      Concat("the document is too large for BSON at key '", key, "'"));
}

absl::Status AppendObject(bson_t* parent, std::string_view key, simdjson::dom::object object) {
  bson_t child;
  if (!bson_append_document_begin(parent, key.data(), static_cast<int>(key.size()), &child)) {
    return TooLarge(key);
  }
  for (simdjson::dom::key_value_pair field : object) {
    absl::Status appended = CheckKey(field.key);
    if (appended.ok()) appended = AppendValue(&child, field.key, field.value);
    if (!appended.ok()) {
      bson_append_document_end(parent, &child);
      return appended;
    }
  }
  if (!bson_append_document_end(parent, &child)) return TooLarge(key);
  return absl::OkStatus();
}

absl::Status AppendArray(bson_t* parent, std::string_view key, simdjson::dom::array array) {
  bson_t child;
  if (!bson_append_array_begin(parent, key.data(), static_cast<int>(key.size()), &child)) {
    return TooLarge(key);
  }
  uint32_t index = 0;
  char index_buffer[16];
  for (element item : array) {
    const char* index_key = nullptr;
    size_t index_length = bson_uint32_to_string(index++, &index_key, index_buffer,
                                                sizeof(index_buffer));
    absl::Status appended = AppendValue(&child, std::string_view(index_key, index_length), item);
    if (!appended.ok()) {
      bson_append_array_end(parent, &child);
      return appended;
    }
  }
  if (!bson_append_array_end(parent, &child)) return TooLarge(key);
  return absl::OkStatus();
}

absl::Status AppendValue(bson_t* parent, std::string_view key, element value) {
  const char* key_data = key.data();
  int key_length = static_cast<int>(key.size());
  bool appended = true;
  switch (value.type()) {
    case simdjson::dom::element_type::OBJECT:
      return AppendObject(parent, key, value.get_object().value_unsafe());
    case simdjson::dom::element_type::ARRAY:
      return AppendArray(parent, key, value.get_array().value_unsafe());
    case simdjson::dom::element_type::STRING: {
      std::string_view text = value.get_string().value_unsafe();
      appended = bson_append_utf8(parent, key_data, key_length, text.data(),
                                  static_cast<int>(text.size()));
      break;
    }
    case simdjson::dom::element_type::INT64: {
      int64_t number = value.get_int64().value_unsafe();
      if (number >= std::numeric_limits<int32_t>::min() &&
          number <= std::numeric_limits<int32_t>::max()) {
        appended = bson_append_int32(parent, key_data, key_length, static_cast<int32_t>(number));
      } else {
        appended = bson_append_int64(parent, key_data, key_length, number);
      }
      break;
    }
    case simdjson::dom::element_type::UINT64:
      // Only values above the int64 maximum are typed UINT64; see the header.
      appended = bson_append_double(parent, key_data, key_length,
                                    static_cast<double>(value.get_uint64().value_unsafe()));
      break;
    case simdjson::dom::element_type::DOUBLE:
      appended = bson_append_double(parent, key_data, key_length, value.get_double().value_unsafe());
      break;
    case simdjson::dom::element_type::BOOL:
      appended = bson_append_bool(parent, key_data, key_length, value.get_bool().value_unsafe());
      break;
    case simdjson::dom::element_type::NULL_VALUE:
      appended = bson_append_null(parent, key_data, key_length);
      break;
  }
  if (!appended) return TooLarge(key);
  return absl::OkStatus();
}

}  // namespace

absl::Status JsonToBson::Convert(std::string_view json, std::string_view id, bson_t* out) {
  element document;
  simdjson::error_code error = parser_.parse(json.data(), json.size(), true).get(document);
  if (error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(Concat("not valid JSON: ", simdjson::error_message(error)));
  }
  if (document.get_object().get(root_) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError("the JSON text is not an object");
  }

  if (root_.at_key("_id").error() == simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        "the event has a top-level '_id' field, which the MongoDB store reserves for the "
        "event's idempotency key");
  }
  if (!bson_append_utf8(out, "_id", 3, id.data(), static_cast<int>(id.size()))) {
    return TooLarge("_id");
  }

  for (simdjson::dom::key_value_pair field : root_) {
    absl::Status appended = CheckKey(field.key);
    if (appended.ok()) appended = AppendValue(out, field.key, field.value);
    if (!appended.ok()) return appended;
  }
  return absl::OkStatus();
}

}  // namespace ghloader
