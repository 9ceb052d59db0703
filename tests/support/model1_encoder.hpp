#pragma once
// QR Code Model 1 symbols (AIM ITS/97-001, ISO 18004:2000 annex M), made for tests: no
// encoder or third-party reader at hand makes or reads them. Test-only and independent of
// lib/detect (own tables, Reed-Solomon and placement), so that the detector is checked
// against a second statement of the layout rather than its own.
//
// The layout: Model 2's finders, separators, timing patterns, format positions and data
// masks; no alignment or version information; the format information is XORed with 0x2825;
// codewords fill 2x4-module cells in the four columns right of the top-right finder and in
// the eight columns left of the timing column, 4x2 cells in the columns between; extension
// patterns (an edge line of dark modules with light ones inside) interrupt the right and
// bottom edges from version 2 on; blocks follow one another (data of every block, then EC of
// every block), and the data stream begins with four zero bits, placed in the bottom-right
// 2x2 corner.

#include <cstdint>
#include <opencv2/core.hpp>
#include <vector>

namespace viscode::test {

struct Model1Symbol {
  int version = 0;                     // 1..14
  int size = 0;                        // 17 + 4 * version modules
  std::vector<std::uint8_t> dark;      // row-major, 1 = dark
  std::vector<std::uint8_t> function;  // row-major, 1 = not a data module (corner included)
};

// Data codewords of a version (1..14) at level 'L', 'M', 'Q' or 'H'.
int model1_data_codewords(int version, char ec);

// data: exactly model1_data_codewords(version, ec) codewords whose first four bits are zero
// (Model 1's stream starts with them): e.g. Bits().put(0, 4), the segments, a terminator,
// then Bits::codewords(n). mask: 0..7. Throws std::invalid_argument on anything else.
Model1Symbol model1_symbol(const std::vector<std::uint8_t>& data, int version, char ec, int mask);

// The symbol drawn black on white, module_px pixels a module, with a quiet zone of
// quiet_modules modules: 8-bit grey.
cv::Mat render_model1(const Model1Symbol& symbol, int module_px, int quiet_modules = 4);

}  // namespace viscode::test
