#include <array>

#include "encode/checks.hpp"
#include "encode/placement.hpp"
#include "viscode/encode.hpp"

namespace viscode {
namespace {

// ISO 18004 table 9, reduced to what determines it: per version (index 1..40) and level,
// the EC codewords per block and the number of blocks. The group split and data codewords
// per block follow from the total codeword count, because the standard always uses the
// fewest group-2 blocks, each one data codeword longer.
using Row = std::array<int, 41>;

constexpr std::array<Row, 4> kEcPerBlock = {{
    // L
    {0,  7,  10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    // M
    {0,  10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
    // Q
    {0,  13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
     28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    // H
    {0,  17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
}};

constexpr std::array<Row, 4> kBlocks = {{
    // L
    {0, 1, 1, 1,  1,  1,  2,  2,  2,  2,  4,  4,  4,  4,  4,  6,  6,  6,  6,  7, 8,
     8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
    // M
    {0,  1,  1,  1,  2,  2,  4,  4,  4,  5,  5,  5,  8,  9,  9,  10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
    // Q
    {0,  1,  1,  2,  2,  4,  4,  6,  6,  8,  8,  8,  10, 12, 16, 12, 17, 16, 18, 21, 20,
     23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68},
    // H
    {0,  1,  1,  2,  4,  4,  4,  5,  6,  8,  8,  11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81},
}};

std::size_t level_index(EcLevel ec) {
  switch (ec) {
    case EcLevel::L:
      return 0;
    case EcLevel::M:
      return 1;
    case EcLevel::Q:
      return 2;
    case EcLevel::H:
      return 3;
  }
  detail::check_ec(ec);
  return 0;
}

}  // namespace

namespace detail {

int raw_data_modules(int version) {
  check_version(version, "version");
  // Whole area minus finders+separators+format (3*64+31), timing, and from version 2 the
  // alignment patterns (less their overlap with timing), and from version 7 version info.
  int modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const int per_side = version / 7 + 2;
    modules -= (25 * per_side - 10) * per_side - 55;
    if (version >= 7) modules -= 36;
  }
  return modules;
}

}  // namespace detail

BlockLayout block_layout(int version, EcLevel ec) {
  detail::check_version(version, "version");
  const std::size_t level = level_index(ec);
  const auto v = static_cast<std::size_t>(version);
  const int total = detail::raw_data_modules(version) / 8;
  const int blocks = kBlocks[level][v];
  BlockLayout layout;
  layout.ec_per_block = kEcPerBlock[level][v];
  layout.blocks2 = total % blocks;
  layout.blocks1 = blocks - layout.blocks2;
  layout.data_per_block1 = total / blocks - layout.ec_per_block;
  layout.data_per_block2 = layout.blocks2 > 0 ? layout.data_per_block1 + 1 : 0;
  return layout;
}

}  // namespace viscode
