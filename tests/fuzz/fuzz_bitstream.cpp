// libFuzzer target: arbitrary data codewords through the bitstream parser, at the version
// the first byte names (its character-count widths differ by version range).
#include <cstdint>
#include <span>

#include "detect/bitstream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const int version = 1 + data[0] % 40;
  (void)viscode::detail::parse_bitstream(std::span(data + 1, size - 1), version);
  return 0;
}
