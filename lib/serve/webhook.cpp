#include "serve/webhook.hpp"

#include <curl/curl.h>
#include <fmt/core.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <memory>
#include <mutex>

#include "serve/page.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

using Clock = std::chrono::steady_clock;

// libcurl's global state, set up once for the process before any handle (not thread-safe
// in libcurl 7.88 otherwise).
void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::size_t discard(char* /*data*/, std::size_t size, std::size_t count, void* /*user*/) {
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

// A POST in flight is abandoned once stop()'s deadline has passed.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* deadline = static_cast<const std::atomic<Clock::rep>*>(user);
  return Clock::now().time_since_epoch().count() >= deadline->load() ? 1 : 0;
}

}  // namespace

Webhook::Webhook(WebhookOptions options) : options_(std::move(options)) {
  init_curl();
  if (sodium_init() < 0) throw Error(ErrorCategory::internal, "libsodium cannot start");
  thread_ = std::thread([this] { run(); });
}

Webhook::~Webhook() {
  stop(Clock::now());
}

void Webhook::post(std::string body, std::string serial) {
  std::string dropped;
  bool full = false;
  {
    const std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (queue_.size() >= options_.max_queued) {
      dropped = std::move(queue_.front().serial);
      queue_.pop_front();
      full = true;
    }
    queue_.push_back(Event{std::move(body), std::move(serial)});
  }
  changed_.notify_one();
  if (full) {
    log("dropped", dropped,
        fmt::format("\"reason\": \"queue full ({} events): the oldest was dropped\"",
                    options_.max_queued));
  }
}

void Webhook::stop(Clock::time_point deadline) {
  {
    const std::lock_guard lock(mutex_);
    if (!thread_.joinable()) return;
    if (!stopping_) {
      stopping_ = true;
      deadline_ = deadline;
      abort_at_.store(deadline.time_since_epoch().count());
    }
  }
  changed_.notify_all();
  thread_.join();
}

void Webhook::log(std::string_view kind, std::string_view serial, std::string_view extra) {
  if (!options_.log) return;
  options_.log(fmt::format("{{\"time\": {}, \"webhook\": {}, \"serial\": {}{}{}}}",
                           json_string(log_time_now()), json_string(kind), json_or_null(serial),
                           extra.empty() ? "" : ", ", extra));
}

std::string Webhook::send(void* handle, const Event& event, std::chrono::milliseconds timeout) {
  CURL* curl = static_cast<CURL*>(handle);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add = [&](const std::string& h) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  };
  add("Content-Type: application/json");
  add("Expect:");  // no 100-continue round trip for a small body
  if (!options_.secret.empty()) {
    add("X-Viscode-Signature: " + webhook_signature(options_.secret, event.body));
  }
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, event.body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(event.body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abort_at_);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  const CURLcode rc = curl_easy_perform(curl);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  if (rc != CURLE_OK) return curl_easy_strerror(rc);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) return fmt::format("HTTP {}", status);
  return {};
}

void Webhook::run() {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (curl) {
    curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "viscode-webhook");
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &discard);
  }
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, everything delivered
    if (stopping_ && Clock::now() >= deadline_) break;
    Event event = std::move(queue_.front());
    queue_.pop_front();
    bool abandoned = false;
    for (int attempt = 1;; ++attempt) {
      auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(options_.timeout);
      if (stopping_) {
        timeout = std::min(timeout, std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline_ - Clock::now()));
      }
      if (timeout.count() <= 0) {
        abandoned = true;
        break;
      }
      lock.unlock();
      const std::string why =
          curl ? send(curl.get(), event, timeout) : std::string("libcurl cannot start");
      if (why.empty()) {
        log("delivered", event.serial, fmt::format("\"attempts\": {}", attempt));
        lock.lock();
        break;
      }
      if (attempt >= options_.attempts) {
        log("gave_up", event.serial,
            fmt::format("\"attempts\": {}, \"reason\": {}", attempt, json_string(why)));
        lock.lock();
        break;
      }
      // 1 s, 2 s, 4 s, ... up to retry_max: a receiver that is down is not hammered.
      auto wait = options_.retry_first;
      for (int i = 1; i < attempt && wait < options_.retry_max; ++i) wait *= 2;
      wait = std::min(wait, options_.retry_max);
      log("retry", event.serial,
          fmt::format("\"attempt\": {}, \"reason\": {}, \"retry_in_ms\": {}", attempt,
                      json_string(why), wait.count()));
      lock.lock();
      const auto wake = Clock::now() + wait;
      changed_.wait_until(lock, wake, [&] { return stopping_ && deadline_ < wake; });
      if (stopping_ && deadline_ < wake) {
        abandoned = true;
        break;
      }
    }
    if (abandoned) {
      queue_.push_front(std::move(event));
      break;
    }
  }
  // Stopping, out of time: what is left is not delivered (the ledger still has every scan).
  const std::size_t left = queue_.size();
  queue_.clear();
  lock.unlock();
  if (left > 0) {
    log("undelivered", {},
        fmt::format("\"events\": {}, \"reason\": \"the server stopped before they were "
                    "delivered\"",
                    left));
  }
}

std::string possible_copy_event(const ScanResult& r, std::string_view product,
                                std::string_view place) {
  return fmt::format(
      "{{\"event\": \"possible_copy\", \"serial\": {}, \"batch\": {}, \"product\": {}, "
      "\"scans\": {}, \"at\": {}, \"first_at\": {}, \"first_where\": {}, \"place\": {}}}",
      json_string(r.serial), json_or_null(r.batch), json_or_null(product), r.scans,
      json_string(r.at), json_or_null(r.first_at), json_or_null(r.first_where),
      json_or_null(place));
}

std::string webhook_signature(std::string_view secret, std::string_view body) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(body.data()),
                                body.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string("sha256=") + hex;
}

void check_webhook_url(const std::string& url) {
  const auto bad = [&] {
    return Error(ErrorCategory::usage, "ServeOptions.webhook_url '" + url.substr(0, 200) +
                                           "' is not an http:// or https:// URL: give e.g. "
                                           "https://hooks.example.com/viscode");
  };
  if (url.size() > 2048 || std::any_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f;
      })) {
    throw bad();
  }
  init_curl();
  CURLU* h = curl_url();
  if (h == nullptr) throw Error(ErrorCategory::internal, "libcurl: out of memory");
  char* scheme = nullptr;
  char* host = nullptr;
  const bool parsed = curl_url_set(h, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK &&
                      curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
                      curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK;
  const std::string scheme_text = scheme ? scheme : "", host_text = host ? host : "";
  curl_free(scheme);
  curl_free(host);
  curl_url_cleanup(h);
  // libcurl guesses a scheme for "host/path"; the flag must say which one.
  const bool explicit_scheme =
      url.size() > 7 && (url.compare(0, 7, "http://") == 0 || url.compare(0, 8, "https://") == 0);
  if (!parsed || !explicit_scheme || (scheme_text != "http" && scheme_text != "https") ||
      host_text.empty()) {
    throw bad();
  }
}

}  // namespace viscode::detail
