#include "archive/http_source.h"

#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "archive/hour.h"
#include "common/strings.h"

namespace ghloader {
namespace {

void InitCurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlHandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlHandleDeleter>;

// One handle per thread keeps connections alive between hours.
CURL* ThreadCurlHandle() {
  thread_local CurlHandle handle(curl_easy_init());
  curl_easy_reset(handle.get());
  return handle.get();
}

// State shared with libcurl's callbacks during one transfer.
struct Transfer {
  CURL* curl = nullptr;
  ByteSink* sink = nullptr;
  const std::atomic<bool>* cancel = nullptr;
  std::string url;
  std::string shown_url;  // `url` without its password, for messages and the ledger.
  long status_code = 0;
  bool began = false;
  absl::Status sink_error;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->cancel->load(std::memory_order_relaxed)) {
    transfer->sink_error = absl::CancelledError("fetch cancelled");
    return 0;
  }

  if (transfer->status_code == 0) {
    curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE,
                      &transfer->status_code);
  }
  // Bodies of error responses are not archive data.
  if (transfer->status_code != 200) return bytes;

  if (!transfer->began) {
    transfer->began = true;
    transfer->sink_error = transfer->sink->Begin({transfer->shown_url, true});
    if (!transfer->sink_error.ok()) return 0;
  }
  transfer->sink_error = transfer->sink->Write(std::string_view(data, bytes));
  return transfer->sink_error.ok() ? bytes : 0;
}

// Lets a cancelled fetch stop even while no bytes arrive.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  return transfer->cancel->load(std::memory_order_relaxed) ? 1 : 0;
}

absl::Status CurlError(CURLcode code, const std::string& url) {
  std::string message = Concat("download of ", url, " failed: ",
                                     curl_easy_strerror(code));
  switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
      return absl::DeadlineExceededError(message);
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

}  // namespace

HttpSource::HttpSource(std::string base_url, HttpSourceOptions options)
    : base_url_(std::move(base_url)), options_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  InitCurlOnce();
}

absl::StatusOr<FetchOutcome> HttpSource::Fetch(
    absl::CivilHour hour, ByteSink& sink, const std::atomic<bool>& cancel) {
  Transfer transfer;
  transfer.curl = ThreadCurlHandle();
  transfer.sink = &sink;
  transfer.cancel = &cancel;
  transfer.url = Concat(base_url_, "/", HourFileStem(hour), ".json.gz");
  transfer.shown_url = RedactUriPassword(transfer.url);

  CURL* curl = transfer.curl;
  curl_easy_setopt(curl, CURLOPT_URL, transfer.url.c_str());
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "gh-archive-bulk-loader/0.1");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.stall_timeout_seconds);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);

  CURLcode code = curl_easy_perform(curl);
  if (!transfer.sink_error.ok()) return transfer.sink_error;
  if (code == CURLE_ABORTED_BY_CALLBACK) {
    return absl::CancelledError(Concat("download of ", transfer.shown_url, " cancelled"));
  }
  if (code != CURLE_OK) return CurlError(code, transfer.shown_url);

  long status_code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status_code);
  if (status_code == 404) return FetchOutcome::kNotFound;
  if (status_code >= 500 || status_code == 429 || status_code == 408) {
    return absl::UnavailableError(Concat(
        "download of ", transfer.shown_url, " failed: HTTP ", status_code));
  }
  if (status_code != 200) {
    return absl::FailedPreconditionError(
        Concat("download of ", transfer.shown_url, " failed: HTTP ",
                     status_code, "; check --source"));
  }

  // An empty 200 response never called OnBody; the sink still gets the (empty) file.
  if (!transfer.began) {
    absl::Status began = sink.Begin({transfer.shown_url, true});
    if (!began.ok()) return began;
  }
  return FetchOutcome::kFetched;
}

}  // namespace ghloader
