#include "model1_encoder.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "iso_mask.hpp"

namespace viscode::test {
namespace {

struct Level {
  int blocks, ec, data;  // blocks; EC and data codewords per block
};

// ISO 18004:2000 table M.4 per block (blocks alike), as zxing-cpp 2.x reads it.
Level level(int version, char ec) {
  static constexpr std::array<std::array<Level, 4>, 14> kTable = {{
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
  const std::string levels = "LMQH";
  if (version < 1 || version > 14 || levels.find(ec) == std::string::npos) {
    throw std::invalid_argument("Model 1 has versions 1-14 and levels L, M, Q, H");
  }
  return kTable[static_cast<std::size_t>(version - 1)][levels.find(ec)];
}

// GF(256) over x^8+x^4+x^3+x^2+1.
std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t p = 0;
  while (b != 0) {
    if (b & 1) p ^= a;
    a = static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) != 0 ? 0x1D : 0));
    b >>= 1;
  }
  return p;
}

// The EC codewords of a block: data(x) x^n mod the generator with roots 2^0 .. 2^(n-1).
std::vector<std::uint8_t> ec_codewords(const std::vector<std::uint8_t>& data, int n) {
  std::vector<std::uint8_t> generator = {1};  // highest degree first
  std::uint8_t root = 1;
  for (int i = 0; i < n; ++i) {
    std::vector<std::uint8_t> next(generator.size() + 1, 0);
    for (std::size_t j = 0; j < generator.size(); ++j) {
      next[j] ^= generator[j];
      next[j + 1] ^= gf_mul(generator[j], root);
    }
    generator = std::move(next);
    root = gf_mul(root, 2);
  }
  std::vector<std::uint8_t> rem(static_cast<std::size_t>(n), 0);
  for (const std::uint8_t d : data) {
    const std::uint8_t factor = d ^ rem[0];
    rem.erase(rem.begin());
    rem.push_back(0);
    for (std::size_t j = 0; j < rem.size(); ++j) rem[j] ^= gf_mul(generator[j + 1], factor);
  }
  return rem;
}

class Grid {
 public:
  explicit Grid(int n) : n_(n), dark_(cells(), 0), function_(cells(), 0) {}
  void fix(int x, int y, bool dark) {
    at(function_, x, y) = 1;
    at(dark_, x, y) = dark ? 1 : 0;
  }
  bool fixed(int x, int y) const { return function_[index(x, y)] != 0; }
  std::uint8_t& dark(int x, int y) { return at(dark_, x, y); }
  std::uint8_t& function(int x, int y) { return at(function_, x, y); }
  Model1Symbol take(int version) { return {version, n_, std::move(dark_), std::move(function_)}; }

 private:
  std::size_t cells() const { return static_cast<std::size_t>(n_) * static_cast<std::size_t>(n_); }
  std::size_t index(int x, int y) const {
    if (x < 0 || y < 0 || x >= n_ || y >= n_) throw std::logic_error("module outside the symbol");
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(n_) + static_cast<std::size_t>(x);
  }
  std::uint8_t& at(std::vector<std::uint8_t>& v, int x, int y) { return v[index(x, y)]; }
  int n_;
  std::vector<std::uint8_t> dark_, function_;
};

// A finder with its separator; (left, top) is the finder's own corner.
void finder(Grid& g, int n, int left, int top) {
  for (int dy = -1; dy <= 7; ++dy) {
    for (int dx = -1; dx <= 7; ++dx) {
      const int x = left + dx, y = top + dy;
      if (x < 0 || y < 0 || x >= n || y >= n) continue;
      const int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));
      g.fix(x, y, ring != 2 && ring != 4);
    }
  }
}

// The modules in codeword-bit order, stated as walks over the symbol's regions.
std::vector<std::pair<int, int>> bit_positions(int version) {
  const int n = 17 + 4 * version;
  std::vector<std::pair<int, int>> out;
  // A cell of w x h modules whose bottom-right module is (x, y), read row by row from the
  // bottom, right to left within a row.
  auto cell = [&](int x, int y, int w, int h) {
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) out.emplace_back(x - c, y - r);
    }
  };
  // Right of the top-right finder's column: two strips of 2x4 cells from row n-1 up to
  // row 9. The outer strip gives way to an extension pattern every eighth row.
  for (const int x : {n - 1, n - 3}) {
    for (int y = n - 1, k = 0; y > 8; y -= 4, ++k) {
      const bool extension = x == n - 1 && k % 2 == 0 && k != 0 && y - 3 > 9;
      if (!extension) cell(x, y, 2, 4);
    }
  }
  // Between the finders: strips of 4x2 cells from the bottom up, all rows but the timing
  // row; the first strip stops under the top-right finder's separator and format row.
  for (int x = n - 5, strip = 0; x > 8; x -= 4, ++strip) {
    std::vector<int> bottoms;
    for (int y = n - 1; y >= (strip == 0 ? 10 : 8); y -= 2) bottoms.push_back(y);
    if (strip > 0) bottoms.insert(bottoms.end(), {5, 3, 1});
    for (const int y : bottoms) {
      const bool last_strip = x - 4 <= 8;
      const bool extension = y == n - 1 && strip % 2 == 1 && !last_strip;
      if (!extension) cell(x, y, 4, 2);
    }
  }
  // Left of the timing column, between the left finders' format rows: 2x4 cells.
  for (const int x : {8, 5, 3, 1}) {
    for (int y = n - 9; y > 8; y -= 4) cell(x, y, 2, 4);
  }
  return out;
}

}  // namespace

int model1_data_codewords(int version, char ec) {
  const Level l = level(version, ec);
  return l.blocks * l.data;
}

Model1Symbol model1_symbol(const std::vector<std::uint8_t>& data, int version, char ec, int mask) {
  const Level l = level(version, ec);
  if (mask < 0 || mask > 7) throw std::invalid_argument("masks are 0..7");
  if (static_cast<int>(data.size()) != l.blocks * l.data || (data.at(0) & 0xF0) != 0) {
    throw std::invalid_argument("data must fill the level's data codewords and start with 0000");
  }
  const int n = 17 + 4 * version;
  Grid g(n);
  finder(g, n, 0, 0);
  finder(g, n, n - 7, 0);
  finder(g, n, 0, n - 7);
  for (int i = 8; i < n - 8; ++i) {
    g.fix(i, 6, i % 2 == 0);
    g.fix(6, i, i % 2 == 0);
  }
  g.fix(8, n - 8, true);
  // Format information: (EC bits, mask) with its BCH(15,5) check bits, XOR 0x2825.
  const std::string levels = "MLHQ";  // the EC bits' values 0..3
  const auto info = static_cast<std::uint32_t>(static_cast<int>(levels.find(ec)) << 3 | mask);
  std::uint32_t check = info << 10;
  for (int bit = 14; bit >= 10; --bit) {
    if ((check >> bit) & 1u) check ^= 0x537u << (bit - 10);
  }
  const std::uint32_t format = ((info << 10) | check) ^ 0x2825u;
  for (int i = 0; i < 15; ++i) {
    const bool bit = ((format >> i) & 1u) != 0;
    // Around the top-left finder: up column 8 from row 0 (skipping the timing row), then
    // along row 8 leftwards (skipping the timing column).
    if (i < 6)
      g.fix(8, i, bit);
    else if (i < 8)
      g.fix(8, i + 1, bit);
    else if (i == 8)
      g.fix(7, 8, bit);
    else
      g.fix(14 - i, 8, bit);
    // The second copy: row 8 leftwards from the right edge, then column 8 down to the edge.
    if (i < 8)
      g.fix(n - 1 - i, 8, bit);
    else
      g.fix(8, n - 15 + i, bit);
  }
  // Extension patterns: 4 modules along the edge, dark on the edge and light inside.
  for (int y = n - 9; y - 3 > 9; y -= 8) {
    for (int r = 0; r < 4; ++r) {
      g.fix(n - 1, y - r, true);
      g.fix(n - 2, y - r, false);
    }
  }
  for (int x = n - 9; x - 4 > 8; x -= 8) {
    for (int c = 0; c < 4; ++c) {
      g.fix(x - c, n - 1, true);
      g.fix(x - c, n - 2, false);
    }
  }

  // Codewords: each block's data, then each block's EC.
  std::vector<std::uint8_t> stream;
  std::vector<std::vector<std::uint8_t>> ecs;
  for (int b = 0; b < l.blocks; ++b) {
    const auto first = data.begin() + b * l.data;
    const std::vector<std::uint8_t> block(first, first + l.data);
    stream.insert(stream.end(), block.begin(), block.end());
    ecs.push_back(ec_codewords(block, l.ec));
  }
  for (const auto& e : ecs) stream.insert(stream.end(), e.begin(), e.end());

  const auto positions = bit_positions(version);
  for (std::size_t k = 0; k < positions.size(); ++k) {
    const auto [x, y] = positions[k];
    if (g.fixed(x, y)) throw std::logic_error("a codeword cell overlaps a function pattern");
    // Remainder codewords (past the blocks) are zeros.
    const bool bit = k / 8 < stream.size() && ((stream[k / 8] >> (7 - k % 8)) & 1u) != 0;
    g.dark(x, y) = (bit != iso_mask(mask, y, x)) ? 1 : 0;
    // Marks the module placed: a second placement would throw above.
    g.function(x, y) = 2;
  }
  if (positions.size() % 8 != 0) throw std::logic_error("the cells do not hold whole codewords");
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      if (!g.fixed(x, y)) throw std::logic_error("a module neither function nor data");
      // The corner's zero bits count as function modules: readers ignore them.
      const std::uint8_t was = g.function(x, y);
      g.function(x, y) = was == 2 && !(x >= n - 2 && y >= n - 2) ? 0 : 1;
    }
  }
  return g.take(version);
}

cv::Mat render_model1(const Model1Symbol& symbol, int module_px, int quiet_modules) {
  const int side = (symbol.size + 2 * quiet_modules) * module_px;
  cv::Mat image(side, side, CV_8UC1, cv::Scalar(255));
  for (int y = 0; y < symbol.size; ++y) {
    for (int x = 0; x < symbol.size; ++x) {
      if (symbol.dark[static_cast<std::size_t>(y * symbol.size + x)] == 0) continue;
      image(cv::Rect((x + quiet_modules) * module_px, (y + quiet_modules) * module_px, module_px,
                     module_px))
          .setTo(0);
    }
  }
  return image;
}

}  // namespace viscode::test
