// Tests for redacting passwords from connection strings before they reach
// logs, error messages or the ledger.
#include "common/uri.h"

#include <gtest/gtest.h>

namespace ghloader {
namespace {

TEST(RedactUriPasswordTest, ReplacesThePassword) {
  EXPECT_EQ(RedactUriPassword("mongodb://loader:s3cret@db1:27017/github"),
            "mongodb://loader:***@db1:27017/github");
  EXPECT_EQ(RedactUriPassword("https://user:pw@mirror.example/archive"),
            "https://user:***@mirror.example/archive");
}

TEST(RedactUriPasswordTest, KeepsHostsPathAndOptions) {
  EXPECT_EQ(RedactUriPassword("mongodb://a:b@h1:1,h2:2/db?w=majority&eventsCollection=e"),
            "mongodb://a:***@h1:1,h2:2/db?w=majority&eventsCollection=e");
  EXPECT_EQ(RedactUriPassword("mongodb+srv://a:b@cluster.example/db"),
            "mongodb+srv://a:***@cluster.example/db");
}

TEST(RedactUriPasswordTest, PasswordWithColonAndEncodedAt) {
  EXPECT_EQ(RedactUriPassword("mongodb://user:p:w%40x@host/db"), "mongodb://user:***@host/db");
}

TEST(RedactUriPasswordTest, LeavesValuesWithoutPasswordAlone) {
  EXPECT_EQ(RedactUriPassword("mongodb://127.0.0.1:27017/github"),
            "mongodb://127.0.0.1:27017/github");
  EXPECT_EQ(RedactUriPassword("mongodb://user@host/db"), "mongodb://user@host/db");
  EXPECT_EQ(RedactUriPassword("sqlite:ghloader.db"), "sqlite:ghloader.db");
  EXPECT_EQ(RedactUriPassword("/data/gharchive"), "/data/gharchive");
  EXPECT_EQ(RedactUriPassword("http://host/path/a@b"), "http://host/path/a@b");
  EXPECT_EQ(RedactUriPassword(""), "");
}

}  // namespace
}  // namespace ghloader
