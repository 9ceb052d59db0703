// What the signing files share: libsodium set up once, and the format rules' wording.
#pragma once

#include <string>
#include <string_view>

namespace viscode::detail {

// sodium_init() once per process (thread-safe); Error(internal) when it fails.
void ensure_sodium();

// [0-9A-Z]: the characters of serials, product ids and signatures.
inline bool is_field_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}
// The fixed layout "[<product>/]<serial>.<signature>": one character each, and no other.
// A reader that accepted several separators would let a one-bit change of one into another
// ('.' ^ 1 == '/') still verify.
inline constexpr char kSignatureSeparator = '.';  // between the serial and the signature
inline constexpr char kProductSeparator = '/';    // between the product id and the serial

// "unknown serial format: ..." naming the value and the rule.
std::string unsignable_serial_message(std::string_view serial);
// Error(usage) with the messages above.
[[noreturn]] void throw_unsignable_serial(std::string_view serial);
[[noreturn]] void throw_bad_product(std::string_view product);

}  // namespace viscode::detail
