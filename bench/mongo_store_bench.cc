// Times the MongoDB store's write path on real events, split into our side
// and the server's:
//   convert  JSON -> BSON and appending to an unordered bulk write, for all
//            events, without sending anything (what the store does per
//            batch before the server sees it);
//   write    MongoEventStore::WriteBatch in batches into a fresh database:
//            conversion, batching, the actors index and the server's work.
// Events are parsed beforehand (the loader parses them whatever the store),
// so neither phase includes parsing.
//
//   mongo_store_bench --uri mongodb://127.0.0.1:PORT [--batch N] [--runs N] FILE.json...
//
// FILEs are NDJSON (decompressed hour files). Prints one Markdown table row
// per phase, medians over --runs; each write run uses a database of its own,
// which it drops afterwards.
#include <mongoc/mongoc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "common/strings.h"
#include "events/event_parser.h"
#include "store/mongo/bson_document.h"
#include "store/mongo/json_to_bson.h"
#include "store/store_factory.h"

namespace ghloader {
namespace {

struct Options {
  std::string uri;
  size_t batch = 1000;
  int runs = 3;
  std::vector<std::string> files;
};

double Seconds(std::chrono::steady_clock::time_point started) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<BatchEvent> ReadEvents(const std::vector<std::string>& files, size_t& json_bytes) {
  std::vector<BatchEvent> events;
  EventParser parser;
  for (const std::string& file : files) {
    std::ifstream input(file);
    std::string line;
    int64_t line_number = 0;
    while (std::getline(input, line)) {
      BatchEvent item;
      item.line_number = ++line_number;
      if (!parser.Parse(line, item.event).ok()) continue;
      json_bytes += item.event.json.size();
      events.push_back(std::move(item));
    }
  }
  return events;
}

double TimeConvert(const std::vector<BatchEvent>& events, size_t batch_size) {
  JsonToBson converter;
  BsonPtr no_validation = BCON_NEW("validate", BCON_BOOL(false));
  auto started = std::chrono::steady_clock::now();
  for (size_t first = 0; first < events.size(); first += batch_size) {
    mongoc_bulk_operation_t* bulk = mongoc_bulk_operation_new(false);
    size_t last = std::min(events.size(), first + batch_size);
    for (size_t i = first; i < last; ++i) {
      bson_t document = BSON_INITIALIZER;
      if (converter.Convert(events[i].event.json, events[i].event.key, &document).ok()) {
        mongoc_bulk_operation_insert_with_opts(bulk, &document, no_validation.get(), nullptr);
      }
      bson_destroy(&document);
    }
    mongoc_bulk_operation_destroy(bulk);
  }
  return Seconds(started);
}

absl::StatusOr<double> TimeWrite(const Options& options, const std::vector<BatchEvent>& events,
                                 int run) {
  std::string database = Concat("ghloader_bench_", getpid(), "_", run);
  absl::StatusOr<std::unique_ptr<EventStore>> store =
      OpenEventStore(Concat(options.uri, "/", database));
  if (!store.ok()) return store.status();

  auto started = std::chrono::steady_clock::now();
  for (size_t first = 0; first < events.size(); first += options.batch) {
    size_t last = std::min(events.size(), first + options.batch);
    std::vector<BatchEvent> batch(events.begin() + first, events.begin() + last);
    absl::StatusOr<BatchWriteResult> written = (*store)->WriteBatch("bench", batch);
    if (!written.ok()) return written.status();
  }
  double seconds = Seconds(started);

  mongoc_client_t* client = mongoc_client_new(options.uri.c_str());
  mongoc_database_t* handle = mongoc_client_get_database(client, database.c_str());
  mongoc_database_drop(handle, nullptr);
  mongoc_database_destroy(handle);
  mongoc_client_destroy(client);
  return seconds;
}

int Run(const Options& options) {
  size_t json_bytes = 0;
  std::vector<BatchEvent> events = ReadEvents(options.files, json_bytes);
  if (events.empty()) {
    std::cerr << "mongo_store_bench: no events in the given files\n";
    return 1;
  }

  std::vector<double> convert_seconds;
  std::vector<double> write_seconds;
  for (int run = 0; run < options.runs; ++run) {
    convert_seconds.push_back(TimeConvert(events, options.batch));
    absl::StatusOr<double> written = TimeWrite(options, events, run);
    if (!written.ok()) {
      std::cerr << "mongo_store_bench: " << written.status().message() << "\n";
      return 1;
    }
    write_seconds.push_back(*written);
  }

  double megabytes = json_bytes / 1e6;
  double convert = Median(convert_seconds);
  double write = Median(write_seconds);
  std::cout << fmt::format("| phase | events | MB of JSON | seconds (median of {}) | events/s | MB/s |"
                           " share of write |\n|---|---:|---:|---:|---:|---:|---:|\n",
                           options.runs);
  std::cout << fmt::format("| convert + batch (our side) | {} | {:.1f} | {:.3f} | {:.0f} | {:.1f} |"
                           " {:.1f}% |\n",
                           events.size(), megabytes, convert, events.size() / convert,
                           megabytes / convert, 100 * convert / write);
  std::cout << fmt::format("| WriteBatch into the server | {} | {:.1f} | {:.3f} | {:.0f} | {:.1f} |"
                           " 100% |\n",
                           events.size(), megabytes, write, events.size() / write,
                           megabytes / write);
  return 0;
}

}  // namespace
}  // namespace ghloader

int main(int argc, char** argv) {
  ghloader::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string_view argument = argv[i];
    bool has_value = i + 1 < argc;
    if (argument == "--uri" && has_value) {
      options.uri = argv[++i];
    } else if (argument == "--batch" && has_value) {
      options.batch = std::max(1, std::atoi(argv[++i]));
    } else if (argument == "--runs" && has_value) {
      options.runs = std::max(1, std::atoi(argv[++i]));
    } else if (argument.starts_with("--")) {
      std::cerr << "mongo_store_bench: unknown option '" << argument
                << "'; usage: mongo_store_bench --uri URI [--batch N] [--runs N] FILE...\n";
      return 2;
    } else {
      options.files.emplace_back(argument);
    }
  }
  if (options.uri.empty() || options.files.empty()) {
    std::cerr << "usage: mongo_store_bench --uri mongodb://HOST:PORT [--batch N] [--runs N] "
                 "FILE.json...\n";
    return 2;
  }
  return ghloader::Run(options);
}
