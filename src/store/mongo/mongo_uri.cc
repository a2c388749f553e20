#include "store/mongo/mongo_uri.h"

#include <mongoc/mongoc.h>

#include <memory>
#include <utility>
#include <vector>

#include "common/strings.h"
#include "common/uri.h"
#include "store/mongo/mongo_driver.h"

namespace ghloader {
namespace {

constexpr std::string_view kExample = "mongodb://127.0.0.1:27017/github";

struct UriDeleter {
  void operator()(mongoc_uri_t* uri) const { mongoc_uri_destroy(uri); }
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return AsciiToLower(a) == AsciiToLower(b);
}

// Collection-name options and where each one goes.
std::vector<std::pair<std::string_view, std::string MongoCollectionNames::*>> CollectionOptions() {
  return {{"eventsCollection", &MongoCollectionNames::events},
          {"jobsCollection", &MongoCollectionNames::jobs},
          {"rejectsCollection", &MongoCollectionNames::rejects},
          {"actorsCollection", &MongoCollectionNames::actors},
          {"tasksCollection", &MongoCollectionNames::tasks},
          {"taskHoursCollection", &MongoCollectionNames::task_hours},
          {"taskUsersCollection", &MongoCollectionNames::task_users}};
}

absl::Status CheckCollectionName(std::string_view shown_uri, std::string_view option,
                                 std::string_view name) {
  std::string_view problem;
  if (name.empty()) {
    problem = "is empty";
  } else if (name.find('$') != std::string_view::npos ||
             name.find('\0') != std::string_view::npos) {
    problem = "contains '$' or a NUL character";
  } else if (name.starts_with("system.")) {
    problem = "starts with 'system.', which MongoDB reserves";
  }
  if (problem.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(Concat("invalid --store '", shown_uri, "': ", option, " '", name,
                                           "' ", problem, "; give a plain collection name"));
}

absl::Status CheckDatabaseName(std::string_view shown_uri, std::string_view name) {
  constexpr std::string_view kForbidden = "/\\. \"$";
  if (name.size() < 64 && name.find_first_of(kForbidden) == std::string_view::npos) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      Concat("invalid --store '", shown_uri, "': database name '", name,
             "' is longer than 63 bytes or contains one of / \\ . space \" $; e.g. ", kExample));
}

// Splits off the collection options from the query part of `uri`.
absl::StatusOr<std::string> TakeCollectionOptions(std::string_view uri,
                                                  MongoCollectionNames& names) {
  size_t query_start = uri.find('?', uri.find("://") + 3);
  if (query_start == std::string_view::npos) return std::string(uri);

  std::string driver_uri(uri.substr(0, query_start));
  std::string kept_options;
  std::string_view query = uri.substr(query_start + 1);
  while (!query.empty()) {
    size_t end = query.find_first_of("&;");
    std::string_view option = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
    if (option.empty()) continue;

    size_t equals = option.find('=');
    std::string_view key = option.substr(0, equals);
    std::string_view value = equals == std::string_view::npos ? "" : option.substr(equals + 1);
    bool taken = false;
    for (const auto& [name, field] : CollectionOptions()) {
      if (!EqualsIgnoreCase(key, name)) continue;
      absl::Status valid = CheckCollectionName(RedactUriPassword(uri), name, value);
      if (!valid.ok()) return valid;
      names.*field = std::string(value);
      taken = true;
    }
    if (taken) continue;
    kept_options += kept_options.empty() ? "" : "&";
    kept_options += option;
  }
  if (!kept_options.empty()) driver_uri += "?" + kept_options;
  return driver_uri;
}

std::string Describe(const mongoc_uri_t& uri, std::string_view database) {
  std::string description;
  if (const char* service = mongoc_uri_get_srv_hostname(&uri); service != nullptr) {
    description = Concat("mongodb+srv://", service);
  } else {
    description = "mongodb://";
    bool first = true;
    for (const mongoc_host_list_t* host = mongoc_uri_get_hosts(&uri); host != nullptr;
         host = host->next) {
      description += Concat(first ? "" : ",", host->host_and_port);
      first = false;
    }
  }
  return Concat(description, "/", database);
}

}  // namespace

bool IsMongoStoreUri(std::string_view uri) {
  return uri.starts_with("mongodb://") || uri.starts_with("mongodb+srv://");
}

absl::StatusOr<MongoStoreConfig> ParseMongoStoreUri(std::string_view uri) {
  MongoStoreConfig config;
  absl::StatusOr<std::string> driver_uri = TakeCollectionOptions(uri, config.collections);
  if (!driver_uri.ok()) return driver_uri.status();
  config.driver_uri = std::move(*driver_uri);

  InitMongoDriver();
  bson_error_t error;
  std::unique_ptr<mongoc_uri_t, UriDeleter> parsed(
      mongoc_uri_new_with_error(config.driver_uri.c_str(), &error));
  if (parsed == nullptr) {
    return absl::InvalidArgumentError(Concat("invalid --store '", RedactUriPassword(uri), "': ", error.message,
                                             "; expected mongodb://HOST[:PORT]/DATABASE, e.g. ",
                                             kExample));
  }

  if (const char* service = mongoc_uri_get_srv_hostname(parsed.get()); service != nullptr &&
      std::string_view(service).find_first_not_of("0123456789.:[]") == std::string_view::npos) {
    return absl::InvalidArgumentError(
        Concat("invalid --store '", RedactUriPassword(uri), "': mongodb+srv:// needs a DNS name "
               "with SRV records, not the IP address '", service, "'; use mongodb://", service,
               ":PORT/DATABASE instead"));
  }

  const char* database = mongoc_uri_get_database(parsed.get());
  config.database = database != nullptr && *database != '\0' ? database
                                                             : std::string(kDefaultMongoDatabase);
  absl::Status valid = CheckDatabaseName(RedactUriPassword(uri), config.database);
  if (!valid.ok()) return valid;
  config.description = Describe(*parsed, config.database);
  return config;
}

}  // namespace ghloader
