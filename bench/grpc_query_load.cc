// A load generator for QueryUser: for each concurrency level, that many
// client threads call QueryUser in a loop for a fixed time, rotating over a
// list of logins, and the tool prints calls per second and the p50 and p99
// latency as one Markdown table row per level.
//
//   grpc_query_load --server 127.0.0.1:1234 --logins a,b,c --seconds 10
//                   --concurrency 1,8,64
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "agent.grpc.pb.h"

namespace {

struct LevelResult {
  int concurrency = 0;
  int64_t calls = 0;
  int64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0;
  double p99_ms = 0;
};

double Percentile(std::vector<double>& sorted_ms, double fraction) {
  if (sorted_ms.empty()) return 0;
  size_t index = static_cast<size_t>(fraction * static_cast<double>(sorted_ms.size() - 1));
  return sorted_ms[index];
}

LevelResult RunLevel(const std::string& server, const std::vector<std::string>& logins,
                     int concurrency, double seconds) {
  // Several channels, so that high concurrency is not one TCP connection.
  int channel_count = std::min(concurrency, 8);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < channel_count; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("grpc.channel_id", i);  // Distinct arguments: distinct connections.
    channels.push_back(
        grpc::CreateCustomChannel(server, grpc::InsecureChannelCredentials(), arguments));
  }

  std::atomic<int64_t> errors{0};
  std::vector<std::vector<double>> latencies(concurrency);
  auto stop_at = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < concurrency; ++t) {
    threads.emplace_back([&, t] {
      auto stub = agent::MongoLoader::NewStub(channels[t % channel_count]);
      size_t next = static_cast<size_t>(t);
      while (std::chrono::steady_clock::now() < stop_at) {
        agent::UserQuery request;
        request.set_username(logins[next++ % logins.size()]);
        agent::UserQueryResponse response;
        grpc::ClientContext context;
        auto started = std::chrono::steady_clock::now();
        grpc::Status status = stub->QueryUser(&context, request, &response);
        auto elapsed = std::chrono::steady_clock::now() - started;
        if (!status.ok()) {
          ++errors;
          continue;
        }
        latencies[t].push_back(std::chrono::duration<double, std::milli>(elapsed).count());
      }
    });
  }
  auto started = std::chrono::steady_clock::now();
  for (std::thread& thread : threads) thread.join();

  LevelResult result;
  result.concurrency = concurrency;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::vector<double> all;
  for (const std::vector<double>& thread_latencies : latencies) {
    all.insert(all.end(), thread_latencies.begin(), thread_latencies.end());
  }
  std::sort(all.begin(), all.end());
  result.calls = static_cast<int64_t>(all.size());
  result.errors = errors.load();
  result.p50_ms = Percentile(all, 0.50);
  result.p99_ms = Percentile(all, 0.99);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"QueryUser load generator"};
  std::string server = "127.0.0.1:1234";
  std::vector<std::string> logins;
  std::vector<int> levels = {1, 8, 64};
  double seconds = 10;
  app.add_option("--server", server, "gRPC server HOST:PORT")->capture_default_str();
  app.add_option("--logins", logins, "Logins to query, comma-separated")
      ->delimiter(',')
      ->required();
  app.add_option("--concurrency", levels, "Concurrent clients per level, comma-separated")
      ->delimiter(',');
  app.add_option("--seconds", seconds, "Duration of each level")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  std::printf("| concurrent clients | calls | errors | calls/s | p50 ms | p99 ms |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|\n");
  for (int level : levels) {
    LevelResult result = RunLevel(server, logins, level, seconds);
    std::printf("| %d | %lld | %lld | %.0f | %.2f | %.2f |\n", result.concurrency,
                static_cast<long long>(result.calls), static_cast<long long>(result.errors),
                static_cast<double>(result.calls) / result.seconds, result.p50_ms, result.p99_ms);
    std::fflush(stdout);
  }
  return 0;
}
