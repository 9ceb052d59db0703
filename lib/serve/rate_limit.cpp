// The per-client rate limit (rate_limit.hpp).
#include "serve/rate_limit.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "sign/common.hpp"

namespace viscode::detail {

bool rate_limited(RouteKind kind) {
  switch (kind) {
    case RouteKind::code:
    case RouteKind::product_code:
      return true;
    case RouteKind::none:
    case RouteKind::healthz:
      return false;
  }
  return false;
}

RateLimiter::KeyHash RateLimiter::random_hash() {
  ensure_sodium();
  KeyHash hash;
  static_assert(sizeof(KeyHash::secret) == crypto_shorthash_KEYBYTES);
  randombytes_buf(hash.secret.data(), hash.secret.size());
  return hash;
}

RateLimiter::RateLimiter(unsigned per_minute, std::size_t max_clients)
    : interval_(std::chrono::duration_cast<Clock::duration>(std::chrono::minutes(1)) /
                std::max(per_minute, 1u)),
      tolerance_(interval_ * (std::max(per_minute, 1u) - 1)),
      max_clients_(std::max<std::size_t>(max_clients, 1)),
      index_(std::min<std::size_t>(max_clients_, 1024), random_hash()) {}

RateLimiter::Key RateLimiter::key_of(const IpAddress& a) {
  Key k{};
  k[0] = a.v6 ? 6 : 4;
  std::memcpy(k.data() + 1, a.bytes.data(), a.v6 ? 8 : 4);
  return k;
}

std::size_t RateLimiter::KeyHash::operator()(const Key& k) const {
  unsigned char h[crypto_shorthash_BYTES];
  crypto_shorthash(h, k.data(), k.size(), secret.data());
  std::size_t out = 0;
  std::memcpy(&out, h, std::min(sizeof out, sizeof h));
  return out;
}

std::chrono::seconds RateLimiter::take(const IpAddress& client, Clock::time_point now) {
  const Key key = key_of(client);
  const std::lock_guard lock(mutex_);
  auto found = index_.find(key);
  if (found == index_.end()) {
    if (index_.size() >= max_clients_) {
      index_.erase(recent_.back().key);
      recent_.pop_back();
    }
    recent_.push_front(Entry{key, now});
    found = index_.emplace(key, recent_.begin()).first;
  } else {
    recent_.splice(recent_.begin(), recent_, found->second);
  }
  Entry& entry = *found->second;
  const Clock::time_point full_at = std::max(entry.full_at, now);
  const Clock::duration ahead = full_at - now;
  if (ahead > tolerance_) {
    const Clock::duration wait = ahead - tolerance_;
    return std::max(std::chrono::ceil<std::chrono::seconds>(wait), std::chrono::seconds(1));
  }
  entry.full_at = full_at + interval_;
  return std::chrono::seconds(0);
}

std::size_t RateLimiter::tracked() const {
  const std::lock_guard lock(mutex_);
  return index_.size();
}

}  // namespace viscode::detail
