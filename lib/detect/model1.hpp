// QR Code Model 1 (AIM ITS/97-001, ISO 18004:2000 annex M): the original form of the
// symbology, still printed on old packs. Versions 1-14 (21..73 modules) share Model 2's
// finders, timing patterns, format positions, data masks and modes, but have no alignment
// or version information: larger versions have extension patterns on the right and bottom
// edges instead. Model 1 differs in the format information's XOR mask, the error correction
// block tables, the order in which codewords fill the symbol (mostly 2x4 and 4x2 module
// cells rather than Model 2's two-module column zigzag), blocks placed one after the other
// rather than interleaved, and four zero bits ahead of the data stream.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

constexpr int kModel1MaxVersion = 14;

// XORed onto Model 1's format information (BCH(15,5), as Model 2's, which uses 0x5412).
constexpr std::uint16_t kModel1FormatMask = 0x2825;

struct Model1Blocks {
  int blocks = 0;          // Reed-Solomon blocks, all alike
  int ec_per_block = 0;    // EC codewords per block
  int data_per_block = 0;  // data codewords per block
  int data_codewords() const { return blocks * data_per_block; }
  int block_codewords() const { return blocks * (data_per_block + ec_per_block); }
};
// The block structure of a version (1..14) and level. Where it fills fewer codewords than
// the symbol holds (versions 7-14, some levels) the rest are remainder codewords.
Model1Blocks model1_blocks(int version, EcLevel ec);

// Codewords a version's symbol holds (26 for version 1 .. 610 for version 14).
int model1_total_codewords(int version);

// Module indices (y * size + x) in codeword-bit order, most significant bit of codeword 0
// first, for all model1_total_codewords(version) codewords. Codeword 0's first four bits sit
// in the bottom-right 2x2 corner and always carry zeros.
const std::vector<int>& model1_module_order(int version);

// The extension patterns' modules of a version as {x, y, dark}: 4-module strips on the right
// and bottom edges, dark on the edge and light inside. Locating scores a fit on them.
std::vector<std::array<int, 3>> model1_extension_modules(int version);

// Corrects one block (data then EC codewords, with each codeword's confidence) in place:
// decode_grid's Reed-Solomon policy, shared with Model 2. p: misdecode-protection codewords.
using BlockCorrector = std::function<std::optional<BlockMargin>(
    std::vector<std::uint8_t>& block, const std::vector<float>& confidence, int ec, int p)>;

// The grid (as read, not transposed) decoded as a Model 1 symbol: empty unless its size is
// a Model 1 version's, its format information is a Model 1 word within distance 3 and every
// block corrects.
std::optional<Decoded> decode_model1(const ModuleGrid& grid, const BlockCorrector& correct);

}  // namespace viscode::detail
