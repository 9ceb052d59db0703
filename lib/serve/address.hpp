// Addresses for the verification service: the --listen address (IPv4 or IPv6), the
// --trust-proxy ranges, and the client of a request behind trusted reverse proxies
// (X-Forwarded-For). The client address only keys the rate limit in memory: it is never
// logged nor stored. Everything but client_of() is pure, so it is tested without sockets.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct MHD_Connection;

namespace viscode::detail {

// An IPv4 or IPv6 address. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, which a dual-stack
// socket reports for an IPv4 peer) is held as the IPv4 address, so that a proxy given as
// 127.0.0.1 matches whichever socket it came in on.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // IPv4: the first 4, the rest 0
  bool operator==(const IpAddress&) const = default;
};

// "1.2.3.4" or "::1" (no brackets, no port, no zone); nothing when it is neither.
std::optional<IpAddress> parse_ip(std::string_view text);
// The address of a socket's peer (AF_INET or AF_INET6); nothing for another family.
std::optional<IpAddress> ip_of(const sockaddr* address);
// Dotted IPv4 or RFC 5952 IPv6, for messages and tests (never for a log).
std::string to_string(const IpAddress& a);

// An address range, as --trust-proxy takes it.
struct Cidr {
  IpAddress network;  // with every bit after the prefix 0
  int prefix = 0;     // 0..32 (IPv4), 0..128 (IPv6)
};

// "ADDR" (one address) or "ADDR/PREFIX"; Error(usage) naming ServeOptions.trust_proxy and the fix,
// also for bits set after the prefix (10.1.2.3/8: did the user mean 10.0.0.0/8 or 10.1.2.3?).
Cidr parse_trusted_proxy(std::string_view text);
// An IPv4 range holds IPv4 addresses only, an IPv6 range IPv6 ones.
bool contains(const Cidr& range, const IpAddress& a);
bool is_trusted(const IpAddress& a, const std::vector<Cidr>& trusted);

// The client of a request. The TCP peer, unless the peer is a trusted proxy: then the
// addresses of X-Forwarded-For (every such header's value, in order, joined by commas) are
// read from the right, each trusted one skipped, and the first untrusted one is the client
// (the right-most untrusted rule: entries left of it were written by the client itself and
// prove nothing). When every entry is trusted the left-most is the client; an entry that is
// not an address ends the walk at the trusted hop to its right, so garbage cannot pick a
// bucket of its own. X-Forwarded-For from an untrusted peer is ignored.
// Entries may carry a port ("1.2.3.4:5678", "[::1]:80") and spaces around them.
IpAddress client_address(const IpAddress& peer, std::string_view forwarded_for,
                         const std::vector<Cidr>& trusted);

struct RequestClient {
  IpAddress address;
  // The peer is not trusted but sent X-Forwarded-For: a reverse proxy missing from
  // --trust-proxy looks like this (every shopper would share the proxy's bucket).
  bool ignored_forwarded_for = false;
};
// client_address() of a libmicrohttpd request.
RequestClient client_of(MHD_Connection* connection, const std::vector<Cidr>& trusted);

// The ServeOptions.listen address: "A.B.C.D:PORT", "[IPv6]:PORT". Error(usage) naming
// ServeOptions.listen and the fix for anything else (a host name, a missing port, a port over
// 65535).
struct ListenAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool v6 = false;
  // [::]: every address, IPv4 included (one dual-stack socket).
  bool any_v6 = false;
  std::uint16_t port = 0;
};
ListenAddress parse_listen(const std::string& listen);

}  // namespace viscode::detail
