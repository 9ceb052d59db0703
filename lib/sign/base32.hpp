// RFC 4648 base32 (alphabet A-Z 2-7, upper case, no padding) as signed payloads print it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace viscode::detail {

bool is_base32_char(char c);
std::string base32_encode(std::span<const std::uint8_t> bytes);
// nullopt unless `text` is the canonical encoding of some bytes: only alphabet characters, a
// length an unpadded encoding can have, and zero bits after the last whole byte. Rejecting
// the non-canonical spellings means no change to printed text decodes to the same bytes.
std::optional<std::vector<std::uint8_t>> base32_decode(std::string_view text);

}  // namespace viscode::detail
