// Tests for the JSON to BSON conversion of the MongoDB store: fields, order
// and value types as in the JSON, keys kept literally (no Extended JSON),
// and the inputs BSON cannot hold.
#include "store/mongo/json_to_bson.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/strings.h"
#include "store/mongo/bson_document.h"

namespace ghloader {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

class JsonToBsonTest : public ::testing::Test {
 protected:
  void TearDown() override { bson_destroy(&document_); }

  absl::Status Convert(std::string_view json, std::string_view id = "key") {
    bson_reinit(&document_);
    return converter_.Convert(json, id, &document_);
  }

  // Keys of the document (or of the sub-document at `path`), in order.
  std::vector<std::string> Keys(const char* path = nullptr) {
    bson_iter_t iter;
    bson_iter_t child;
    bson_iter_init(&iter, &document_);
    if (path != nullptr) {
      EXPECT_TRUE(bson_iter_find_descendant(&iter, path, &child)) << path;
      EXPECT_TRUE(bson_iter_recurse(&child, &iter)) << path;
    }
    std::vector<std::string> keys;
    while (bson_iter_next(&iter)) keys.emplace_back(bson_iter_key(&iter));
    return keys;
  }

  bson_type_t TypeOf(const char* path) {
    bson_iter_t iter;
    bson_iter_t field;
    bson_iter_init(&iter, &document_);
    if (!bson_iter_find_descendant(&iter, path, &field)) return BSON_TYPE_EOD;
    return bson_iter_type(&field);
  }

  JsonToBson converter_;
  bson_t document_ = BSON_INITIALIZER;
};

TEST_F(JsonToBsonTest, IdComesFirstThenFieldsInOrder) {
  ASSERT_TRUE(Convert(R"({"type":"PushEvent","actor":{"login":"octo","id":1},"b":1,"a":2})",
                      "123@1420124401")
                  .ok());
  EXPECT_THAT(Keys(), ElementsAre("_id", "type", "actor", "b", "a"));
  EXPECT_THAT(Keys("actor"), ElementsAre("login", "id"));
  EXPECT_EQ(GetString(document_, "_id"), "123@1420124401");
  EXPECT_EQ(GetString(document_, "actor.login"), "octo");
}

TEST_F(JsonToBsonTest, IntegersStayIntegers) {
  ASSERT_TRUE(Convert(R"({"small":5,"negative":-7,"int32_max":2147483647,)"
                      R"("above_int32":2147483648,"below_int32":-2147483649,)"
                      R"("int64_max":9223372036854775807,"above_int64":18446744073709551615})")
                  .ok());
  EXPECT_EQ(TypeOf("small"), BSON_TYPE_INT32);
  EXPECT_EQ(TypeOf("negative"), BSON_TYPE_INT32);
  EXPECT_EQ(TypeOf("int32_max"), BSON_TYPE_INT32);
  EXPECT_EQ(TypeOf("above_int32"), BSON_TYPE_INT64);
  EXPECT_EQ(TypeOf("below_int32"), BSON_TYPE_INT64);
  EXPECT_EQ(TypeOf("int64_max"), BSON_TYPE_INT64);
  EXPECT_EQ(GetInt64(document_, "int64_max"), INT64_MAX);
  // Above the int64 maximum only a double can hold the value (see the header).
  EXPECT_EQ(TypeOf("above_int64"), BSON_TYPE_DOUBLE);
  EXPECT_DOUBLE_EQ(GetDouble(document_, "above_int64"), 18446744073709551615.0);
}

TEST_F(JsonToBsonTest, OtherValuesKeepTheirTypes) {
  ASSERT_TRUE(Convert(R"({"s":"text","d":1.5,"e":1e3,"t":true,"f":false,"n":null,)"
                      R"("a":[1,"x",[2]],"o":{}})")
                  .ok());
  EXPECT_EQ(TypeOf("s"), BSON_TYPE_UTF8);
  EXPECT_EQ(TypeOf("d"), BSON_TYPE_DOUBLE);
  EXPECT_EQ(TypeOf("e"), BSON_TYPE_DOUBLE);
  EXPECT_EQ(TypeOf("t"), BSON_TYPE_BOOL);
  EXPECT_EQ(TypeOf("f"), BSON_TYPE_BOOL);
  EXPECT_EQ(TypeOf("n"), BSON_TYPE_NULL);
  EXPECT_EQ(TypeOf("a"), BSON_TYPE_ARRAY);
  EXPECT_EQ(TypeOf("a.2"), BSON_TYPE_ARRAY);
  EXPECT_EQ(TypeOf("o"), BSON_TYPE_DOCUMENT);
  EXPECT_THAT(Keys("a"), ElementsAre("0", "1", "2"));
}

TEST_F(JsonToBsonTest, ExtendedJsonLookalikesStayLiteral) {
  ASSERT_TRUE(Convert(R"({"n":{"$numberLong":"5"},"d":{"$date":"2015-01-01T00:00:00Z"},)"
                      R"("o":{"$oid":"54a4d6b9e4b0e6d0b0a0a0a0"}})")
                  .ok());
  EXPECT_EQ(TypeOf("n"), BSON_TYPE_DOCUMENT);
  EXPECT_THAT(Keys("n"), ElementsAre("$numberLong"));
  EXPECT_EQ(GetString(document_, "n.$numberLong"), "5");
  EXPECT_EQ(TypeOf("d"), BSON_TYPE_DOCUMENT);
  EXPECT_EQ(GetString(document_, "d.$date"), "2015-01-01T00:00:00Z");
  EXPECT_EQ(TypeOf("o"), BSON_TYPE_DOCUMENT);
}

TEST_F(JsonToBsonTest, DottedAndDollarKeysAreKeptAsWritten) {
  ASSERT_TRUE(Convert(R"({"a.b":1,"$x":{"c.d":2}})").ok());
  EXPECT_THAT(Keys(), ElementsAre("_id", "a.b", "$x"));
  EXPECT_THAT(Keys("$x"), ElementsAre("c.d"));
}

TEST_F(JsonToBsonTest, StringsWithNulAndUnicodeRoundTrip) {
  ASSERT_TRUE(Convert(R"({"s":"a\u0000b","u":"\u00e9\ud83d\ude00"})").ok());
  bson_iter_t iter;
  ASSERT_TRUE(bson_iter_init_find(&iter, &document_, "s"));
  uint32_t length = 0;
  const char* text = bson_iter_utf8(&iter, &length);
  EXPECT_EQ(std::string(text, length), std::string("a\0b", 3));
  EXPECT_EQ(GetString(document_, "u"), "\xc3\xa9\xf0\x9f\x98\x80");
}

TEST_F(JsonToBsonTest, KeyWithNulIsInvalid) {
  absl::Status converted = Convert(R"({"ok":1,"bad\u0000key":2})");
  EXPECT_EQ(converted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(converted), HasSubstr("'bad\\u0000...'"));
  EXPECT_THAT(Message(converted), HasSubstr("U+0000"));
}

TEST_F(JsonToBsonTest, NestedKeyWithNulIsInvalid) {
  absl::Status converted = Convert(R"({"payload":{"list":[{"x\u0000":1}]}})");
  EXPECT_EQ(converted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(converted), HasSubstr("U+0000"));
}

TEST_F(JsonToBsonTest, OwnIdFieldIsInvalid) {
  absl::Status converted = Convert(R"({"_id":"mine","type":"PushEvent"})");
  EXPECT_EQ(converted.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(converted), HasSubstr("'_id'"));
  EXPECT_THAT(Message(converted), HasSubstr("idempotency key"));
}

TEST_F(JsonToBsonTest, NonObjectsAndBadJsonAreInvalid) {
  absl::Status array = Convert("[1,2]");
  EXPECT_EQ(array.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(array), HasSubstr("not an object"));
  absl::Status broken = Convert("{\"a\":");
  EXPECT_EQ(broken.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(broken), HasSubstr("not valid JSON"));
}

TEST_F(JsonToBsonTest, ConverterIsReusable) {
  ASSERT_TRUE(Convert(R"({"first":1})", "k1").ok());
  ASSERT_TRUE(Convert(R"({"second":2})", "k2").ok());
  EXPECT_THAT(Keys(), ElementsAre("_id", "second"));
  EXPECT_EQ(GetString(document_, "_id"), "k2");
}

}  // namespace
}  // namespace ghloader
