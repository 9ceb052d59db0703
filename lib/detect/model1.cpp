#include "detect/model1.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <mutex>

#include "detect/bitstream.hpp"
#include "detect/format_info.hpp"
#include "encode/mask.hpp"

namespace viscode::detail {
namespace {

// ISO 18004:2000 table M.4 gives each version and level its EC and data codewords in total
// and a block count; these are per block, as zxing-cpp 2.x divides them (version 6-M's 63 EC
// codewords in two blocks, which do not divide, as 32 each: 170 codewords in all). Rows:
// versions 1-14; columns: L, M, Q, H; entries: {blocks, EC per block, data per block}.
constexpr std::array<std::array<std::array<int, 3>, 4>, kModel1MaxVersion> kBlocks = {{
    {{{1, 7, 19}, {1, 10, 16}, {1, 13, 13}, {1, 17, 9}}},
    {{{1, 10, 36}, {1, 16, 30}, {1, 22, 24}, {1, 30, 16}}},
    {{{1, 15, 57}, {1, 28, 44}, {1, 36, 36}, {1, 48, 24}}},
    {{{1, 20, 80}, {1, 40, 60}, {1, 50, 50}, {1, 66, 34}}},
    {{{1, 26, 108}, {1, 52, 82}, {1, 66, 68}, {2, 44, 23}}},
    {{{1, 34, 136}, {2, 32, 53}, {2, 42, 43}, {2, 56, 29}}},
    {{{1, 42, 170}, {2, 40, 66}, {2, 52, 54}, {3, 46, 24}}},
    {{{2, 24, 104}, {2, 48, 80}, {2, 64, 64}, {3, 56, 29}}},
    {{{2, 30, 123}, {2, 60, 93}, {3, 50, 52}, {3, 68, 34}}},
    {{{2, 34, 145}, {2, 68, 111}, {3, 58, 61}, {4, 58, 31}}},
    {{{2, 40, 168}, {4, 40, 64}, {4, 52, 52}, {5, 54, 29}}},
    {{{2, 46, 192}, {4, 46, 73}, {4, 58, 61}, {5, 62, 33}}},
    {{{3, 36, 144}, {4, 52, 83}, {4, 66, 69}, {6, 58, 32}}},
    {{{3, 40, 163}, {4, 60, 92}, {5, 60, 62}, {6, 66, 35}}},
}};

// The codeword cells of a version in filling order, as (right column, bottom row, width,
// height): a cell's bit b (0 = most significant) sits at column right - b % width, row
// bottom - b / width. Three regions follow each other:
//  - the four columns right of the top-right finder's column, in two 2-wide strips (outer
//    strip first), each filled bottom to top with 2x4 cells; the outer strip's even cells
//    other than its first and last are extension patterns;
//  - the columns between the finders, in 4-wide strips from the right, each filled bottom
//    to top with 4x2 cells stepping over the timing row; the first strip stops below the
//    top-right finder, and the bottom cell of every other strip (from the second on, except
//    the last strip) is an extension pattern;
//  - the eight columns left of the timing column (column 6 excluded), between the left
//    finders, in 2-wide strips from the right, bottom to top with 2x4 cells.
struct Cell {
  int right, bottom, width, height;
};

std::vector<Cell> cells(int version) {
  const int n = 17 + 4 * version;
  std::vector<Cell> out;
  for (int strip = 0; strip < 2; ++strip) {
    const int count = version + 2;
    for (int i = 0; i < count; ++i) {
      const bool extension = strip == 0 && i % 2 == 0 && i > 0 && i < count - 1;
      if (!extension) out.push_back({n - 1 - 2 * strip, n - 1 - 4 * i, 2, 4});
    }
  }
  const int strips = version + 1;
  for (int s = 0; s < strips; ++s) {
    const int right = n - 5 - 4 * s;
    for (int bottom = n - 1; bottom > 0; bottom -= 2) {
      if (bottom == 6) bottom = 5;  // rows 5 and 4: row 6 is timing
      if (s == 0 && bottom <= 8) break;
      const bool extension = bottom == n - 1 && s % 2 == 1 && s != strips - 1;
      if (!extension) out.push_back({right, bottom, 4, 2});
    }
  }
  for (const int right : {8, 5, 3, 1}) {
    for (int i = 0; i < version; ++i) out.push_back({right, n - 9 - 4 * i, 2, 4});
  }
  return out;
}

// ISO 18004's misdecode-protection codewords for Model 2 blocks of the same length: Model 1's
// smallest blocks are as weak.
int misdecode_protection(int version, EcLevel ec) {
  if (version == 1) return ec == EcLevel::L ? 3 : ec == EcLevel::M ? 2 : 1;
  if (version == 2 && ec == EcLevel::L) return 2;
  if (version == 3 && ec == EcLevel::L) return 1;
  return 0;
}

float confidence_at(const ModuleGrid& grid, int index) {
  return grid.confidence.empty() ? 1.0f : grid.confidence[static_cast<std::size_t>(index)];
}

std::optional<Decoded> decode_data(const ModuleGrid& grid, int version, EcLevel ec, int mask,
                                   const BlockCorrector& correct) {
  const int size = grid.size;
  const std::vector<int>& order = model1_module_order(version);
  const Model1Blocks layout = model1_blocks(version, ec);
  const auto used = static_cast<std::size_t>(layout.block_codewords());
  std::vector<std::uint8_t> codewords(used, 0);
  std::vector<float> confidence(used, 1.0f);
  for (std::size_t k = 0; k < used * 8; ++k) {
    const int index = order[k];
    const int x = index % size, y = index / size;
    if (grid.is_dark(x, y) != mask_inverts(mask, y, x)) {
      codewords[k / 8] |= static_cast<std::uint8_t>(0x80u >> (k % 8));
    }
    confidence[k / 8] = std::min(confidence[k / 8], confidence_at(grid, index));
  }
  // The corner's four bits are zeros whatever was printed there.
  const std::uint8_t first_read = codewords[0];
  codewords[0] &= 0x0F;

  // Blocks follow each other: every block's data in turn, then every block's EC in turn.
  const auto k = static_cast<std::size_t>(layout.data_per_block);
  const auto e = static_cast<std::size_t>(layout.ec_per_block);
  const auto blocks = static_cast<std::size_t>(layout.blocks);
  auto position = [&](std::size_t b, std::size_t i) {  // of codeword i of block b
    return i < k ? b * k + i : blocks * k + b * e + (i - k);
  };
  Decoded out;
  out.version = version;
  out.ec = ec;
  out.mask = mask;
  out.model = 1;
  std::vector<std::uint8_t> data;
  std::vector<std::uint8_t> corrected = codewords;
  const int p = misdecode_protection(version, ec);
  for (std::size_t b = 0; b < blocks; ++b) {
    std::vector<std::uint8_t> words(k + e);
    std::vector<float> word_confidence(k + e);
    for (std::size_t i = 0; i < k + e; ++i) {
      words[i] = codewords[position(b, i)];
      word_confidence[i] = confidence[position(b, i)];
    }
    const auto margin = correct(words, word_confidence, layout.ec_per_block, p);
    if (!margin) return std::nullopt;
    out.blocks.push_back(*margin);
    for (std::size_t i = 0; i < k + e; ++i) corrected[position(b, i)] = words[i];
    data.insert(data.end(), words.begin(), words.begin() + static_cast<std::ptrdiff_t>(k));
  }

  out.wrong_modules.assign(static_cast<std::size_t>(size) * static_cast<std::size_t>(size), 0);
  codewords[0] = first_read;
  for (std::size_t c = 0; c < used; ++c) {
    const auto diff = static_cast<std::uint8_t>(codewords[c] ^ corrected[c]);
    for (std::size_t bit = c == 0 ? 4 : 0; bit < 8; ++bit) {
      if (diff & (0x80u >> bit))
        out.wrong_modules[static_cast<std::size_t>(order[c * 8 + bit])] = 1;
    }
  }

  // The data stream starts after the four zero bits.
  std::vector<std::uint8_t> stream(data.size(), 0);
  for (std::size_t i = 0; i < data.size(); ++i) {
    stream[i] =
        static_cast<std::uint8_t>(data[i] << 4 | (i + 1 < data.size() ? data[i + 1] >> 4 : 0));
  }
  auto payload = parse_bitstream(stream, version);
  if (!payload) return std::nullopt;
  payload->move_into(out);
  return out;
}

}  // namespace

Model1Blocks model1_blocks(int version, EcLevel ec) {
  const int level = ec == EcLevel::L ? 0 : ec == EcLevel::M ? 1 : ec == EcLevel::Q ? 2 : 3;
  const auto& row = kBlocks[static_cast<std::size_t>(version - 1)][static_cast<std::size_t>(level)];
  return {row[0], row[1], row[2]};
}

std::vector<std::array<int, 3>> model1_extension_modules(int version) {
  const int n = 17 + 4 * version;
  std::vector<std::array<int, 3>> out;
  // The cells extension patterns take from the codeword regions (see cells()).
  for (int i = 2; i < version + 1; i += 2) {
    for (int r = 0; r < 4; ++r) {
      out.push_back({n - 1, n - 1 - 4 * i - r, 1});
      out.push_back({n - 2, n - 1 - 4 * i - r, 0});
    }
  }
  for (int s = 1; s < version; s += 2) {
    for (int c = 0; c < 4; ++c) {
      out.push_back({n - 5 - 4 * s - c, n - 1, 1});
      out.push_back({n - 5 - 4 * s - c, n - 2, 0});
    }
  }
  return out;
}

int model1_total_codewords(int version) {
  return static_cast<int>(model1_module_order(version).size() / 8);
}

const std::vector<int>& model1_module_order(int version) {
  static std::array<std::once_flag, kModel1MaxVersion + 1> once;
  static std::array<std::vector<int>, kModel1MaxVersion + 1> orders;
  const auto v = static_cast<std::size_t>(version);
  std::call_once(once[v], [&] {
    const int n = 17 + 4 * version;
    for (const Cell& c : cells(version)) {
      for (int b = 0; b < 8; ++b) {
        orders[v].push_back((c.bottom - b / c.width) * n + (c.right - b % c.width));
      }
    }
  });
  return orders[v];
}

std::optional<Decoded> decode_model1(const ModuleGrid& grid, const BlockCorrector& correct) {
  const int size = grid.size;
  const int version = (size - 17) / 4;
  if (version < 1 || version > kModel1MaxVersion) return std::nullopt;

  // The format information sits where Model 2's does.
  const FormatPositions pos = format_positions(size);
  std::vector<FormatInfo> formats;
  for (const auto& copy : {pos.first, pos.second}) {
    std::uint16_t bits = 0;
    for (std::size_t i = 0; i < 15; ++i) {
      if (grid.is_dark(copy[i][0], copy[i][1])) bits |= static_cast<std::uint16_t>(1u << i);
    }
    if (const auto f = decode_format(bits, kModel1FormatMask)) formats.push_back(*f);
  }
  std::stable_sort(formats.begin(), formats.end(),
                   [](const auto& a, const auto& b) { return a.distance < b.distance; });
  if (formats.size() == 2 && formats[0].ec == formats[1].ec && formats[0].mask == formats[1].mask) {
    formats.pop_back();
  }
  for (const FormatInfo& f : formats) {
    if (auto decoded = decode_data(grid, version, f.ec, f.mask, correct)) return decoded;
  }
  return std::nullopt;
}

}  // namespace viscode::detail
