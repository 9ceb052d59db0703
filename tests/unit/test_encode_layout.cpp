// Block layout (ISO 18004 table 9) and codeword placement, checked against what
// libqrencode actually puts in its symbols: codewords are read back, de-interleaved,
// parsed as segments and checked as Reed-Solomon codewords.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "test_encode_util.hpp"
#include "test_gf256.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

using viscode::BlockLayout;
using viscode::EcLevel;
using viscode::EncodeOptions;
using viscode::ModuleRole;
using viscode::Symbol;
namespace t = viscode::test;
using viscode::test::rs_remainder;

namespace {

struct Blocks {
  std::vector<std::vector<int>> data;
  std::vector<std::vector<int>> ec;
  std::vector<int> module_block;  // what module_blocks() should return
};

// Reads the unmasked codewords in placement order and undoes the interleaving.
Blocks read_blocks(const Symbol& s) {
  const BlockLayout layout = viscode::block_layout(s.version, s.ec);
  const std::vector<int> order = t::walk(s);
  std::vector<int> codewords(order.size() / 8, 0);
  for (std::size_t k = 0; k < codewords.size() * 8; ++k) {
    const int index = order[k];
    const int x = index % s.size;
    const int y = index / s.size;
    const bool bit = s.is_dark(x, y) != t::iso_mask(s.mask, y, x);
    codewords[k / 8] = codewords[k / 8] << 1 | (bit ? 1 : 0);
  }
  REQUIRE(static_cast<int>(codewords.size()) == layout.total_codewords());

  Blocks b;
  const int blocks = layout.blocks();
  b.data.resize(static_cast<std::size_t>(blocks));
  b.ec.resize(static_cast<std::size_t>(blocks));
  std::vector<int> source;  // block of each codeword in transmission order
  const auto data_length = [&](int block) {
    return block < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
  };
  for (int i = 0; i < layout.data_per_block1 + 1; ++i) {
    for (int block = 0; block < blocks; ++block) {
      if (i < data_length(block)) source.push_back(block);
    }
  }
  const std::size_t data_total = source.size();
  for (int i = 0; i < layout.ec_per_block; ++i) {
    for (int block = 0; block < blocks; ++block) source.push_back(block);
  }
  REQUIRE(source.size() == codewords.size());
  for (std::size_t k = 0; k < source.size(); ++k) {
    auto& target = k < data_total ? b.data : b.ec;
    target[static_cast<std::size_t>(source[k])].push_back(codewords[k]);
  }
  b.module_block.assign(s.dark.size(), -1);
  for (std::size_t k = 0; k < codewords.size() * 8; ++k) {
    b.module_block[static_cast<std::size_t>(order[k])] = source[k / 8];
  }
  return b;
}

struct BitReader {
  const std::vector<int>& bytes;
  std::size_t pos = 0;
  std::size_t left() const { return bytes.size() * 8 - pos; }
  int take(int n) {
    int v = 0;
    for (int i = 0; i < n; ++i, ++pos) {
      v = v << 1 | ((bytes[pos / 8] >> (7 - pos % 8)) & 1);
    }
    return v;
  }
};

struct Segment {
  int mode;
  std::string text;
};

// Parses the data codewords as numeric / alphanumeric / byte segments, then checks the
// terminator and the 0xEC 0x11 padding.
std::vector<Segment> parse_segments(const std::vector<int>& data, int version) {
  static const std::string kAlnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  const int range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  BitReader r{data};
  std::vector<Segment> segments;
  while (r.left() >= 4) {
    const int mode = r.take(4);
    if (mode == 0) break;
    Segment seg{mode, {}};
    if (mode == 1) {
      int count = r.take(std::array{10, 12, 14}[static_cast<std::size_t>(range)]);
      for (; count >= 3; count -= 3) {
        const int v = r.take(10);
        seg.text += std::to_string(v / 100) + std::to_string(v / 10 % 10) + std::to_string(v % 10);
      }
      if (count == 2) {
        const int v = r.take(7);
        seg.text += std::to_string(v / 10) + std::to_string(v % 10);
      } else if (count == 1) {
        seg.text += std::to_string(r.take(4));
      }
    } else if (mode == 2) {
      int count = r.take(std::array{9, 11, 13}[static_cast<std::size_t>(range)]);
      for (; count >= 2; count -= 2) {
        const int v = r.take(11);
        seg.text += kAlnum[static_cast<std::size_t>(v / 45)];
        seg.text += kAlnum[static_cast<std::size_t>(v % 45)];
      }
      if (count == 1) seg.text += kAlnum[static_cast<std::size_t>(r.take(6))];
    } else if (mode == 4) {
      const int count = r.take(range == 0 ? 8 : 16);
      for (int i = 0; i < count; ++i) seg.text += static_cast<char>(r.take(8));
    } else {
      FAIL("unexpected mode indicator " << mode);
    }
    segments.push_back(seg);
  }
  // After the terminator: zero bits to the byte boundary, then alternating pad codewords.
  while (r.pos % 8 != 0) CHECK(r.take(1) == 0);
  for (int pad = 0; r.left() >= 8; ++pad) CHECK(r.take(8) == (pad % 2 == 0 ? 0xEC : 0x11));
  return segments;
}

std::string joined(const std::vector<Segment>& segments) {
  std::string text;
  for (const Segment& s : segments) text += s.text;
  return text;
}

// Reads the symbol back completely and checks every block's EC codewords.
std::vector<Segment> check_symbol(const Symbol& s) {
  const BlockLayout layout = viscode::block_layout(s.version, s.ec);
  const Blocks b = read_blocks(s);
  for (std::size_t block = 0; block < b.data.size(); ++block) {
    INFO("block " << block);
    REQUIRE(static_cast<int>(b.ec[block].size()) == layout.ec_per_block);
    CHECK(rs_remainder(b.data[block], layout.ec_per_block) == b.ec[block]);
  }
  CHECK(viscode::module_blocks(s) == b.module_block);
  std::vector<int> data;
  for (const auto& block : b.data) data.insert(data.end(), block.begin(), block.end());
  return parse_segments(data, s.version);
}

}  // namespace

TEST_CASE("block_layout: spot rows of ISO 18004 table 9", "[encode]") {
  struct Row {
    int version;
    EcLevel ec;
    BlockLayout expected;
  };
  const Row rows[] = {
      {1, EcLevel::L, {7, 1, 19, 0, 0}},       {1, EcLevel::H, {17, 1, 9, 0, 0}},
      {5, EcLevel::Q, {18, 2, 15, 2, 16}},     {5, EcLevel::H, {22, 2, 11, 2, 12}},
      {10, EcLevel::M, {26, 4, 43, 1, 44}},    {14, EcLevel::Q, {20, 11, 16, 5, 17}},
      {15, EcLevel::L, {22, 5, 87, 1, 88}},    {22, EcLevel::H, {24, 34, 13, 0, 0}},
      {40, EcLevel::L, {30, 19, 118, 6, 119}}, {40, EcLevel::H, {30, 20, 15, 61, 16}},
  };
  for (const Row& row : rows) {
    INFO("version " << row.version << " level " << viscode::to_char(row.ec));
    const BlockLayout got = viscode::block_layout(row.version, row.ec);
    CHECK(got.ec_per_block == row.expected.ec_per_block);
    CHECK(got.blocks1 == row.expected.blocks1);
    CHECK(got.data_per_block1 == row.expected.data_per_block1);
    CHECK(got.blocks2 == row.expected.blocks2);
    CHECK(got.data_per_block2 == row.expected.data_per_block2);
  }
}

TEST_CASE("block_layout: every version and level agrees with libqrencode", "[encode]") {
  for (int version = 1; version <= 40; ++version) {
    int total = -1;
    for (const EcLevel ec : t::kLevels) {
      INFO("version " << version << " level " << viscode::to_char(ec));
      const BlockLayout layout = viscode::block_layout(version, ec);
      CHECK(layout.blocks1 >= 1);
      if (layout.blocks2 > 0) CHECK(layout.data_per_block2 == layout.data_per_block1 + 1);
      if (total < 0) total = layout.total_codewords();
      CHECK(layout.total_codewords() == total);  // the same for every level

      // Total codewords: whole bytes of data+EC area in a libqrencode symbol.
      EncodeOptions o;
      o.ec = ec;
      o.min_version = version;
      const Symbol s = viscode::encode("1", o);
      REQUIRE(s.version == version);
      const int area = t::count_role(s, ModuleRole::data) + t::count_role(s, ModuleRole::ec);
      CHECK(area / 8 == layout.total_codewords());

      // Data codewords: the largest byte-mode payload libqrencode fits at this version.
      const int count_bits = version <= 9 ? 8 : 16;
      const int capacity = (8 * layout.data_codewords() - 4 - count_bits) / 8;
      const Symbol full = viscode::encode_bytes(
          std::vector<std::uint8_t>(static_cast<std::size_t>(capacity), 0x5A), o);
      CHECK(full.version == version);
      if (version < 40) {
        const Symbol over = viscode::encode_bytes(
            std::vector<std::uint8_t>(static_cast<std::size_t>(capacity + 1), 0x5A), o);
        CHECK(over.version == version + 1);
      } else {
        CHECK_THROWS_AS(
            viscode::encode_bytes(
                std::vector<std::uint8_t>(static_cast<std::size_t>(capacity + 1), 0x5A), o),
            viscode::Error);
      }
      CHECK(viscode::byte_capacity(ec, version) == capacity);
    }
  }
}

TEST_CASE("byte_capacity: known totals", "[encode]") {
  CHECK(viscode::byte_capacity(EcLevel::L, 1) == 17);
  CHECK(viscode::byte_capacity(EcLevel::M, 1) == 14);
  CHECK(viscode::byte_capacity(EcLevel::Q, 1) == 11);
  CHECK(viscode::byte_capacity(EcLevel::H, 1) == 7);
  CHECK(viscode::byte_capacity(EcLevel::L, 40) == 2953);
  CHECK(viscode::byte_capacity(EcLevel::M, 40) == 2331);
  CHECK(viscode::byte_capacity(EcLevel::Q, 40) == 1663);
  CHECK(viscode::byte_capacity(EcLevel::H, 40) == 1273);
}

TEST_CASE("module_blocks: modules per block are whole codewords", "[encode]") {
  for (int version = 1; version <= 40; ++version) {
    for (const EcLevel ec : t::kLevels) {
      INFO("version " << version << " level " << viscode::to_char(ec));
      EncodeOptions o;
      o.ec = ec;
      o.min_version = version;
      const Symbol s = viscode::encode("blocks", o);
      REQUIRE(s.version == version);
      const BlockLayout layout = viscode::block_layout(version, ec);
      const std::vector<int> blocks = viscode::module_blocks(s);
      REQUIRE(blocks.size() == s.dark.size());
      std::vector<int> count(static_cast<std::size_t>(layout.blocks()), 0);
      int unassigned_data = 0;
      for (std::size_t i = 0; i < blocks.size(); ++i) {
        const bool function = s.roles[i] != ModuleRole::data && s.roles[i] != ModuleRole::ec;
        if (function) {
          REQUIRE(blocks[i] == -1);
        } else if (blocks[i] < 0) {
          ++unassigned_data;
          CHECK(s.roles[i] == ModuleRole::data);  // a remainder bit
        } else {
          REQUIRE(blocks[i] < layout.blocks());
          ++count[static_cast<std::size_t>(blocks[i])];
        }
      }
      CHECK(unassigned_data < 8);
      for (int b = 0; b < layout.blocks(); ++b) {
        const int data = b < layout.blocks1 ? layout.data_per_block1 : layout.data_per_block2;
        CHECK(count[static_cast<std::size_t>(b)] == 8 * (data + layout.ec_per_block));
      }
    }
  }
}

TEST_CASE("module_blocks: libqrencode codewords read back and check out", "[encode]") {
  // Every version and level: the unmasked codewords, de-interleaved with block_layout,
  // give the payload as one byte-mode segment and valid Reed-Solomon blocks.
  const std::string payload = "vis\xE2\x9C\x93";  // fits version 1-H
  for (int version = 1; version <= 40; ++version) {
    for (const EcLevel ec : t::kLevels) {
      INFO("version " << version << " level " << viscode::to_char(ec));
      EncodeOptions o;
      o.ec = ec;
      o.min_version = version;
      const Symbol s = viscode::encode_bytes(t::bytes_of(payload), o);
      REQUIRE(s.version == version);
      const std::vector<Segment> segments = check_symbol(s);
      REQUIRE(segments.size() == 1);
      CHECK(segments[0].mode == 4);
      CHECK(segments[0].text == payload);
    }
  }
}

TEST_CASE("module_blocks: numeric, alphanumeric and mixed text read back", "[encode]") {
  struct Case {
    std::string text;
    int first_mode;
  };
  const Case cases[] = {
      {"0123456789012", 1},
      {"HELLO WORLD $%*+-./:", 2},
      {"hello", 4},
      {"https://example.com/a?b=c", 4},
      {std::string(300, '7'), 1},
      {std::string(400, 'Q'), 2},
  };
  for (const Case& c : cases) {
    for (const EcLevel ec : t::kLevels) {
      INFO(c.text << " level " << viscode::to_char(ec));
      EncodeOptions o;
      o.ec = ec;
      const Symbol s = viscode::encode(c.text, o);
      const std::vector<Segment> segments = check_symbol(s);
      REQUIRE_FALSE(segments.empty());
      CHECK(segments[0].mode == c.first_mode);
      CHECK(joined(segments) == c.text);
    }
  }
  // libqrencode splits a long digit run out of byte-mode text.
  const std::string mixed = "order-00000000000000000000000000000000-end";
  const std::vector<Segment> segments = check_symbol(viscode::encode(mixed));
  CHECK(joined(segments) == mixed);
  CHECK(segments.size() > 1);
}

TEST_CASE("with_mask: every mask pattern reads back as libqrencode wrote it", "[encode]") {
  // libqrencode symbols that it masked with each of the 8 patterns decode with the ISO
  // conditions, so those agree with libqrencode's; and every with_mask variant of them
  // decodes to the same payload, so with_mask applies the same conditions.
  for (const EcLevel ec : t::kLevels) {
    const std::vector<Symbol> symbols = t::one_per_mask(ec);
    for (const Symbol& s : symbols) {
      REQUIRE(s.size > 0);
      const std::string text = joined(check_symbol(s));
      CHECK(text.rfind("viscode #", 0) == 0);
      for (int mask = 0; mask < 8; ++mask) {
        INFO("level " << viscode::to_char(ec) << " mask " << s.mask << " -> " << mask);
        CHECK(joined(check_symbol(viscode::with_mask(s, mask))) == text);
      }
    }
  }
}
