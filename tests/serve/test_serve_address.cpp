// The pure parts of serve's operations: --listen and --trust-proxy parsing, CIDR matching,
// the right-most-untrusted X-Forwarded-For rule, and the rate limit's bucket arithmetic on
// an injected clock.
#include <catch2/catch.hpp>
#include <chrono>

#include "serve/address.hpp"
#include "serve/rate_limit.hpp"
#include "viscode/error.hpp"

using viscode::detail::IpAddress;

namespace {

IpAddress ip(const std::string& text) {
  const std::optional<IpAddress> a = viscode::detail::parse_ip(text);
  REQUIRE(a.has_value());
  return *a;
}

std::string client(const std::string& peer, const std::string& forwarded_for,
                   const std::vector<std::string>& trusted) {
  std::vector<viscode::detail::Cidr> ranges;
  for (const std::string& t : trusted) ranges.push_back(viscode::detail::parse_trusted_proxy(t));
  return viscode::detail::to_string(
      viscode::detail::client_address(ip(peer), forwarded_for, ranges));
}

bool in(const std::string& range, const std::string& address) {
  return viscode::detail::contains(viscode::detail::parse_trusted_proxy(range), ip(address));
}

}  // namespace

TEST_CASE("serve address: IPv4 and IPv6 addresses, IPv4-mapped ones held as IPv4", "[serve]") {
  CHECK_FALSE(ip("127.0.0.1").v6);
  CHECK(ip("127.0.0.1").bytes[0] == 127);
  CHECK(ip("::1").v6);
  CHECK(ip("::ffff:127.0.0.1") == ip("127.0.0.1"));
  CHECK(viscode::detail::to_string(ip("2001:0db8:0:0:0:0:0:1")) == "2001:db8::1");
  CHECK(viscode::detail::to_string(ip("::ffff:10.1.2.3")) == "10.1.2.3");
  for (const char* bad :
       {"", "localhost", "1.2.3", "1.2.3.4:80", "[::1]", "fe80::1%eth0", "1.2.3.256", " 1.2.3.4"}) {
    INFO(bad);
    CHECK_FALSE(viscode::detail::parse_ip(bad).has_value());
  }
}

TEST_CASE("serve address: --trust-proxy ranges and their matching", "[serve]") {
  using viscode::detail::parse_trusted_proxy;
  CHECK(parse_trusted_proxy("127.0.0.1").prefix == 32);
  CHECK(parse_trusted_proxy("::1").prefix == 128);
  CHECK(parse_trusted_proxy("10.0.0.0/8").prefix == 8);
  // An IPv4-mapped range is the IPv4 range.
  const viscode::detail::Cidr mapped = parse_trusted_proxy("::ffff:10.0.0.0/104");
  CHECK(mapped.prefix == 8);
  CHECK(mapped.network == ip("10.0.0.0"));

  CHECK(in("10.0.0.0/8", "10.255.1.2"));
  CHECK_FALSE(in("10.0.0.0/8", "11.0.0.0"));
  CHECK(in("172.16.0.0/12", "172.31.255.255"));  // a prefix inside a byte
  CHECK_FALSE(in("172.16.0.0/12", "172.32.0.0"));
  CHECK(in("127.0.0.1", "127.0.0.1"));
  CHECK_FALSE(in("127.0.0.1", "127.0.0.2"));
  CHECK(in("0.0.0.0/0", "203.0.113.7"));
  CHECK_FALSE(in("0.0.0.0/0", "::1"));  // families never mix
  CHECK_FALSE(in("::/0", "127.0.0.1"));
  CHECK(in("::1", "::1"));
  CHECK(in("2001:db8::/32", "2001:db8:ffff::1"));
  CHECK_FALSE(in("2001:db8::/32", "2001:db9::"));
  CHECK(in("127.0.0.1", "::ffff:127.0.0.1"));  // a dual-stack socket's IPv4 peer

  const std::string usage =
      "' is not ADDRESS or ADDRESS/PREFIX: give the reverse proxy's address as serve sees it, "
      "e.g. 127.0.0.1, ::1 or 10.0.0.0/8";
  for (const std::string bad : {"localhost", "10.0.0.0/33", "10.0.0.0/", "/8", "::/129",
                                "10.0.0.0/+8", "10.0.0.0/8/8", "::ffff:10.0.0.0/95", ""}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_trusted_proxy(bad), "ServeOptions.trust_proxy '" + bad + usage);
  }
  CHECK_THROWS_WITH(
      parse_trusted_proxy("10.1.2.3/8"),
      "ServeOptions.trust_proxy '10.1.2.3/8' has bits set after its prefix: give 10.0.0.0/8 "
      "for the range, or 10.1.2.3 for one address");
  CHECK_THROWS_WITH(parse_trusted_proxy("2001:db8::1/64"),
                    "ServeOptions.trust_proxy '2001:db8::1/64' has bits set after its prefix: give "
                    "2001:db8::/64 for the range, or 2001:db8::1 for one address");
  try {
    parse_trusted_proxy("nginx");
    FAIL("accepted a host name");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::usage);
  }
}

TEST_CASE("serve address: X-Forwarded-For counts only from trusted proxies, from the right",
          "[serve]") {
  const std::vector<std::string> trusted = {"127.0.0.1", "10.0.0.0/8"};
  // An untrusted peer is the client, whatever it claims.
  CHECK(client("198.51.100.9", "203.0.113.7", trusted) == "198.51.100.9");
  CHECK(client("198.51.100.9", "203.0.113.7", {}) == "198.51.100.9");
  // A trusted proxy without the header: the proxy itself.
  CHECK(client("127.0.0.1", "", trusted) == "127.0.0.1");
  CHECK(client("127.0.0.1", "203.0.113.7", trusted) == "203.0.113.7");
  // What the client wrote itself (left of what the proxy appended) proves nothing.
  CHECK(client("127.0.0.1", "1.1.1.1, 203.0.113.7", trusted) == "203.0.113.7");
  // Trusted hops are skipped, from the right.
  CHECK(client("127.0.0.1", "1.1.1.1, 203.0.113.7, 10.0.0.5, 10.0.0.6", trusted) == "203.0.113.7");
  // Every entry trusted: the left-most.
  CHECK(client("127.0.0.1", "10.0.0.5, 10.0.0.6", trusted) == "10.0.0.5");
  // An entry that is no address stops at the trusted hop to its right.
  CHECK(client("127.0.0.1", "unknown", trusted) == "127.0.0.1");
  CHECK(client("127.0.0.1", "203.0.113.7, garbage, 10.0.0.5", trusted) == "10.0.0.5");
  CHECK(client("127.0.0.1", "203.0.113.7, 2001:db8::1:80:x", trusted) == "127.0.0.1");
  // Ports, brackets, spaces and empty entries.
  CHECK(client("127.0.0.1", " 203.0.113.7:5678 ", trusted) == "203.0.113.7");
  CHECK(client("127.0.0.1", "[2001:db8::1]:443", trusted) == "2001:db8::1");
  CHECK(client("127.0.0.1", "2001:db8::1", trusted) == "2001:db8::1");
  CHECK(client("127.0.0.1", "203.0.113.7,, ", trusted) == "203.0.113.7");
  CHECK(client("127.0.0.1", "[2001:db8::1]x", trusted) == "127.0.0.1");
  // The peer of a dual-stack socket, and an IPv6 proxy.
  CHECK(client("::ffff:127.0.0.1", "203.0.113.7", trusted) == "203.0.113.7");
  CHECK(client("::1", "203.0.113.7", {"::1"}) == "203.0.113.7");
  CHECK(client("::1", "203.0.113.7", trusted) == "::1");
}

TEST_CASE("serve address: --listen takes IPv4 and bracketed IPv6 with a port", "[serve]") {
  using viscode::detail::parse_listen;
  const viscode::detail::ListenAddress four = parse_listen("127.0.0.1:8080");
  CHECK_FALSE(four.v6);
  CHECK(four.port == 8080);
  CHECK(four.length == sizeof(sockaddr_in));
  const viscode::detail::ListenAddress loop6 = parse_listen("[::1]:0");
  CHECK(loop6.v6);
  CHECK_FALSE(loop6.any_v6);
  CHECK(loop6.port == 0);
  CHECK(loop6.length == sizeof(sockaddr_in6));
  const viscode::detail::ListenAddress any6 = parse_listen("[::]:65535");
  CHECK(any6.any_v6);
  CHECK(any6.port == 65535);
  CHECK_FALSE(parse_listen("0.0.0.0:80").v6);
  for (const std::string bad :
       {"localhost:80", "[::1]", "::1:8080", "[::1]:65536", "127.0.0.1:", "[::1:80", "[]:80",
        "127.0.0.1:+80", "127.0.0.1", "[localhost]:80", "127.0.0.1:123456", "[127.0.0.1]:80"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_listen(bad), "ServeOptions.listen '" + bad +
                                             "' is not ADDRESS:PORT: give e.g. 127.0.0.1:8080, "
                                             "[::1]:8080 or [::]:8080 (port 0 picks a free port)");
  }
}

TEST_CASE("serve rate limit: a burst, then one request per interval, per client", "[serve]") {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  viscode::detail::RateLimiter limit(20, 1000);  // the default: 20/min
  const auto t0 = viscode::detail::RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  const IpAddress a = ip("203.0.113.7"), b = ip("203.0.113.8");
  for (int i = 0; i < 20; ++i) CHECK(limit.take(a, t0) == seconds(0));
  CHECK(limit.take(a, t0) == seconds(3));                    // one every 3 s
  CHECK(limit.take(a, t0 + milliseconds(1)) == seconds(3));  // rounded up
  CHECK(limit.take(a, t0 + milliseconds(2001)) == seconds(1));
  CHECK(limit.take(a, t0 + milliseconds(2999)) == seconds(1));
  CHECK(limit.take(a, t0 + seconds(3)) == seconds(0));  // refused requests took nothing
  CHECK(limit.take(a, t0 + seconds(3)) == seconds(3));
  CHECK(limit.take(b, t0 + seconds(3)) == seconds(0));  // another client, another bucket
  // A minute idle fills the bucket again, and no more than full.
  const auto t1 = t0 + seconds(3 + 60);
  for (int i = 0; i < 20; ++i) CHECK(limit.take(a, t1) == seconds(0));
  CHECK(limit.take(a, t1) == seconds(3));
  CHECK(limit.tracked() == 2);
}

TEST_CASE("serve rate limit: a shopper's reloads never meet the default", "[serve]") {
  viscode::detail::RateLimiter limit(20, 1000);
  const auto t0 = viscode::detail::RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  const IpAddress phone = ip("198.51.100.20");
  // A scan, 5 quick reloads, then a reload every 4 s for two minutes.
  int refused = 0;
  for (int i = 0; i < 6; ++i) refused += limit.take(phone, t0).count() > 0;
  for (int k = 1; k <= 30; ++k)
    refused += limit.take(phone, t0 + std::chrono::seconds(4 * k)).count() > 0;
  CHECK(refused == 0);
  // One a second does meet it, after the burst is spent (the 22nd second).
  viscode::detail::RateLimiter fast(20, 1000);
  for (int i = 0; i < 6; ++i) CHECK(fast.take(phone, t0).count() == 0);
  for (int s = 1; s <= 21; ++s) CHECK(fast.take(phone, t0 + std::chrono::seconds(s)).count() == 0);
  CHECK(fast.take(phone, t0 + std::chrono::seconds(22)).count() == 2);
}

TEST_CASE("serve rate limit: 1/min, IPv6 /64 clients, bounded clients", "[serve]") {
  using std::chrono::seconds;
  const auto t0 = viscode::detail::RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  viscode::detail::RateLimiter one(1, 1000);
  CHECK(one.take(ip("192.0.2.1"), t0) == seconds(0));
  CHECK(one.take(ip("192.0.2.1"), t0 + seconds(1)) == seconds(59));
  // Addresses of one /64 share a bucket; the next /64 does not.
  CHECK(one.take(ip("2001:db8::1"), t0) == seconds(0));
  CHECK(one.take(ip("2001:db8::ffff:2"), t0) == seconds(60));
  CHECK(one.take(ip("2001:db8:0:1::1"), t0) == seconds(0));
  // An IPv4 address and the IPv6 address with the same leading bytes are two clients.
  CHECK(one.take(ip("32.1.13.184"), t0) == seconds(0));  // 0x20010db8

  // Two clients kept: a third forgets the least recently seen one, which starts full again.
  viscode::detail::RateLimiter two(1, 2);
  const IpAddress a = ip("192.0.2.1"), b = ip("192.0.2.2"), c = ip("192.0.2.3");
  CHECK(two.take(a, t0) == seconds(0));
  CHECK(two.take(b, t0) == seconds(0));
  CHECK(two.take(a, t0) == seconds(60));  // refused, but seen: b is now the oldest
  CHECK(two.take(c, t0) == seconds(0));   // b forgotten
  CHECK(two.tracked() == 2);
  CHECK(two.take(a, t0) == seconds(60));  // a kept its empty bucket
  CHECK(two.take(b, t0) == seconds(0));   // b forgiven (and c forgotten)
  CHECK(two.tracked() == 2);
}

TEST_CASE("serve rate limit: only the code routes take a token", "[serve]") {
  using viscode::detail::RouteKind;
  CHECK(viscode::detail::rate_limited(RouteKind::code));
  CHECK(viscode::detail::rate_limited(RouteKind::product_code));
  CHECK_FALSE(viscode::detail::rate_limited(RouteKind::healthz));
  CHECK_FALSE(viscode::detail::rate_limited(RouteKind::none));
}
