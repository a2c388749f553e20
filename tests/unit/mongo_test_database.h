// The MongoDB server the MongoDB store tests run against, named by
// GHLOADER_TEST_MONGODB_URI (e.g. mongodb://127.0.0.1:27017; any path is
// replaced). Each test gets a database of its own, dropped afterwards, and
// reads documents back through the C driver to check what was stored.
#ifndef GHLOADER_TESTS_UNIT_MONGO_TEST_DATABASE_H_
#define GHLOADER_TESTS_UNIT_MONGO_TEST_DATABASE_H_

#include <mongoc/mongoc.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "common/strings.h"
#include "store/mongo/bson_document.h"

namespace ghloader {

class MongoTestDatabase {
 public:
  // The server URI from the environment, or nullopt when it is not set.
  static std::optional<std::string> BaseUri() {
    const char* uri = std::getenv("GHLOADER_TEST_MONGODB_URI");
    if (uri == nullptr || *uri == '\0') return std::nullopt;
    return std::string(uri);
  }

  explicit MongoTestDatabase(std::string_view base_uri) {
    static std::atomic<int> counter{0};
    name_ = Concat("ghl_test_", getpid(), "_", counter++);

    // Splits "scheme://hosts[/path][?options]" around the path.
    size_t hosts_start = base_uri.find("://") + 3;
    size_t query_start = base_uri.find('?', hosts_start);
    std::string_view before_query = base_uri.substr(0, query_start);
    size_t path_start = before_query.find('/', hosts_start);
    hosts_ = std::string(before_query.substr(0, path_start));
    if (query_start != std::string_view::npos) options_ = base_uri.substr(query_start + 1);

    mongoc_init();
    client_ = mongoc_client_new(Uri("").c_str());
  }

  ~MongoTestDatabase() {
    mongoc_database_t* database = mongoc_client_get_database(client_, name_.c_str());
    bson_error_t error;
    mongoc_database_drop(database, &error);
    mongoc_database_destroy(database);
    mongoc_client_destroy(client_);
  }

  const std::string& name() const { return name_; }

  // The URI of this test's database, with `options` added to the server's.
  std::string Uri(std::string_view options) const {
    std::string all = options_;
    if (!options.empty()) all += Concat(all.empty() ? "" : "&", options);
    return Concat(hosts_, "/", name_, all.empty() ? "" : "?", all);
  }

  // The first document of `collection` matching the JSON `filter`; an empty
  // pointer when none does.
  BsonPtr FindOne(std::string_view collection, std::string_view filter) {
    BsonPtr query = bson_new_from_json(reinterpret_cast<const uint8_t*>(filter.data()),
                                       static_cast<ssize_t>(filter.size()), nullptr);
    mongoc_collection_t* handle =
        mongoc_client_get_collection(client_, name_.c_str(), std::string(collection).c_str());
    mongoc_cursor_t* cursor = mongoc_collection_find_with_opts(handle, query.get(), nullptr, nullptr);
    const bson_t* document = nullptr;
    BsonPtr found;
    if (mongoc_cursor_next(cursor, &document)) found = bson_copy(document);
    mongoc_cursor_destroy(cursor);
    mongoc_collection_destroy(handle);
    return found;
  }

  // Runs a database command given as JSON; false when it fails.
  bool Command(std::string_view json) {
    BsonPtr command = bson_new_from_json(reinterpret_cast<const uint8_t*>(json.data()),
                                         static_cast<ssize_t>(json.size()), nullptr);
    if (command.get() == nullptr) return false;
    bson_t reply;
    bson_error_t error;
    bool ran = mongoc_client_command_simple(client_, name_.c_str(), command.get(), nullptr,
                                            &reply, &error);
    bson_destroy(&reply);
    return ran;
  }

  int64_t Count(std::string_view collection, std::string_view filter = "{}") {
    BsonPtr query = bson_new_from_json(reinterpret_cast<const uint8_t*>(filter.data()),
                                       static_cast<ssize_t>(filter.size()), nullptr);
    mongoc_collection_t* handle =
        mongoc_client_get_collection(client_, name_.c_str(), std::string(collection).c_str());
    bson_error_t error;
    int64_t count =
        mongoc_collection_count_documents(handle, query.get(), nullptr, nullptr, nullptr, &error);
    mongoc_collection_destroy(handle);
    return count;
  }

 private:
  std::string name_;
  std::string hosts_;
  std::string options_;
  mongoc_client_t* client_ = nullptr;
};

}  // namespace ghloader

#endif  // GHLOADER_TESTS_UNIT_MONGO_TEST_DATABASE_H_
