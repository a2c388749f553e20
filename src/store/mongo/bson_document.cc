#include "store/mongo/bson_document.h"

namespace ghloader {
namespace {

int KeyLength(std::string_view key) { return static_cast<int>(key.size()); }

bool FindField(const bson_t& document, const char* path, bson_iter_t& field) {
  bson_iter_t iter;
  if (!bson_iter_init(&iter, &document)) return false;
  return bson_iter_find_descendant(&iter, path, &field);
}

}  // namespace

void AppendString(bson_t* document, std::string_view key, std::string_view value) {
  bson_append_utf8(document, key.data(), KeyLength(key), value.data(),
                   static_cast<int>(value.size()));
}

void AppendInt64(bson_t* document, std::string_view key, int64_t value) {
  bson_append_int64(document, key.data(), KeyLength(key), value);
}

void AppendBool(bson_t* document, std::string_view key, bool value) {
  bson_append_bool(document, key.data(), KeyLength(key), value);
}

void AppendDouble(bson_t* document, std::string_view key, double value) {
  bson_append_double(document, key.data(), KeyLength(key), value);
}

void AppendTime(bson_t* document, std::string_view key, absl::Time value) {
  bson_append_date_time(document, key.data(), KeyLength(key), absl::ToUnixMillis(value));
}

void AppendStringArray(bson_t* document, std::string_view key,
                       const std::vector<std::string>& values) {
  bson_t array;
  bson_append_array_begin(document, key.data(), KeyLength(key), &array);
  char index_buffer[16];
  uint32_t index = 0;
  for (const std::string& value : values) {
    const char* index_key = nullptr;
    size_t index_length =
        bson_uint32_to_string(index++, &index_key, index_buffer, sizeof(index_buffer));
    bson_append_utf8(&array, index_key, static_cast<int>(index_length), value.data(),
                     static_cast<int>(value.size()));
  }
  bson_append_array_end(document, &array);
}

std::string GetString(const bson_t& document, const char* path) {
  bson_iter_t field;
  if (!FindField(document, path, field) || !BSON_ITER_HOLDS_UTF8(&field)) return {};
  uint32_t length = 0;
  const char* text = bson_iter_utf8(&field, &length);
  return std::string(text, length);
}

int64_t GetInt64(const bson_t& document, const char* path) {
  bson_iter_t field;
  if (!FindField(document, path, field) || !BSON_ITER_HOLDS_NUMBER(&field)) return 0;
  return bson_iter_as_int64(&field);
}

double GetDouble(const bson_t& document, const char* path) {
  bson_iter_t field;
  if (!FindField(document, path, field) || !BSON_ITER_HOLDS_NUMBER(&field)) return 0;
  return BSON_ITER_HOLDS_DOUBLE(&field) ? bson_iter_double(&field)
                                        : static_cast<double>(bson_iter_as_int64(&field));
}

bool GetBool(const bson_t& document, const char* path) {
  bson_iter_t field;
  if (!FindField(document, path, field)) return false;
  return bson_iter_as_bool(&field);
}

absl::Time GetTime(const bson_t& document, const char* path) {
  bson_iter_t field;
  if (!FindField(document, path, field) || !BSON_ITER_HOLDS_DATE_TIME(&field)) {
    return absl::InfinitePast();
  }
  return absl::FromUnixMillis(bson_iter_date_time(&field));
}

std::vector<std::string> GetStringArray(const bson_t& document, const char* path) {
  std::vector<std::string> values;
  bson_iter_t field;
  bson_iter_t item;
  if (!FindField(document, path, field) || !BSON_ITER_HOLDS_ARRAY(&field) ||
      !bson_iter_recurse(&field, &item)) {
    return values;
  }
  while (bson_iter_next(&item)) {
    if (!BSON_ITER_HOLDS_UTF8(&item)) continue;
    uint32_t length = 0;
    const char* text = bson_iter_utf8(&item, &length);
    values.emplace_back(text, length);
  }
  return values;
}

std::string BsonToJson(const bson_t& document) {
  size_t length = 0;
  char* json = bson_as_relaxed_extended_json(&document, &length);
  if (json == nullptr) return "(not valid BSON)";
  std::string text(json, length);
  bson_free(json);
  return text;
}

}  // namespace ghloader
