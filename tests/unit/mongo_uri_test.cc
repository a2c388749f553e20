// Tests for `--store mongodb://...` values: the database from the path, the
// collection-name options, and errors that name the bad value.
#include "store/mongo/mongo_uri.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/strings.h"
#include "store/store_factory.h"

namespace ghloader {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Message(const absl::Status& status) { return std::string(ToStdView(status.message())); }

TEST(MongoUriTest, DefaultsWithoutPathOrOptions) {
  absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri("mongodb://127.0.0.1:27017");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->database, "github");
  EXPECT_EQ(config->collections.events, "events");
  EXPECT_EQ(config->collections.jobs, "jobs");
  EXPECT_EQ(config->collections.tasks, "tasks");
  EXPECT_EQ(config->collections.rejects, "rejects");
  EXPECT_EQ(config->description, "mongodb://127.0.0.1:27017/github");
}

TEST(MongoUriTest, PathNamesTheDatabase) {
  absl::StatusOr<MongoStoreConfig> config =
      ParseMongoStoreUri("mongodb://127.0.0.1:27017,127.0.0.2:27018/archive?w=1");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->database, "archive");
  EXPECT_EQ(config->description, "mongodb://127.0.0.1:27017,127.0.0.2:27018/archive");
  EXPECT_EQ(config->driver_uri, "mongodb://127.0.0.1:27017,127.0.0.2:27018/archive?w=1");
}

TEST(MongoUriTest, CollectionOptionsAreTakenOut) {
  absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri(
      "mongodb://127.0.0.1/db?eventsCollection=ev&w=majority&JOBSCOLLECTION=hours"
      "&tasksCollection=t&taskHoursCollection=th&taskUsersCollection=tu"
      "&rejectsCollection=rj&actorsCollection=ac&readPreference=secondaryPreferred");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->collections.events, "ev");
  EXPECT_EQ(config->collections.jobs, "hours");
  EXPECT_EQ(config->collections.tasks, "t");
  EXPECT_EQ(config->collections.task_hours, "th");
  EXPECT_EQ(config->collections.task_users, "tu");
  EXPECT_EQ(config->collections.rejects, "rj");
  EXPECT_EQ(config->collections.actors, "ac");
  EXPECT_EQ(config->driver_uri,
            "mongodb://127.0.0.1/db?w=majority&readPreference=secondaryPreferred");
}

TEST(MongoUriTest, DescriptionHasNoCredentials) {
  absl::StatusOr<MongoStoreConfig> config =
      ParseMongoStoreUri("mongodb://user:secret@127.0.0.1:27017/db?authSource=admin");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_THAT(config->description, Not(HasSubstr("secret")));
  EXPECT_THAT(config->description, Not(HasSubstr("user")));
  EXPECT_EQ(config->description, "mongodb://127.0.0.1:27017/db");
}

TEST(MongoUriTest, SrvUriIsAccepted) {
  EXPECT_TRUE(IsMongoStoreUri("mongodb+srv://cluster.example.test/db"));
  EXPECT_TRUE(IsMongoStoreUri("mongodb://127.0.0.1"));
  EXPECT_FALSE(IsMongoStoreUri("sqlite:ghloader.db"));
  EXPECT_FALSE(IsMongoStoreUri("mongo://127.0.0.1"));
}

TEST(MongoUriTest, MalformedUriIsInvalidArgument) {
  absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri("mongodb://");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), HasSubstr("'mongodb://'"));
  EXPECT_THAT(Message(config.status()), HasSubstr("mongodb://HOST[:PORT]/DATABASE"));
}

TEST(MongoUriTest, BadDatabaseNameIsInvalidArgument) {
  absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri("mongodb://127.0.0.1/my$db");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(config.status()), HasSubstr("'mongodb://127.0.0.1/my$db'"));
  EXPECT_THAT(Message(config.status()), HasSubstr("database name"));
}

TEST(MongoUriTest, BadCollectionNamesAreInvalidArgument) {
  for (std::string_view uri : {"mongodb://127.0.0.1/db?eventsCollection=",
                               "mongodb://127.0.0.1/db?eventsCollection=a$b",
                               "mongodb://127.0.0.1/db?jobsCollection=system.jobs"}) {
    absl::StatusOr<MongoStoreConfig> config = ParseMongoStoreUri(uri);
    ASSERT_FALSE(config.ok()) << uri;
    EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument) << uri;
    EXPECT_THAT(Message(config.status()), HasSubstr("Collection")) << uri;
    EXPECT_THAT(Message(config.status()), HasSubstr(std::string(uri))) << uri;
  }
}

TEST(MongoUriTest, FactoryNamesBothAcceptedForms) {
  absl::StatusOr<Stores> stores = OpenStores("postgres://127.0.0.1/db");
  ASSERT_FALSE(stores.ok());
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(stores.status()), HasSubstr("sqlite:PATH"));
  EXPECT_THAT(Message(stores.status()), HasSubstr("mongodb://"));
}

TEST(MongoUriTest, FactoryReportsBadMongoUri) {
  absl::StatusOr<Stores> stores = OpenStores("mongodb://127.0.0.1/bad.name");
  ASSERT_FALSE(stores.ok());
  EXPECT_EQ(stores.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(stores.status()), HasSubstr("'mongodb://127.0.0.1/bad.name'"));
  EXPECT_THAT(Message(stores.status()), HasSubstr("database name"));
}

}  // namespace
}  // namespace ghloader
