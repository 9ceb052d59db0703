#include "encode/mask.hpp"

#include <string>
#include <vector>

#include "encode/checks.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {

bool mask_inverts(int mask, int row, int col) {
  const int i = row;
  const int j = col;
  switch (mask) {
    case 0:
      return (i + j) % 2 == 0;
    case 1:
      return i % 2 == 0;
    case 2:
      return j % 3 == 0;
    case 3:
      return (i + j) % 3 == 0;
    case 4:
      return (i / 2 + j / 3) % 2 == 0;
    case 5:
      return (i * j) % 2 + (i * j) % 3 == 0;
    case 6:
      return ((i * j) % 2 + (i * j) % 3) % 2 == 0;
    case 7:
      return ((i + j) % 2 + (i * j) % 3) % 2 == 0;
    default:
      check_mask(mask);
      return false;
  }
}

void mask_row(int mask, int row, int size, std::uint8_t* out) {
  // One switch per row rather than per module: the image-aware mask re-masks eight
  // candidates for every code.
  const auto fill = [&](auto inverts) {
    for (int col = 0; col < size; ++col) out[col] = inverts(row, col) ? 1 : 0;
  };
  switch (mask) {
    case 0:
      return fill([](int i, int j) { return (i + j) % 2 == 0; });
    case 1:
      return fill([](int i, int) { return i % 2 == 0; });
    case 2:
      return fill([](int, int j) { return j % 3 == 0; });
    case 3:
      return fill([](int i, int j) { return (i + j) % 3 == 0; });
    case 4:
      return fill([](int i, int j) { return (i / 2 + j / 3) % 2 == 0; });
    case 5:
      return fill([](int i, int j) { return (i * j) % 2 + (i * j) % 3 == 0; });
    case 6:
      return fill([](int i, int j) { return ((i * j) % 2 + (i * j) % 3) % 2 == 0; });
    case 7:
      return fill([](int i, int j) { return ((i + j) % 2 + (i * j) % 3) % 2 == 0; });
    default:
      check_mask(mask);
  }
}

int ec_format_bits(EcLevel ec) {
  switch (ec) {
    case EcLevel::L:
      return 1;
    case EcLevel::M:
      return 0;
    case EcLevel::Q:
      return 3;
    case EcLevel::H:
      return 2;
  }
  check_ec(ec);
  return 0;
}

std::uint32_t format_bits(EcLevel ec, int mask) {
  check_mask(mask);
  const std::uint32_t data = static_cast<std::uint32_t>(ec_format_bits(ec) << 3 | mask);
  // Polynomial long division by the BCH(15,5) generator x^10+x^8+x^5+x^4+x^2+x+1.
  std::uint32_t rem = data;
  for (int i = 0; i < 10; ++i) rem = (rem << 1) ^ ((rem >> 9) * 0x537u);
  // The XOR keeps the all-zero (M, mask 0) word from being an all-light strip.
  return ((data << 10) | (rem & 0x3FFu)) ^ 0x5412u;
}

FormatPositions format_positions(int size) {
  FormatPositions p{};
  // Copy 1 wraps around the top-left finder, stepping over the timing row and column.
  for (int i = 0; i <= 5; ++i) p.first[static_cast<std::size_t>(i)] = {8, i};
  p.first[6] = {8, 7};
  p.first[7] = {8, 8};
  p.first[8] = {7, 8};
  for (int i = 9; i < 15; ++i) p.first[static_cast<std::size_t>(i)] = {14 - i, 8};
  // Copy 2: low bits under the top-right finder, high bits beside the bottom-left one.
  for (int i = 0; i < 8; ++i) p.second[static_cast<std::size_t>(i)] = {size - 1 - i, 8};
  for (int i = 8; i < 15; ++i) p.second[static_cast<std::size_t>(i)] = {8, size - 15 + i};
  return p;
}

}  // namespace viscode::detail

namespace viscode {

Symbol with_mask(const Symbol& symbol, int mask) {
  detail::check_mask(mask);
  detail::check_mask(symbol.mask);
  const auto cells = static_cast<std::size_t>(symbol.size) * static_cast<std::size_t>(symbol.size);
  if (symbol.size != 17 + 4 * symbol.version || symbol.dark.size() != cells ||
      symbol.roles.size() != cells) {
    throw Error(ErrorCategory::usage,
                "with_mask needs a symbol from encode(): size, dark and roles disagree");
  }
  Symbol out = symbol;
  out.mask = mask;
  std::vector<std::uint8_t> was(static_cast<std::size_t>(out.size));
  std::vector<std::uint8_t> now(static_cast<std::size_t>(out.size));
  for (int y = 0; y < out.size; ++y) {
    detail::mask_row(symbol.mask, y, out.size, was.data());
    detail::mask_row(mask, y, out.size, now.data());
    for (int x = 0; x < out.size; ++x) {
      if (out.is_function(x, y)) continue;
      // XOR with the old pattern recovers the unmasked bit; XOR with the new one masks it.
      const auto i = static_cast<std::size_t>(x);
      if (was[i] != now[i]) out.dark[static_cast<std::size_t>(y * out.size + x)] ^= 1u;
    }
  }
  const std::uint32_t bits = detail::format_bits(out.ec, mask);
  const detail::FormatPositions pos = detail::format_positions(out.size);
  for (std::size_t i = 0; i < 15; ++i) {
    const auto bit = static_cast<std::uint8_t>((bits >> i) & 1u);
    for (const auto& xy : {pos.first[i], pos.second[i]}) {
      out.dark[static_cast<std::size_t>(xy[1] * out.size + xy[0])] = bit;
    }
  }
  return out;
}

}  // namespace viscode
