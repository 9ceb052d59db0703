// SHA-256 of files as the manifest records them (libsodium), in lowercase hex.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace viscode::detail {

class Sha256 {
 public:
  Sha256() { crypto_hash_sha256_init(&state_); }
  void update(std::span<const std::uint8_t> bytes) {
    crypto_hash_sha256_update(&state_, bytes.data(), bytes.size());
  }
  std::string hex();  // finishes the hash

 private:
  crypto_hash_sha256_state state_;
};

std::string sha256_hex(std::span<const std::uint8_t> bytes);
// Empty when the file cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace viscode::detail
