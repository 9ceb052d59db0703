// The shopper's side of the verification service, beside the routes of page.hpp: the page in
// the shopper's language with the brand's product, the reload cookie that shows a shopper
// their first verdict again without a new scan, link previews and prefetches that never
// scan, the optional coarse place of a scan, and the retention of places (docs/serve.md,
// docs/privacy.md). server.cpp calls into it at a few points; nothing here touches sockets.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>

#include "serve/catalogue.hpp"
#include "serve/page.hpp"
#include "serve/products.hpp"
#include "viscode/ledger.hpp"
#include "viscode/serve.hpp"

namespace viscode::detail {

// The User-Agent substrings (case-insensitive) of link-preview bots and crawlers: a chat app
// that fetches a pasted link to show its preview must not use up the code's first scan.
std::span<const std::string_view> preview_agents();
bool is_preview_agent(std::string_view user_agent);
// A prefetch or prerender by a browser (Purpose: prefetch, Sec-Purpose: prefetch or
// prerender, X-Purpose: preview, X-Moz: prefetch), given a header lookup (null: absent).
bool is_prefetch(const std::function<const char*(const char*)>& header);

// A place coarsened to about 10 km: latitude and longitude rounded to 0.1 degree,
// "48.9,2.3"; nullopt outside -90..90 / -180..180 or not finite.
std::optional<std::string> coarse_place(double lat, double lon);
// The body of POST <code>/place: exactly "lat=<number>&lon=<number>" (up to kMaxPlaceBody
// bytes, numbers as -?D+(.D+)?), coarsened; nullopt for anything else.
inline constexpr std::size_t kMaxPlaceBody = 64;
std::optional<std::string> parse_place_body(std::string_view body);
// Whether path is <code path>/place for a code route under prefix or a GS1 Digital Link
// route (whose signature is in the query, which the caller adds back); sets code_path.
bool is_place_path(std::string_view path, std::string_view prefix, std::string_view* code_path);

// What the reload cookie says about the scan it was set on.
struct ScanTicket {
  Verdict verdict = Verdict::first_scan;  // first_scan or seen_before
  std::int64_t scan_id = 0, scans = 0;
  std::int64_t expires = 0;  // Unix time
  std::string at;            // the scan's time, "YYYY-MM-DDTHH:MM:SSZ"
};

// Seals tickets into cookie values (libsodium crypto_auth, HMAC-SHA-512-256), bound to the
// code's path: a cookie cannot be made or moved to another code. The key is random and lives
// as long as the process (after a restart old cookies simply stop counting), or is derived
// from a secret that several processes share.
class TicketSealer {
 public:
  TicketSealer();
  explicit TicketSealer(std::string_view shared_secret);
  std::string seal(const ScanTicket& ticket, std::string_view path) const;
  // nullopt when the value was not sealed by this key for this path, or has expired.
  std::optional<ScanTicket> open(std::string_view value, std::string_view path,
                                 std::int64_t now) const;

 private:
  std::array<unsigned char, 32> key_{};
};

// The cookie's name.
inline constexpr const char* kTicketCookie = "vscan";

// The verdict page and JSON in `lang`, with the product's entry (may be null). offer_place:
// the "share my location" button (a counted scan, for which a cookie exists).
Answer shopper_verdict_answer(Verdict verdict, const ScanResult& result, Format format, Lang lang,
                              const Product* product, bool offer_place);
// The page a link preview or prefetch gets: no verdict, nothing recorded.
Answer preview_answer(Format format, Lang lang);
// A path under the prefix that is no code of this brand: the forged page, status 404.
Answer malformed_answer(Format format, Lang lang);

// Per-server state of the shopper's side (one per Server).
class Shopper {
 public:
  // Loads the products file (Error(input) naming file:line).
  explicit Shopper(const ServeOptions& options);

  // The reload cookie's ticket when the request carries a valid one for this path (the scan
  // path, as scan() takes it), read once when the request arrives: such a request records
  // nothing, so the rate limit lets it through.
  std::optional<ScanTicket> reload_ticket(const std::string& cookie, std::string_view path) const;
  // A worker's verification of `path`: with a reload ticket, the first verdict again from a
  // read-only lookup (verdict "reload"); else a counted scan whose answer sets the cookie.
  // Fills the access log's verdict and serial, and `recorded` with the scan when one was
  // recorded (not for a reload), for the possible-copy webhook.
  // path: what the ledger scans (a GS1 path with its query); cookie_path: the URL's path.
  Answer scan(Ledger& ledger, std::string_view path, std::string_view cookie_path, Format format,
              Lang lang, const std::optional<ScanTicket>& reload, std::string_view& log_verdict,
              std::string& log_serial, ScanResult* recorded = nullptr);
  // A worker's POST <code_path>/place: sets the place of the scan the cookie names.
  Answer place(Ledger& ledger, std::string_view code_path, std::string_view body, Lang lang,
               const std::string& cookie, std::string_view& log_verdict);

 private:
  const ServeOptions& options_;
  Products products_;
  TicketSealer sealer_;
};

// Checks the shopper-side options (part of check_serve_options): Error(usage).
void check_shopper_options(const ServeOptions& options);

// Retention of places: at start (synchronously, so that a bad ledger fails the start) and
// then every hour, empties the places of scans older than ServeOptions::retention_days, on
// its own ledger connection. Does nothing when retention_days is 0.
class Retention {
 public:
  Retention(const ServeOptions& options, std::function<void(std::string_view)> log);
  ~Retention();
  Retention(const Retention&) = delete;
  Retention& operator=(const Retention&) = delete;

 private:
  void run_once(Ledger& ledger);
  const ServeOptions& options_;
  std::function<void(std::string_view)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace viscode::detail
