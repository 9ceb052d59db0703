// Addresses for the verification service (address.hpp): parsing, ranges, and the client of
// a request behind trusted reverse proxies.
#include "serve/address.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <strings.h>

#include <algorithm>
#include <cstring>

#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One X-Forwarded-For entry: an address, optionally with a port ("1.2.3.4:80", "[::1]:80").
std::optional<IpAddress> parse_forwarded_entry(std::string_view entry) {
  entry = trim(entry);
  if (!entry.empty() && entry.front() == '[') {
    const std::size_t close = entry.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view rest = entry.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
    return parse_ip(entry.substr(1, close - 1));
  }
  const std::size_t colon = entry.find(':');
  if (colon != std::string_view::npos && entry.find(':', colon + 1) == std::string_view::npos) {
    if (!all_digits(entry.substr(colon + 1))) return std::nullopt;
    entry = entry.substr(0, colon);  // IPv4:PORT (an IPv6 address has several colons)
  }
  return parse_ip(entry);
}

[[noreturn]] void bad_listen(const std::string& listen) {
  throw Error(ErrorCategory::usage, "ServeOptions.listen '" + listen +
                                        "' is not ADDRESS:PORT: give e.g. 127.0.0.1:8080, "
                                        "[::1]:8080 or [::]:8080 (port 0 picks a free port)");
}

}  // namespace

std::optional<IpAddress> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  in6_addr six{};
  if (inet_pton(AF_INET6, s.c_str(), &six) != 1) return std::nullopt;
  sockaddr_in6 address{};
  address.sin6_family = AF_INET6;
  address.sin6_addr = six;
  return ip_of(reinterpret_cast<const sockaddr*>(&address));
}

std::optional<IpAddress> ip_of(const sockaddr* address) {
  if (address == nullptr) return std::nullopt;
  IpAddress a;
  if (address->sa_family == AF_INET) {
    const auto* four = reinterpret_cast<const sockaddr_in*>(address);
    std::memcpy(a.bytes.data(), &four->sin_addr, 4);
    return a;
  }
  if (address->sa_family != AF_INET6) return std::nullopt;
  const auto* six = reinterpret_cast<const sockaddr_in6*>(address);
  const auto* b = six->sin6_addr.s6_addr;
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) {
    std::memcpy(a.bytes.data(), b + 12, 4);
    return a;
  }
  a.v6 = true;
  std::memcpy(a.bytes.data(), b, 16);
  return a;
}

std::string to_string(const IpAddress& a) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), text, sizeof text);
  return text;
}

Cidr parse_trusted_proxy(std::string_view text) {
  const std::string given(text);
  const auto bad = [&given]() {
    throw Error(ErrorCategory::usage, "ServeOptions.trust_proxy '" + given +
                                          "' is not ADDRESS or ADDRESS/PREFIX: give the reverse "
                                          "proxy's address as serve sees it, e.g. 127.0.0.1, ::1 "
                                          "or 10.0.0.0/8");
  };
  const std::size_t slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  const std::optional<IpAddress> address = parse_ip(host);
  if (!address) bad();
  Cidr range;
  range.network = *address;
  const int bits = address->v6 ? 128 : 32;
  range.prefix = bits;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    if (!all_digits(digits) || digits.size() > 3) bad();
    range.prefix = std::stoi(std::string(digits));
    // ::ffff:10.0.0.0/104 is the IPv4 range 10.0.0.0/8, held as IPv4 like the address.
    const bool mapped = !address->v6 && host.find(':') != std::string_view::npos;
    if (mapped) {
      if (range.prefix < 96) bad();
      range.prefix -= 96;
    }
    if (range.prefix > bits) bad();
  }
  Cidr masked = range;
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(range.prefix - 8 * i, 0, 8);
    masked.network.bytes[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(0xff00 >> keep);
  }
  if (!(masked.network == range.network)) {
    const std::string network = to_string(masked.network) + "/" + std::to_string(range.prefix);
    throw Error(ErrorCategory::usage,
                "ServeOptions.trust_proxy '" + given + "' has bits set after its prefix: give " +
                    network + " for the range, or " + std::string(host) + " for one address");
  }
  return masked;
}

bool contains(const Cidr& range, const IpAddress& a) {
  if (range.network.v6 != a.v6) return false;
  int left = range.prefix;
  for (std::size_t i = 0; left > 0; ++i, left -= 8) {
    const auto mask = static_cast<std::uint8_t>(0xff00 >> std::min(left, 8));
    if ((range.network.bytes[i] & mask) != (a.bytes[i] & mask)) return false;
  }
  return true;
}

bool is_trusted(const IpAddress& a, const std::vector<Cidr>& trusted) {
  return std::any_of(trusted.begin(), trusted.end(),
                     [&a](const Cidr& range) { return contains(range, a); });
}

IpAddress client_address(const IpAddress& peer, std::string_view forwarded_for,
                         const std::vector<Cidr>& trusted) {
  IpAddress client = peer;
  if (!is_trusted(peer, trusted)) return client;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const std::size_t comma = rest.rfind(',');
    const std::string_view entry =
        trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (entry.empty()) continue;  // "a, , b" or a trailing comma: nothing claimed
    const std::optional<IpAddress> hop = parse_forwarded_entry(entry);
    if (!hop) return client;  // the last trusted hop forwarded something that is no address
    client = *hop;
    if (!is_trusted(client, trusted)) return client;
  }
  return client;
}

RequestClient client_of(MHD_Connection* connection, const std::vector<Cidr>& trusted) {
  RequestClient result;
  const MHD_ConnectionInfo* info =
      MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  const std::optional<IpAddress> peer = ip_of(info != nullptr ? info->client_addr : nullptr);
  if (!peer) return result;  // not a TCP/IP peer: cannot happen on an IP listener
  result.address = *peer;
  if (!is_trusted(*peer, trusted)) {
    result.ignored_forwarded_for =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "X-Forwarded-For") != nullptr;
    return result;
  }
  // Every X-Forwarded-For header, in the order received: a proxy may add its own header
  // after the ones it was sent rather than append to them.
  std::string forwarded_for;
  MHD_get_connection_values(
      connection, MHD_HEADER_KIND,
      [](void* cls, MHD_ValueKind, const char* key, const char* value) -> MHD_Result {
        if (value != nullptr && strcasecmp(key, "X-Forwarded-For") == 0) {
          auto* all = static_cast<std::string*>(cls);
          if (!all->empty()) all->push_back(',');
          all->append(value);
        }
        return MHD_YES;
      },
      &forwarded_for);
  result.address = client_address(*peer, forwarded_for, trusted);
  return result;
}

ListenAddress parse_listen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) bad_listen(listen);
  const std::string host = listen.substr(0, colon), port_text = listen.substr(colon + 1);
  if (!all_digits(port_text) || port_text.size() > 5 || std::stoul(port_text) > 65535) {
    bad_listen(listen);
  }
  ListenAddress result;
  result.port = static_cast<std::uint16_t>(std::stoul(port_text));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    sockaddr_in6 six{};
    six.sin6_family = AF_INET6;
    six.sin6_port = htons(result.port);
    if (inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &six.sin6_addr) != 1) {
      bad_listen(listen);
    }
    result.v6 = true;
    result.any_v6 = IN6_IS_ADDR_UNSPECIFIED(&six.sin6_addr);
    std::memcpy(&result.storage, &six, sizeof six);
    result.length = sizeof six;
    return result;
  }
  sockaddr_in four{};
  four.sin_family = AF_INET;
  four.sin_port = htons(result.port);
  if (inet_pton(AF_INET, host.c_str(), &four.sin_addr) != 1) bad_listen(listen);
  std::memcpy(&result.storage, &four, sizeof four);
  result.length = sizeof four;
  return result;
}

}  // namespace viscode::detail
