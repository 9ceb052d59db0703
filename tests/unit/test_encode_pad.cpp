// Image-aware pad codewords: free_pad_bits against hand-counted bitstreams, and choose_pad
// against what it must never touch (payload codewords, function modules, RS validity) and
// what the elimination provably achieves.
#include <algorithm>
#include <bitset>
#include <catch2/catch.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "test_encode_util.hpp"
#include "test_gf256.hpp"
#include "viscode/detect.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"
#include "viscode/render.hpp"

using viscode::EcLevel;
using viscode::EncodeOptions;
using viscode::Symbol;
namespace t = viscode::test;

namespace {

Symbol at(const std::string& text, EcLevel ec, int version) {
  EncodeOptions o;
  o.ec = ec;
  o.min_version = o.max_version = version;
  return viscode::encode(text, o);
}

// A deterministic pseudo-random picture and weights, one entry per module.
struct Picture {
  std::vector<std::uint8_t> dark;
  std::vector<float> weight;
};
Picture noise(const Symbol& s, std::uint32_t seed) {
  Picture p;
  std::uint32_t state = seed;
  const auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (std::size_t i = 0; i < s.dark.size(); ++i) {
    p.dark.push_back(static_cast<std::uint8_t>(next() & 1u));
    p.weight.push_back(static_cast<float>(next() % 1000) / 1000.0f);
  }
  return p;
}

// Everything choose_pad promises to keep, and every block still a Reed-Solomon codeword.
void check_kept(const Symbol& before, const Symbol& after) {
  REQUIRE(after.version == before.version);
  REQUIRE(after.size == before.size);
  CHECK(after.ec == before.ec);
  CHECK(after.mask == before.mask);
  CHECK(after.payload_bytes == before.payload_bytes);
  CHECK(after.roles == before.roles);
  const t::SymbolCodewords was = t::read_codewords(before);
  const t::SymbolCodewords now = t::read_codewords(after);
  const std::vector<int> was_stream = was.stream();
  const std::vector<int> now_stream = now.stream();
  const int free_bytes = viscode::free_pad_bits(before) / 8;
  const auto kept = was_stream.size() - static_cast<std::size_t>(free_bytes);
  for (std::size_t i = 0; i < kept; ++i) {
    INFO("data codeword " << i << " of " << was_stream.size());
    CHECK(now_stream[i] == was_stream[i]);
  }
  for (std::size_t i = 0; i < after.dark.size(); ++i) {
    const int x = static_cast<int>(i) % after.size;
    const int y = static_cast<int>(i) / after.size;
    // Function modules, and remainder bits (data role, no codeword), stay as they were.
    if (after.is_function(x, y) || (now.data_codeword[i] < 0 && now.ec_block[i] < 0)) {
      INFO("module (" << x << ", " << y << ")");
      CHECK(after.dark[i] == before.dark[i]);
    }
  }
  const int ec = viscode::block_layout(after.version, after.ec).ec_per_block;
  for (std::size_t b = 0; b < now.data.size(); ++b) {
    INFO("block " << b);
    CHECK(t::rs_remainder(now.data[b], ec) == now.ec[b]);
  }
}

}  // namespace

TEST_CASE("free_pad_bits: hand-counted bitstreams", "[encode][pad]") {
  // Alphanumeric: 4 mode + 9 count + 5 * 11 + 6 = 74 bits, terminator to 78, so codewords
  // 10.. of 1-Q's 13 are free.
  CHECK(viscode::free_pad_bits(at("HELLO WORLD", EcLevel::Q, 1)) == 3 * 8);
  // Byte: 4 + 8 + 5 * 8 = 52 bits, terminator to 56: codewords 7.. of 1-L's 19.
  CHECK(viscode::free_pad_bits(at("hello", EcLevel::L, 1)) == 12 * 8);
  // Version 5-Q: 62 data codewords in four blocks; the same 74 bits.
  CHECK(viscode::free_pad_bits(at("HELLO WORLD", EcLevel::Q, 5)) == 52 * 8);
  // Version 10 widens the byte count to 16 bits: 4 + 16 + 40 = 60, terminator to 64, of
  // 10-M's 216 data codewords.
  CHECK(viscode::free_pad_bits(at("hello", EcLevel::M, 10)) == 208 * 8);
  // 17 bytes fill 1-L: 4 + 8 + 136 + 4-bit terminator = 152 bits = all 19 codewords.
  CHECK(viscode::free_pad_bits(at("abcdefghijklmnopq", EcLevel::L, 1)) == 0);
  // 34 digits in 1-M: 4 + 10 + 11 * 10 + 4 = 128 bits = 16 codewords; no terminator fits.
  CHECK(viscode::free_pad_bits(at("0123456789012345678901234567890123", EcLevel::M, 1)) == 0);
}

TEST_CASE("choose_pad keeps the payload, function modules and RS validity", "[encode][pad]") {
  for (const EcLevel ec : t::kLevels) {
    for (const int version : {1, 2, 5, 7, 10, 27}) {
      INFO("EC " << viscode::to_char(ec) << ", version " << version);
      const Symbol before = at("vis-7", ec, version);
      const Picture p = noise(before, static_cast<std::uint32_t>(version * 7 + 1));
      const Symbol after = viscode::choose_pad(before, p.dark, p.weight);
      check_kept(before, after);
      CHECK(viscode::free_pad_bits(after) == viscode::free_pad_bits(before));
      // Greedy optimises by weight, not by count, so only "something changed" is a given.
      CHECK(after.dark != before.dark);
      // Deterministic: the same inputs give the same modules.
      CHECK(viscode::choose_pad(before, p.dark, p.weight).dark == after.dark);
    }
  }
}

TEST_CASE("choose_pad: pad data modules weighted first all take the picture", "[encode][pad]") {
  const Symbol before = at("HELLO WORLD", EcLevel::Q, 5);
  const t::SymbolCodewords cw = t::read_codewords(before);
  const int first_free = static_cast<int>(cw.stream().size()) - viscode::free_pad_bits(before) / 8;
  std::vector<std::uint8_t> wanted(before.dark.size());
  std::vector<float> weight(before.dark.size(), 1.0f);
  int pad_modules = 0;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    wanted[i] = before.dark[i] != 0 ? 0 : 1;  // the opposite of every module
    if (cw.data_codeword[i] >= first_free) {
      weight[i] = 2.0f;
      ++pad_modules;
    }
  }
  REQUIRE(pad_modules == viscode::free_pad_bits(before));
  const Symbol after = viscode::choose_pad(before, wanted, weight);
  check_kept(before, after);
  int pad_matching = 0;
  int changed = 0;
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (cw.data_codeword[i] >= first_free) pad_matching += after.dark[i] == wanted[i] ? 1 : 0;
    changed += after.dark[i] != before.dark[i] ? 1 : 0;
  }
  // Each pad bit sets its own module, independently of all the others.
  CHECK(pad_matching == pad_modules);
  CHECK(changed >= pad_modules);
}

TEST_CASE("choose_pad: with as many free codewords as EC, every EC module is settable",
          "[encode][pad]") {
  // Reed-Solomon is MDS: any data positions as many as the EC codewords, with the rest fixed,
  // reach every EC word. "hello" ends in codeword 7, leaving 12 free of 1-L's 19 (7 EC),
  // 21 of 2-M's 28 (16 EC) and 73 of 4-L's 80 (20 EC), each a single block.
  struct Case {
    EcLevel ec;
    int version;
  };
  for (const Case c : {Case{EcLevel::L, 1}, Case{EcLevel::M, 2}, Case{EcLevel::L, 4}}) {
    INFO("EC " << viscode::to_char(c.ec) << ", version " << c.version);
    const Symbol before = at("hello", c.ec, c.version);
    REQUIRE(viscode::block_layout(c.version, c.ec).blocks() == 1);
    const t::SymbolCodewords cw = t::read_codewords(before);
    Picture p = noise(before, 99);
    for (std::size_t i = 0; i < p.weight.size(); ++i) {
      if (cw.ec_block[i] < 0) p.weight[i] = 0;  // only EC modules count
    }
    const Symbol after = viscode::choose_pad(before, p.dark, p.weight);
    check_kept(before, after);
    int ec_modules = 0;
    int ec_matching = 0;
    for (std::size_t i = 0; i < p.dark.size(); ++i) {
      if (cw.ec_block[i] < 0) continue;
      ++ec_modules;
      ec_matching += (after.dark[i] != 0) == (p.dark[i] != 0) ? 1 : 0;
    }
    CHECK(ec_modules == 8 * viscode::block_layout(c.version, c.ec).ec_per_block);
    CHECK(ec_matching == ec_modules);
  }
}

TEST_CASE("choose_pad: nothing to choose leaves the symbol as it was", "[encode][pad]") {
  const Symbol full = at("abcdefghijklmnopq", EcLevel::L, 1);
  const Picture p = noise(full, 5);
  CHECK(viscode::choose_pad(full, p.dark, p.weight).dark == full.dark);
  // All weights 0: free bits no module constrains keep their value.
  const Symbol roomy = at("hello", EcLevel::H, 4);
  const std::vector<float> none(roomy.dark.size(), 0.0f);
  CHECK(viscode::choose_pad(roomy, noise(roomy, 6).dark, none).dark == roomy.dark);
}

TEST_CASE("choose_pad: viscode::detect reads it with no correction", "[encode][pad]") {
  for (const EcLevel ec : t::kLevels) {
    INFO("EC " << viscode::to_char(ec));
    const std::string payload = "viscode pad " + std::string(1, viscode::to_char(ec));
    const Symbol before = at(payload, ec, 3);
    const Picture p = noise(before, 3);
    const Symbol after = viscode::choose_pad(before, p.dark, p.weight);
    REQUIRE(after.dark != before.dark);
    viscode::RenderOptions ro;
    ro.style = viscode::Style::plain;
    const auto decoded = viscode::read_codes(viscode::render(after, nullptr, ro, 4));
    REQUIRE(decoded.size() == 1);
    CHECK(decoded[0].text == payload);
    CHECK(decoded[0].errors_corrected() == 0);
  }
}

TEST_CASE("choose_pad: bad spans are usage errors", "[encode][pad]") {
  const Symbol s = at("hello", EcLevel::M, 2);
  const std::vector<std::uint8_t> wanted(s.dark.size());
  const std::vector<float> short_weight(s.dark.size() - 1, 1.0f);
  try {
    (void)viscode::choose_pad(s, wanted, short_weight);
    FAIL("choose_pad accepted a weight span one short");
  } catch (const viscode::Error& e) {
    CHECK(e.category() == viscode::ErrorCategory::usage);
    CHECK(std::string(e.what()) ==
          "choose_pad needs wanted_dark and weight with one entry per module (625 for version "
          "2), got 625 and 624");
  }
}

TEST_CASE("choose_pad: the modules a textbook greedy elimination picks take the picture",
          "[encode][pad]") {
  // Restated independently: free bits as unknowns, each module a vector over them (a pad
  // module its own bit, an EC module its Reed-Solomon response from test_gf256), modules in
  // descending weight, kept when independent of those kept before. Single-block symbols:
  // more free bits than EC bits (1-L, 3-L) and fewer (1-H).
  struct Case {
    std::string text;
    EcLevel ec;
    int version;
  };
  for (const Case& c :
       {Case{"hello", EcLevel::L, 1}, Case{"vis", EcLevel::H, 1}, Case{"hello", EcLevel::L, 3}}) {
    INFO("EC " << viscode::to_char(c.ec) << ", version " << c.version);
    const Symbol before = at(c.text, c.ec, c.version);
    const viscode::BlockLayout layout = viscode::block_layout(c.version, c.ec);
    REQUIRE(layout.blocks() == 1);
    const int n = layout.data_per_block1;
    const int ec = layout.ec_per_block;
    const int vars = viscode::free_pad_bits(before);
    const int first = n - vars / 8;
    // response[v][k]: EC codeword k of a block whose only nonzero data is free bit v.
    std::vector<std::vector<int>> response;
    for (int v = 0; v < vars; ++v) {
      std::vector<int> unit(static_cast<std::size_t>(n), 0);
      unit[static_cast<std::size_t>(first + v / 8)] = 1 << (7 - v % 8);
      response.push_back(t::rs_remainder(unit, ec));
    }
    const t::SymbolCodewords cw = t::read_codewords(before);
    const Picture p = noise(before, static_cast<std::uint32_t>(c.version * 31));
    std::vector<int> modules;
    for (std::size_t i = 0; i < p.weight.size(); ++i) {
      const bool pad = cw.data_codeword[i] >= first;
      if ((pad || cw.ec_block[i] >= 0) && p.weight[i] > 0) modules.push_back(static_cast<int>(i));
    }
    std::sort(modules.begin(), modules.end(), [&](int a, int b) {
      const float wa = p.weight[static_cast<std::size_t>(a)];
      const float wb = p.weight[static_cast<std::size_t>(b)];
      return wa != wb ? wa > wb : a < b;
    });
    using Row = std::bitset<1024>;
    std::vector<std::pair<Row, int>> basis;  // reduced rows and their pivots, as inserted
    std::vector<int> kept;
    for (const int m : modules) {
      const auto um = static_cast<std::size_t>(m);
      Row r;
      if (cw.data_codeword[um] >= 0) {
        r.set(static_cast<std::size_t>(8 * (cw.data_codeword[um] - first) + cw.bit[um]));
      } else {
        const auto k = static_cast<std::size_t>(cw.ec_codeword[um]);
        for (int v = 0; v < vars; ++v) {
          const int word = response[static_cast<std::size_t>(v)][k];
          if (((word >> (7 - cw.bit[um])) & 1) != 0) r.set(static_cast<std::size_t>(v));
        }
      }
      for (const auto& [row, pivot] : basis) {
        if (r.test(static_cast<std::size_t>(pivot))) r ^= row;
      }
      if (r.none()) continue;
      int pivot = 0;
      while (!r.test(static_cast<std::size_t>(pivot))) ++pivot;
      basis.emplace_back(r, pivot);
      kept.push_back(m);
    }
    CHECK(static_cast<int>(kept.size()) == std::min(vars, static_cast<int>(modules.size())));
    const Symbol after = viscode::choose_pad(before, p.dark, p.weight);
    check_kept(before, after);
    int missed = 0;
    for (const int m : kept) {
      const auto um = static_cast<std::size_t>(m);
      missed += (after.dark[um] != 0) != (p.dark[um] != 0) ? 1 : 0;
    }
    CHECK(missed == 0);
  }
}
