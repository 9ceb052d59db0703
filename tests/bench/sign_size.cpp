// How big a signed payload's code is: the signature as base32 (QR alphanumeric mode) against
// base64url (byte mode), at EC H, for URL prefixes of 20..60 characters in lower and upper
// case. The numbers behind docs/authenticate.md's choice of base32.
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <string>

#include "viscode/viscode.hpp"

using namespace viscode;

namespace {

// "https://b.example/aaa.../" of exactly n characters (n >= 20), or its upper-case twin.
std::string url_prefix(std::size_t n, bool upper) {
  std::string s = "https://b.example/" + std::string(n - 19, 'a') + "/";
  if (upper) std::transform(s.begin(), s.end(), s.begin(), [](char c) { return std::toupper(c); });
  return s;
}

int version(const std::string& payload, bool byte_mode) {
  EncodeOptions e;
  e.ec = EcLevel::H;
  const auto* p = reinterpret_cast<const std::uint8_t*>(payload.data());
  return byte_mode ? encode_bytes(std::span(p, payload.size()), e).version
                   : encode(payload, e).version;
}

}  // namespace

int main() {
  if (sodium_init() < 0) return 1;
  // A fixed key and serial, so that the table is the same on every run.
  SecretKey key;
  for (std::size_t i = 0; i < key.seed.size(); ++i) key.seed[i] = static_cast<std::uint8_t>(i + 1);
  const std::string serial = "7K3M9Q2W8R4T6Y1B";  // 16 Crockford base32 characters, 80 bits
  const std::string sig32 = sign_serial(key, serial);
  // The same 64 signature bytes as base64url: decode the base32 text back.
  std::array<std::uint8_t, 64> sig{};
  {
    std::uint32_t acc = 0;
    int bits = 0;
    std::size_t k = 0;
    for (const char c : sig32) {
      acc = (acc << 5) | static_cast<std::uint32_t>(c >= 'A' ? c - 'A' : c - '2' + 26);
      bits += 5;
      if (bits >= 8) {
        bits -= 8;
        sig[k++] = static_cast<std::uint8_t>(acc >> bits);
      }
    }
  }
  char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, sig.data(), sig.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  const std::string sig64 = b64;
  // A serial of letters only and a signature of letters only: after these prefixes, which
  // end in '/' (alphanumeric), the most any real serial and signature of those lengths can
  // need. (After a byte-mode character such as the '=' of "?s=", leading digits can need
  // more; a signed batch probes such serials too.)
  const std::string worst =
      std::string(serial.size(), 'Z') + "." + std::string(kSignatureChars, 'A');

  std::printf(
      "Signed payload = PREFIX + 16-character serial + '.' + signature, EC H.\n"
      "base32: %zu characters (QR picks byte mode for the lower-case prefix, alphanumeric "
      "for the rest); base64url: %zu characters.\n\n",
      sig32.size(), sig64.size());
  std::printf(
      "| prefix chars | prefix case | payload chars base32 / base64url | base32 version | "
      "base32 worst case | base32 all in byte mode | base64url version |\n"
      "|---:|---|---|---:|---:|---:|---:|\n");
  for (std::size_t n = 20; n <= 60; n += 10) {
    for (const bool upper : {false, true}) {
      const std::string prefix = url_prefix(n, upper);
      const std::string p32 = prefix + serial + "." + sig32;
      const std::string p64 = prefix + serial + "." + sig64;
      std::printf("| %zu | %s | %zu / %zu | %d | %d | %d | %d |\n", n, upper ? "upper" : "lower",
                  p32.size(), p64.size(), version(p32, false), version(prefix + worst, false),
                  version(p32, true), version(p64, false));
    }
  }
  return 0;
}
