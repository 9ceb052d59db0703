// The per-client rate limit of the scan routes: a token bucket per client address, in
// memory only, for a bounded number of clients. It keeps one client (a script walking
// serials, a scanner hammering one code) from flooding the ledger, while a shopper who
// reloads a few times never meets it. The clock is a parameter, so the arithmetic is tested
// without waiting.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <mutex>
#include <unordered_map>

#include "serve/address.hpp"
#include "serve/page.hpp"

namespace viscode::detail {

// Whether a route takes a token: the routes that verify a code (and may record a scan).
// /healthz, 404s and the refusals (405, 413) cost the server next to nothing and stay free.
// A switch without default: a new route kind is a compile error here until it is decided.
bool rate_limited(RouteKind kind);

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // per_minute (1..100000): a client may send that many requests at once (the bucket), then
  // one every 60/per_minute s. max_clients (>= 1): buckets kept; when a new client comes
  // and all are taken, the least recently seen client's bucket is dropped (it starts full
  // again if it returns: eviction can only forgive).
  RateLimiter(unsigned per_minute, std::size_t max_clients);

  // Takes one token of the client's bucket at `now`. Zero when there was one; otherwise
  // nothing is taken and the answer is the wait until there is one, rounded up to whole
  // seconds (at least 1): the Retry-After of the 429.
  std::chrono::seconds take(const IpAddress& client, Clock::time_point now);

  std::size_t tracked() const;

 private:
  // An IPv4 address, or the /64 of an IPv6 one: a single IPv6 host usually holds a whole
  // /64 and can pick any address in it.
  using Key = std::array<std::uint8_t, 9>;
  static Key key_of(const IpAddress& a);
  // SipHash (libsodium's crypto_shorthash) with a key drawn at start: nobody outside can
  // choose addresses that all fall in one hash bucket.
  struct KeyHash {
    std::array<unsigned char, 16> secret{};
    std::size_t operator()(const Key& k) const;
  };
  static KeyHash random_hash();
  struct Entry {
    Key key;
    // The bucket as one time (the generic cell rate algorithm, equivalent to a token bucket):
    // the time at which the bucket would be full again. A request at `now` is allowed while
    // full_at - now <= (burst - 1) * interval, and moves full_at one interval later.
    Clock::time_point full_at;
  };

  Clock::duration interval_, tolerance_;
  std::size_t max_clients_;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // most recently seen first
  std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> index_;
};

}  // namespace viscode::detail
