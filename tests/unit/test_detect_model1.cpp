// QR Code Model 1 (AIM ITS/97-001) through decode_grid: symbols made by the test encoder
// (tests/support/model1_encoder.*, its own statement of the layout) read back with the exact
// payload, version, level, mask and model, damaged ones corrected, and Model 2 symbols still
// reported as Model 2.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "bit_stream.hpp"
#include "detect/format_info.hpp"
#include "detect/model1.hpp"
#include "model1_encoder.hpp"
#include "viscode/detect.hpp"
#include "viscode/encode.hpp"

using viscode::decode_grid;
using viscode::Decoded;
using viscode::EcLevel;
using viscode::ModuleGrid;
namespace t = viscode::test;

namespace {

ModuleGrid grid_of(const t::Model1Symbol& s) {
  ModuleGrid g;
  g.size = s.size;
  for (const std::uint8_t d : s.dark) g.darkness.push_back(d ? 1.0f : 0.0f);
  g.confidence.assign(g.darkness.size(), 1.0f);
  return g;
}

EcLevel level_of(char ec) {
  return ec == 'L' ? EcLevel::L : ec == 'M' ? EcLevel::M : ec == 'Q' ? EcLevel::Q : EcLevel::H;
}

struct Made {
  t::Model1Symbol symbol;
  std::string text;
};

// The longest payload of the kind that fits (at most `cap` characters), in one segment after
// Model 1's four zero bits, with a terminator where it fits.
Made make(int version, char ec, int mask, int kind, std::size_t cap = 10000) {
  const int data = t::model1_data_codewords(version, ec);
  const std::string alnum_set = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  for (std::size_t n = cap; n > 0; --n) {
    std::string text;
    for (std::size_t i = 0; i < n; ++i) {
      if (kind == 0) text += static_cast<char>('0' + (i * 7 + 3) % 10);
      if (kind == 1) text += alnum_set[(i * 11 + 5) % alnum_set.size()];
      if (kind == 2) text += static_cast<char>('a' + (i * 5 + 1) % 26);
    }
    t::Bits b;
    b.put(0, 4);
    if (kind == 0) t::numeric(b, text, version);
    if (kind == 1) t::alnum(b, text, version);
    if (kind == 2) t::bytes(b, text, version);
    if (b.codewords().size() > static_cast<std::size_t>(data)) continue;
    if (b.put(0, 4).codewords().size() > static_cast<std::size_t>(data)) {
      // No room for the whole terminator: the stream simply ends.
      b = t::Bits();
      b.put(0, 4);
      if (kind == 0) t::numeric(b, text, version);
      if (kind == 1) t::alnum(b, text, version);
      if (kind == 2) t::bytes(b, text, version);
    }
    return {t::model1_symbol(b.codewords(static_cast<std::size_t>(data)), version, ec, mask), text};
  }
  FAIL("nothing fits");
  return {};
}

}  // namespace

TEST_CASE("Model 1 codewords fill every module of each version once", "[detect][model1]") {
  // The encoder throws where a cell overlaps a function pattern or a module is left over;
  // the detector's own placement must agree on the count and on every module.
  const std::array<int, 14> totals = {26,  46,  72,  100, 134, 170, 212,
                                      256, 306, 358, 416, 476, 542, 610};
  for (int v = 1; v <= 14; ++v) {
    CAPTURE(v);
    CHECK(viscode::detail::model1_total_codewords(v) == totals[static_cast<std::size_t>(v - 1)]);
    const t::Model1Symbol s = make(v, 'M', 0, 2, 3).symbol;
    std::vector<int> placed(s.dark.size(), 0);
    for (const int index : viscode::detail::model1_module_order(v)) {
      ++placed[static_cast<std::size_t>(index)];
    }
    for (std::size_t i = 0; i < placed.size(); ++i) {
      // Data modules (the corner's zero bits aside) are placed once, function modules never.
      const bool corner = static_cast<int>(i % static_cast<std::size_t>(s.size)) >= s.size - 2 &&
                          static_cast<int>(i / static_cast<std::size_t>(s.size)) >= s.size - 2;
      if (!corner) REQUIRE(placed[i] == (s.function[i] ? 0 : 1));
    }
    for (const char ec : std::string("LMQH")) {
      const auto blocks = viscode::detail::model1_blocks(v, level_of(ec));
      CHECK(blocks.block_codewords() <= totals[static_cast<std::size_t>(v - 1)]);
      CHECK(blocks.data_codewords() == t::model1_data_codewords(v, ec));
    }
  }
}

TEST_CASE("Model 1 format words are read with their own mask, never as Model 2's",
          "[detect][model1]") {
  // The 32 words, BCH(15,5) XOR 0x2825, lie at least 5 from Model 2's (XOR 0x5412): exact
  // ones are beyond the distance 3 the Model 2 reading accepts.
  const std::string levels = "MLHQ";  // EC bits 0..3
  for (std::uint32_t info = 0; info < 32; ++info) {
    std::uint32_t word = info << 10;
    for (int bit = 14; bit >= 10; --bit) {
      if ((word >> bit) & 1u) word ^= 0x537u << (bit - 10);
    }
    word = ((info << 10) | word) ^ 0x2825u;
    CAPTURE(info);
    CHECK_FALSE(viscode::detail::decode_format(static_cast<std::uint16_t>(word)));
    // Three bits wrong still read right with Model 1's mask.
    const auto bits = static_cast<std::uint16_t>(word ^ 0x0421u);
    const auto f = viscode::detail::decode_format(bits, viscode::detail::kModel1FormatMask);
    REQUIRE(f);
    CHECK(f->ec == level_of(levels[info >> 3]));
    CHECK(f->mask == static_cast<int>(info & 7));
    CHECK(f->distance == 3);
  }
}

TEST_CASE("decode_grid reads Model 1 symbols of every version and level", "[detect][model1]") {
  int read = 0;
  for (int v = 1; v <= 14; ++v) {
    for (const char ec : std::string("LMQH")) {
      const int mask = (v * 3 + static_cast<int>(ec)) % 8;
      const int kind = (v + static_cast<int>(ec)) % 3;
      const Made m = make(v, ec, mask, kind);
      CAPTURE(v, ec, mask, kind, m.text.size());
      const auto d = decode_grid(grid_of(m.symbol));
      REQUIRE(d);
      CHECK(d->text == m.text);
      CHECK(d->version == v);
      CHECK(d->ec == level_of(ec));
      CHECK(d->mask == mask);
      CHECK(d->model == 1);
      CHECK_FALSE(d->mirrored);
      CHECK(d->errors_corrected() == 0);
      CHECK(d->charset == "US-ASCII");
      read += d->text == m.text ? 1 : 0;
    }
  }
  CHECK(read == 56);
}

TEST_CASE("Model 1 symbols are corrected up to each block's capacity", "[detect][model1]") {
  for (const int v : {1, 2, 6, 14}) {
    const Made m = make(v, 'H', 5, 1);
    const auto blocks = viscode::detail::model1_blocks(v, EcLevel::H);
    const auto& order = viscode::detail::model1_module_order(v);
    CAPTURE(v);
    // Codeword c of every block wrong (one module each): blocks follow each other, so block
    // b's data codeword c is codeword b * data + c. Codeword 0 is skipped: its first four
    // bits are ignored, so its wrong bits would go unnoticed rather than corrected.
    ModuleGrid g = grid_of(m.symbol);
    const int wrong = (blocks.ec_per_block - (v == 1 ? 1 : 0)) / 2;
    for (int b = 0; b < blocks.blocks; ++b) {
      for (int c = 1; c <= wrong; ++c) {
        const int index = order[static_cast<std::size_t>((b * blocks.data_per_block + c) * 8 + 7)];
        float& dark = g.darkness[static_cast<std::size_t>(index)];
        dark = 1.0f - dark;
      }
    }
    const auto d = decode_grid(g);
    REQUIRE(d);
    CHECK(d->text == m.text);
    CHECK(d->model == 1);
    CHECK(d->errors_corrected() == wrong * blocks.blocks);
    CHECK(std::count(d->wrong_modules.begin(), d->wrong_modules.end(), 1) == wrong * blocks.blocks);
    // One more wrong codeword in the first block is beyond it: nothing rather than a guess.
    const int index = order[static_cast<std::size_t>((wrong + 1) * 8 + 7)];
    float& dark = g.darkness[static_cast<std::size_t>(index)];
    dark = 1.0f - dark;
    CHECK_FALSE(decode_grid(g));
  }
}

TEST_CASE("A Model 1 symbol seen from behind reads mirrored", "[detect][model1]") {
  const Made m = make(3, 'Q', 2, 2);
  ModuleGrid g = grid_of(m.symbol);
  ModuleGrid tr = g;
  const auto n = static_cast<std::size_t>(g.size);
  for (std::size_t y = 0; y < n; ++y) {
    for (std::size_t x = 0; x < n; ++x) tr.darkness[y * n + x] = g.darkness[x * n + y];
  }
  const auto d = decode_grid(tr);
  REQUIRE(d);
  CHECK(d->text == m.text);
  CHECK(d->model == 1);
  CHECK(d->mirrored);
}

TEST_CASE("Model 2 symbols are still read as Model 2", "[detect][model1]") {
  for (const int v : {1, 2, 6, 14}) {
    viscode::EncodeOptions options;
    options.ec = EcLevel::L;
    options.min_version = v;
    options.max_version = v;
    const viscode::Symbol s = viscode::encode("MODEL 2 STAYS MODEL 2", options);
    ModuleGrid g;
    g.size = s.size;
    for (const std::uint8_t dark : s.dark) g.darkness.push_back(dark ? 1.0f : 0.0f);
    const auto d = decode_grid(g);
    REQUIRE(d);
    CHECK(d->text == "MODEL 2 STAYS MODEL 2");
    CHECK(d->model == 2);
  }
}
