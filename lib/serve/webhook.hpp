// The possible-copy webhook (docs/serve.md): each seen-before scan is POSTed as one JSON
// object to the brand's URL, from one background thread with a bounded queue, retries with
// exponential backoff, a timeout per POST and an optional HMAC-SHA256 signature. Ledger
// workers only queue an event; the network never holds up a verdict.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "viscode/ledger.hpp"

namespace viscode::detail {

struct WebhookOptions {
  std::string url;                              // http:// or https://
  std::string secret;                           // empty: no X-Viscode-Signature header
  std::size_t max_queued = 10000;               // events waiting; when full the oldest goes
  int attempts = 8;                             // POSTs per event before it is given up
  std::chrono::seconds timeout{10};             // per POST, connection included
  std::chrono::milliseconds retry_first{1000};  // the wait after the first failure, doubled
  std::chrono::milliseconds retry_max{300000};  // after each further one, up to this
  // Receives one JSON line per delivery, retry, drop or give-up (ServeOptions::access_log).
  std::function<void(std::string_view line)> log;
};

class Webhook {
 public:
  explicit Webhook(WebhookOptions options);  // starts the delivery thread
  ~Webhook();                                // stop() with no time left
  Webhook(const Webhook&) = delete;
  Webhook& operator=(const Webhook&) = delete;

  // Queues one event (a JSON object); never waits for the network. serial names it in the
  // log lines.
  void post(std::string body, std::string serial);
  // Delivers what it can until the deadline (a POST in flight at the deadline is
  // abandoned), logs how many events were not delivered, and joins the thread.
  void stop(std::chrono::steady_clock::time_point deadline);

 private:
  struct Event {
    std::string body, serial;
  };
  void run();
  // "" when the receiver answered 2xx, else why not ("HTTP 500", curl's message).
  std::string send(void* curl, const Event& event, std::chrono::milliseconds timeout);
  void log(std::string_view kind, std::string_view serial, std::string_view extra = {});

  WebhookOptions options_;
  std::mutex mutex_;  // guards queue_, stopping_, deadline_
  std::condition_variable changed_;
  std::deque<Event> queue_;
  bool stopping_ = false;
  std::chrono::steady_clock::time_point deadline_{};
  // The deadline as a POST in flight reads it (libcurl's progress callback, no lock); the
  // far future until stop().
  std::atomic<std::chrono::steady_clock::rep> abort_at_{
      std::chrono::steady_clock::time_point::max().time_since_epoch().count()};
  std::thread thread_;
};

// The event of a seen-before scan: {"event": "possible_copy", "serial", "batch", "product",
// "scans", "at", "first_at", "first_where", "place"}; empty texts are null.
std::string possible_copy_event(const ScanResult& result, std::string_view product,
                                std::string_view place);
// "sha256=" and the lower-case hex HMAC-SHA256 of body with the secret as key.
std::string webhook_signature(std::string_view secret, std::string_view body);
// Error(usage) unless url is an http:// or https:// URL with a host.
void check_webhook_url(const std::string& url);

}  // namespace viscode::detail
