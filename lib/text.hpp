// Byte strings as text: the detector decides whether a byte segment is UTF-8, the ledger
// whether a payload can be stored and shown as it is.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace viscode::detail {

// Well-formed UTF-8: no overlong forms, UTF-16 surrogates or code points past U+10FFFF.
// NUL and other control characters are valid UTF-8.
bool valid_utf8(std::span<const std::uint8_t> s);
inline bool valid_utf8(std::string_view s) {
  return valid_utf8(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// "hex:" and the bytes in lower-case hex: how bytes that are not text get logged.
std::string hex_text(std::string_view s);

}  // namespace viscode::detail
