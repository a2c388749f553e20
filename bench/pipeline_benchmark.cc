// Micro-benchmarks of the load pipeline's stages on a real GH Archive hour:
// gunzip with ISA-L (the loader's LineDecoder) against zlib, event parsing
// for both formats, and SQLite batch writes. bench/load_bench.sh measures the
// whole command; these show which stage the time goes to.
//
//   build/pipeline_benchmark --benchmark_min_time=1
//
// The samples come from $GHARCHIVE_DATA (default: the path CMake was given).
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "archive/line_decoder.h"
#include "common/strings.h"
#include "events/event_parser.h"
#include "store/store_factory.h"

#ifndef GHLOADER_DEFAULT_GHARCHIVE_DATA
#define GHLOADER_DEFAULT_GHARCHIVE_DATA ""
#endif

namespace ghloader {
namespace {

constexpr std::string_view kEventsApiHour = "Yousign--backend-review-test/2015-01-01-15.json.gz";
constexpr std::string_view kTimelineHour = "arfon--gh_archive_parser/2013-02-15-0.json.gz";
constexpr size_t kReadChunkBytes = 1 << 20;

std::filesystem::path SamplePath(std::string_view relative) {
  const char* data = std::getenv("GHARCHIVE_DATA");
  std::filesystem::path root = data != nullptr ? data : GHLOADER_DEFAULT_GHARCHIVE_DATA;
  return root / relative;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// Inflates a gzip file with zlib, which gzip(1) and zcat use.
std::string ZlibInflate(std::string_view gzip) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 32);
  std::string out;
  std::vector<char> chunk(kReadChunkBytes);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = static_cast<uInt>(gzip.size());
  int result = Z_OK;
  while (result != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    result = inflate(&stream, Z_NO_FLUSH);
    if (result != Z_OK && result != Z_STREAM_END) break;
    out.append(chunk.data(), chunk.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  return out;
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Loads a sample once per process, or skips the benchmark when it is absent.
const std::string* LoadSample(benchmark::State& state, std::string_view relative) {
  static std::map<std::string, std::string, std::less<>> cache;
  auto found = cache.find(relative);
  if (found == cache.end()) {
    std::string bytes = ReadFile(SamplePath(relative));
    found = cache.emplace(std::string(relative), std::move(bytes)).first;
  }
  if (found->second.empty()) {
    state.SkipWithError(Concat("sample missing: ", SamplePath(relative).string(),
                               "; set GHARCHIVE_DATA").c_str());
    return nullptr;
  }
  return &found->second;
}

class CountingHandler final : public LineHandler {
 public:
  absl::Status OnLine(std::string_view line, int64_t) override {
    bytes += line.size();
    return absl::OkStatus();
  }
  absl::Status OnOversizedLine(std::string_view, int64_t) override { return absl::OkStatus(); }
  size_t bytes = 0;
};

void BM_GunzipLinesIsal(benchmark::State& state) {
  const std::string* gzip = LoadSample(state, kEventsApiHour);
  if (gzip == nullptr) return;
  int64_t decompressed = 0;
  for (auto _ : state) {
    CountingHandler handler;
    LineDecoder decoder(handler);
    (void)decoder.Begin({"benchmark", true});
    for (size_t offset = 0; offset < gzip->size(); offset += kReadChunkBytes) {
      (void)decoder.Write(std::string_view(*gzip).substr(offset, kReadChunkBytes));
    }
    (void)decoder.Finish();
    decompressed = decoder.decompressed_bytes();
    benchmark::DoNotOptimize(handler.bytes);
  }
  state.SetBytesProcessed(state.iterations() * decompressed);
}
BENCHMARK(BM_GunzipLinesIsal)->Unit(benchmark::kMillisecond);

void BM_GunzipZlib(benchmark::State& state) {
  const std::string* gzip = LoadSample(state, kEventsApiHour);
  if (gzip == nullptr) return;
  int64_t decompressed = 0;
  for (auto _ : state) {
    std::string text = ZlibInflate(*gzip);
    decompressed = static_cast<int64_t>(text.size());
    benchmark::DoNotOptimize(text.data());
  }
  state.SetBytesProcessed(state.iterations() * decompressed);
}
BENCHMARK(BM_GunzipZlib)->Unit(benchmark::kMillisecond);

// Parses every line of a sample; range(0) != 0 passes lines with padding,
// as the loader does.
void ParseSample(benchmark::State& state, std::string_view relative) {
  const std::string* gzip = LoadSample(state, relative);
  if (gzip == nullptr) return;
  std::vector<std::string> lines = SplitLines(ZlibInflate(*gzip));
  bool padded = state.range(0) != 0;
  if (padded) {
    for (std::string& line : lines) line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
  }

  EventParser parser;
  Event event;
  int64_t bytes = 0;
  for (const std::string& line : lines) bytes += static_cast<int64_t>(line.size());
  for (auto _ : state) {
    for (const std::string& line : lines) {
      absl::StatusOr<LineParseResult> result = parser.Parse(line, event, padded);
      benchmark::DoNotOptimize(result);
    }
  }
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(lines.size()));
}

void BM_ParseEventsApi(benchmark::State& state) { ParseSample(state, kEventsApiHour); }
BENCHMARK(BM_ParseEventsApi)->ArgName("padded")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

void BM_ParseTimeline(benchmark::State& state) { ParseSample(state, kTimelineHour); }
BENCHMARK(BM_ParseTimeline)->ArgName("padded")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// Writes a real hour's events into a fresh SQLite file in batches of
// range(0) events.
void BM_SqliteWriteBatches(benchmark::State& state) {
  const std::string* gzip = LoadSample(state, kEventsApiHour);
  if (gzip == nullptr) return;
  std::vector<BatchEvent> events;
  EventParser parser;
  int64_t bytes = 0;
  for (const std::string& line : SplitLines(ZlibInflate(*gzip))) {
    BatchEvent item;
    if (!parser.Parse(line, item.event).ok()) continue;
    bytes += static_cast<int64_t>(line.size());
    events.push_back(std::move(item));
  }
  size_t batch_size = static_cast<size_t>(state.range(0));

  std::string directory = (std::filesystem::temp_directory_path() / "ghl-bench-XXXXXX").string();
  if (mkdtemp(directory.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::string path = Concat(directory, "/run", run++, ".db");
    absl::StatusOr<std::unique_ptr<EventStore>> store = OpenEventStore(Concat("sqlite:", path));
    if (!store.ok()) {
      state.SkipWithError(std::string(ToStdView(store.status().message())).c_str());
      break;
    }
    state.ResumeTiming();

    for (size_t first = 0; first < events.size(); first += batch_size) {
      size_t last = std::min(events.size(), first + batch_size);
      std::vector<BatchEvent> batch(events.begin() + static_cast<ptrdiff_t>(first),
                                    events.begin() + static_cast<ptrdiff_t>(last));
      (void)(*store)->WriteBatch("2015-01-01-15", batch);
    }

    state.PauseTiming();
    store->reset();
    std::filesystem::remove_all(directory);
    std::filesystem::create_directories(directory);
    state.ResumeTiming();
  }
  std::filesystem::remove_all(directory);
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(events.size()));
}
BENCHMARK(BM_SqliteWriteBatches)->ArgName("batch")->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ghloader

BENCHMARK_MAIN();
