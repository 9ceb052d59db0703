// Independent re-statements of ISO 18004 rules for the encode tests. Deliberately not
// shared with lib/encode: a test that reused the library's own mask or placement code
// would only check that the library agrees with itself.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "iso_mask.hpp"
#include "viscode/encode.hpp"

namespace viscode::test {

// Remainder of value * x^(degree of generator) divided by the generator, over GF(2).
inline std::uint32_t bch_remainder(std::uint32_t value, std::uint32_t generator, int degree) {
  std::uint32_t r = value << degree;
  for (int bit = 31; bit >= degree; --bit) {
    if ((r >> bit) & 1u) r ^= generator << (bit - degree);
  }
  return r;
}

inline std::uint32_t format_word(viscode::EcLevel ec, int mask) {
  const std::uint32_t ec_bits = ec == EcLevel::L   ? 1u
                                : ec == EcLevel::M ? 0u
                                : ec == EcLevel::Q ? 3u
                                                   : 2u;
  const std::uint32_t data = ec_bits << 3 | static_cast<std::uint32_t>(mask);
  return ((data << 10) | bch_remainder(data, 0x537u, 10)) ^ 0x5412u;
}

inline std::uint32_t version_word(int version) {
  const auto v = static_cast<std::uint32_t>(version);
  return (v << 12) | bch_remainder(v, 0x1F25u, 12);
}

// Bit i of the format information read from copy 1 (around the top-left finder) and
// copy 2 (split between the top-right and bottom-left finders).
inline std::array<std::uint32_t, 2> read_format(const Symbol& s) {
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  for (int i = 0; i < 15; ++i) {
    int x1 = 8;
    int y1 = 0;
    if (i <= 5) {
      y1 = i;
    } else if (i == 6) {
      y1 = 7;
    } else if (i == 7) {
      y1 = 8;
    } else if (i == 8) {
      x1 = 7, y1 = 8;
    } else {
      x1 = 14 - i, y1 = 8;
    }
    if (s.is_dark(x1, y1)) a |= 1u << i;
    const int x2 = i < 8 ? s.size - 1 - i : 8;
    const int y2 = i < 8 ? 8 : s.size - 15 + i;
    if (s.is_dark(x2, y2)) b |= 1u << i;
  }
  return {a, b};
}

// Data/EC module indices (y * size + x) in ISO 18004 placement order (figure 13):
// upward along columns size-1/size-2, then downward, skipping the timing column 6.
inline std::vector<int> walk(const Symbol& s) {
  std::vector<int> order;
  int col = s.size - 1;
  int direction = -1;
  while (col > 0) {
    if (col == 6) --col;
    int row = direction < 0 ? s.size - 1 : 0;
    for (int n = 0; n < s.size; ++n, row += direction) {
      for (int x : {col, col - 1}) {
        if (!s.is_function(x, row)) order.push_back(row * s.size + x);
      }
    }
    direction = -direction;
    col -= 2;
  }
  return order;
}

// A symbol's codewords read back as ISO 18004 places them (figure 13, section 8.6):
// unmasked, de-interleaved per block, and for every module which codeword bit it carries.
struct SymbolCodewords {
  std::vector<std::vector<int>> data;  // per block: its data codewords
  std::vector<std::vector<int>> ec;    // per block: its EC codewords
  // Per module (row-major): index of its codeword in the data bitstream (the blocks' data
  // codewords in block order), or -1 for EC, function and remainder modules.
  std::vector<int> data_codeword;
  std::vector<int> ec_block;     // per module: the block of its EC codeword, or -1
  std::vector<int> ec_codeword;  // per module: its EC codeword's index in that block, or -1
  std::vector<int> bit;          // per module: its bit in its codeword, 0 = most significant
  std::vector<int> stream() const {
    std::vector<int> out;
    for (const auto& block : data) out.insert(out.end(), block.begin(), block.end());
    return out;
  }
};

inline SymbolCodewords read_codewords(const Symbol& s) {
  const BlockLayout layout = block_layout(s.version, s.ec);
  const int blocks = layout.blocks();
  const auto length = [&](int b) {
    return b < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
  };
  struct Source {
    int block, index;
    bool ec;
  };
  std::vector<Source> source;  // what each transmitted codeword is
  for (int i = 0; i <= layout.data_per_block1; ++i) {
    for (int b = 0; b < blocks; ++b) {
      if (i < length(b)) source.push_back({b, i, false});
    }
  }
  for (int i = 0; i < layout.ec_per_block; ++i) {
    for (int b = 0; b < blocks; ++b) source.push_back({b, i, true});
  }
  SymbolCodewords out;
  std::vector<int> block_offset(static_cast<std::size_t>(blocks), 0);
  for (int b = 0; b + 1 < blocks; ++b) {
    block_offset[static_cast<std::size_t>(b + 1)] =
        block_offset[static_cast<std::size_t>(b)] + length(b);
  }
  for (int b = 0; b < blocks; ++b) {
    out.data.emplace_back(static_cast<std::size_t>(length(b)), 0);
    out.ec.emplace_back(static_cast<std::size_t>(layout.ec_per_block), 0);
  }
  out.data_codeword.assign(s.dark.size(), -1);
  out.ec_block.assign(s.dark.size(), -1);
  out.ec_codeword.assign(s.dark.size(), -1);
  out.bit.assign(s.dark.size(), -1);
  const std::vector<int> order = walk(s);
  for (std::size_t k = 0; k < source.size() * 8 && k < order.size(); ++k) {
    const int m = order[k];
    const Source& src = source[k / 8];
    const auto ub = static_cast<std::size_t>(src.block);
    const auto ui = static_cast<std::size_t>(src.index);
    const bool bit = s.is_dark(m % s.size, m / s.size) != iso_mask(s.mask, m / s.size, m % s.size);
    int& word = src.ec ? out.ec[ub][ui] : out.data[ub][ui];
    word |= (bit ? 1 : 0) << (7 - k % 8);
    out.bit[static_cast<std::size_t>(m)] = static_cast<int>(k % 8);
    if (src.ec) {
      out.ec_block[static_cast<std::size_t>(m)] = src.block;
      out.ec_codeword[static_cast<std::size_t>(m)] = src.index;
    } else {
      out.data_codeword[static_cast<std::size_t>(m)] = block_offset[ub] + src.index;
    }
  }
  return out;
}

inline int count_role(const Symbol& s, ModuleRole role) {
  int n = 0;
  for (const ModuleRole r : s.roles) n += r == role ? 1 : 0;
  return n;
}

inline std::vector<std::uint8_t> bytes_of(const std::string& text) {
  return {text.begin(), text.end()};
}

// One libqrencode symbol per mask its penalty evaluation chose, at this level, from
// numbered payloads; the caller checks all 8 masks turned up.
inline std::vector<Symbol> one_per_mask(EcLevel ec) {
  std::vector<Symbol> found(8);
  int missing = 8;
  for (int n = 0; n < 5000 && missing > 0; ++n) {
    EncodeOptions o;
    o.ec = ec;
    o.min_version = 1 + n % 12;
    Symbol s = encode("viscode #" + std::to_string(n), o);
    auto& slot = found[static_cast<std::size_t>(s.mask)];
    if (slot.size == 0) {
      slot = std::move(s);
      --missing;
    }
  }
  return found;
}

inline constexpr std::array<EcLevel, 4> kLevels = {EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H};

}  // namespace viscode::test
