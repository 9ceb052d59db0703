#include "sha256.hpp"

#include <fstream>
#include <vector>

namespace viscode::detail {

std::string Sha256::hex() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state_, digest);
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  out.reserve(2 * sizeof digest);
  for (const unsigned char b : digest) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.hex();
}

std::string sha256_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  Sha256 h;
  std::vector<std::uint8_t> buf(1 << 16);
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    h.update(std::span(buf.data(), static_cast<std::size_t>(in.gcount())));
  }
  return in.bad() ? std::string() : h.hex();
}

}  // namespace viscode::detail
