// Internal: the ISO 18004 data masks and format information, shared by the stages that
// build a symbol (qrencode_symbol.cpp) and re-mask one (mask.cpp).
#pragma once

#include <array>
#include <cstdint>

#include "viscode/encode.hpp"

namespace viscode::detail {

// True where mask pattern `mask` inverts the module at (row, col) (ISO 18004 table 10).
bool mask_inverts(int mask, int row, int col);
// mask_inverts for a whole row: out[col] for col in 0..size-1.
void mask_row(int mask, int row, int size, std::uint8_t* out);

// penalty(symbol).n3 alone: the finder-like patterns the image-aware mask weighs for eight
// candidates per code.
int finder_like_penalty(const Symbol& symbol);

// The 15-bit format information for (ec, mask): BCH(15,5) code XOR 0x5412.
std::uint32_t format_bits(EcLevel ec, int mask);

// Where bit i (0 = least significant) of the format information sits, as {x, y}, in the
// copy around the top-left finder and in the copy split between the other two finders.
struct FormatPositions {
  std::array<std::array<int, 2>, 15> first;
  std::array<std::array<int, 2>, 15> second;
};
FormatPositions format_positions(int size);

// The two EC-level bits ISO 18004 puts in the format information (L=01, M=00, Q=11, H=10).
int ec_format_bits(EcLevel ec);

}  // namespace viscode::detail
