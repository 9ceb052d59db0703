// with_mask and penalty, checked against libqrencode's own masking and mask choice.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "encode/mask.hpp"
#include "test_encode_util.hpp"
#include "viscode/encode.hpp"

using viscode::EcLevel;
using viscode::EncodeOptions;
using viscode::ModuleRole;
using viscode::Symbol;
namespace t = viscode::test;

namespace {

bool is_format(const Symbol& s, int x, int y) {
  return s.role(x, y) == ModuleRole::format;
}

}  // namespace

TEST_CASE("with_mask: libqrencode chooses every mask somewhere", "[encode]") {
  for (const EcLevel ec : t::kLevels) {
    const std::vector<Symbol> symbols = t::one_per_mask(ec);
    for (int mask = 0; mask < 8; ++mask) {
      INFO("level " << viscode::to_char(ec) << " mask " << mask);
      const Symbol& s = symbols[static_cast<std::size_t>(mask)];
      REQUIRE(s.size > 0);
      CHECK(s.mask == mask);
      const auto format = t::read_format(s);
      CHECK(format[0] == t::format_word(ec, mask));
      CHECK(format[1] == t::format_word(ec, mask));
    }
  }
}

TEST_CASE("with_mask: format words of the standard", "[encode]") {
  // ISO 18004 annex C worked example: level M, mask 101.
  CHECK(t::format_word(EcLevel::M, 5) == 0x40CE);
  CHECK(t::format_word(EcLevel::M, 0) == 0x5412);
  // Annex D example: version 7 information 000111 110010 010100.
  CHECK(t::version_word(7) == 0x07C94);
}

TEST_CASE("with_mask: re-masking reproduces libqrencode's symbol", "[encode]") {
  for (const EcLevel ec : t::kLevels) {
    const std::vector<Symbol> symbols = t::one_per_mask(ec);
    for (const Symbol& s : symbols) {
      for (int other = 0; other < 8; ++other) {
        INFO("level " << viscode::to_char(ec) << " mask " << s.mask << " via " << other);
        const Symbol back = viscode::with_mask(viscode::with_mask(s, other), s.mask);
        CHECK(back.mask == s.mask);
        CHECK(back.dark == s.dark);
        CHECK(back.roles == s.roles);
      }
    }
  }
}

// A forced mask goes straight to libqrencode's masking (or through with_mask where that entry
// point is missing): either way the symbol must be the automatic one re-masked, module for
// module, in every segmentation and byte mode.
TEST_CASE("encode: a forced mask gives the automatic symbol re-masked", "[encode]") {
  const std::vector<std::string> payloads = {
      "0123456789012345", "HELLO WORLD 42", "https://brand.example/p/123",
      "Mixed 12345 text, caf\xc3\xa9 und \xe6\x97\xa5", std::string(300, 'z') + "1234567890"};
  for (const std::string& payload : payloads) {
    for (const EcLevel ec : t::kLevels) {
      EncodeOptions o;
      o.ec = ec;
      const Symbol automatic = viscode::encode(payload, o);
      for (int m = 0; m < 8; ++m) {
        INFO(payload << " level " << viscode::to_char(ec) << " mask " << m);
        o.mask = m;
        const Symbol forced = viscode::encode(payload, o);
        const Symbol remasked = viscode::with_mask(automatic, m);
        CHECK(forced.mask == m);
        CHECK(forced.version == automatic.version);
        CHECK(forced.dark == remasked.dark);
        CHECK(forced.roles == remasked.roles);
        const std::string bytes_payload = payload + std::string(1, '\0');
        const Symbol forced_bytes = viscode::encode(bytes_payload, o);
        o.mask = -1;
        const Symbol auto_bytes = viscode::encode(bytes_payload, o);
        CHECK(forced_bytes.dark == viscode::with_mask(auto_bytes, m).dark);
      }
      o.mask = -1;
    }
  }
}

TEST_CASE("with_mask: format information matches libqrencode's for every level and mask",
          "[encode]") {
  for (const EcLevel ec : t::kLevels) {
    const std::vector<Symbol> symbols = t::one_per_mask(ec);
    const Symbol& base = symbols[0];
    for (const Symbol& reference : symbols) {
      INFO("level " << viscode::to_char(ec) << " mask " << reference.mask);
      const Symbol ours = viscode::with_mask(base, reference.mask);
      // Format modules sit at the same places in every version; compare both copies
      // (and the dark module) with what libqrencode wrote for this (ec, mask).
      for (int y = 0; y < reference.size; ++y) {
        for (int x = 0; x < reference.size; ++x) {
          if (!is_format(reference, x, y)) continue;
          const int ox = x < 9 ? x : ours.size - (reference.size - x);
          const int oy = y < 9 ? y : ours.size - (reference.size - y);
          REQUIRE(is_format(ours, ox, oy));
          CHECK(ours.is_dark(ox, oy) == reference.is_dark(x, y));
        }
      }
    }
  }
}

TEST_CASE("with_mask: only data/EC modules and format information change", "[encode]") {
  const Symbol s = viscode::encode("the same data under another mask", {EcLevel::Q, 7, 40, -1});
  for (int mask = 0; mask < 8; ++mask) {
    INFO("mask " << mask);
    const Symbol m = viscode::with_mask(s, mask);
    CHECK(m.mask == mask);
    CHECK(m.version == s.version);
    CHECK(m.payload_bytes == s.payload_bytes);
    CHECK(m.roles == s.roles);
    for (int y = 0; y < s.size; ++y) {
      for (int x = 0; x < s.size; ++x) {
        if (!s.is_function(x, y)) {
          const bool flip = t::iso_mask(s.mask, y, x) != t::iso_mask(mask, y, x);
          REQUIRE(m.is_dark(x, y) == (s.is_dark(x, y) != flip));
        } else if (!is_format(s, x, y)) {
          REQUIRE(m.is_dark(x, y) == s.is_dark(x, y));
        }
      }
    }
    const auto format = t::read_format(m);
    CHECK(format[0] == t::format_word(EcLevel::Q, mask));
    CHECK(format[1] == t::format_word(EcLevel::Q, mask));
    CHECK(m.is_dark(8, m.size - 8));
  }
}

TEST_CASE("penalty: hand-counted symbols", "[encode]") {
  Symbol s;
  s.version = 1;
  s.size = 21;
  s.roles.assign(441, ModuleRole::data);

  SECTION("all light") {
    s.dark.assign(441, 0);
    const viscode::Penalty p = viscode::penalty(s);
    CHECK(p.n1 == 42 * (3 + 16));  // every row and column one run of 21
    CHECK(p.n2 == 20 * 20 * 3);
    CHECK(p.n3 == 0);
    CHECK(p.n4 == 100);  // 50% off: ten 5% steps
    CHECK(p.total() == 798 + 1200 + 100);
  }
  SECTION("checkerboard") {
    s.dark.assign(441, 0);
    for (int i = 0; i < 441; ++i) s.dark[static_cast<std::size_t>(i)] = (i / 21 + i % 21) % 2 == 0;
    const viscode::Penalty p = viscode::penalty(s);
    CHECK(p.n1 == 0);
    CHECK(p.n2 == 0);
    CHECK(p.n3 == 0);
    CHECK(p.n4 == 0);  // 221 of 441 dark
  }
  SECTION("one finder-like row") {
    // A checkerboard (no runs, blocks or patterns) with row 10 replaced by
    // 0000 1011101 0000000000: one finder-like pattern and one long light run.
    s.dark.assign(441, 0);
    for (int y = 0; y < 21; ++y) {
      for (int x = 0; x < 21; ++x) s.dark[static_cast<std::size_t>(y * 21 + x)] = (x + y) % 2;
    }
    const int row[21] = {0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (int x = 0; x < 21; ++x)
      s.dark[static_cast<std::size_t>(10 * 21 + x)] = static_cast<std::uint8_t>(row[x]);
    const viscode::Penalty p = viscode::penalty(s);
    CHECK(p.n3 == 40);            // light on both sides still scores once
    CHECK(p.n1 == 3 + (10 - 5));  // the trailing run of 10 light modules
  }
  SECTION("finder-like pattern at the edge uses the quiet zone") {
    s.dark.assign(441, 0);
    for (int y = 0; y < 21; ++y) {
      for (int x = 0; x < 21; ++x) s.dark[static_cast<std::size_t>(y * 21 + x)] = (x + y) % 2;
    }
    // Row 10 = 1011101 0101...: light only to the left, outside the symbol.
    for (int x = 0; x < 21; ++x) s.dark[static_cast<std::size_t>(10 * 21 + x)] = (x + 1) % 2;
    s.dark[10 * 21 + 3] = 1;
    CHECK(viscode::penalty(s).n3 == 40);
  }
}

namespace {

// libqrencode 4.1.1 (mask.c) scores masks like viscode::penalty with two differences:
// it also counts scaled finder-like runs (2:2:6:2:2 and up, with 4x-scaled light), and it
// rounds the dark percentage before taking 5% steps for N4. This adds exactly what it
// scores differently, so a test can show those are the only differences.
int libqrencode_adjustment(const Symbol& s, const viscode::Penalty& ours) {
  int extra = 0;
  const auto scaled_patterns = [&](const std::vector<int>& runs) {
    const std::size_t n = runs.size();
    for (std::size_t k = 3; k + 2 < n; k += 2) {
      const int f = runs[k] / 3;
      if (f < 2 || runs[k] % 3 != 0) continue;
      if (runs[k - 2] != f || runs[k - 1] != f || runs[k + 1] != f || runs[k + 2] != f) continue;
      if (k == 3 || runs[k - 3] >= 4 * f || k + 3 >= n - 1 || runs[k + 3] >= 4 * f) extra += 40;
    }
  };
  for (int a = 0; a < s.size; ++a) {
    for (const bool horizontal : {true, false}) {
      std::vector<int> runs{0};  // starts with a (possibly empty) light run
      bool colour = false;
      for (int b = 0; b < s.size; ++b) {
        const bool dark = horizontal ? s.is_dark(b, a) : s.is_dark(a, b);
        if (dark != colour) {
          runs.push_back(0);
          colour = dark;
        }
        ++runs.back();
      }
      scaled_patterns(runs);
    }
  }
  int dark = 0;
  for (const std::uint8_t d : s.dark) dark += d;
  const int cells = s.size * s.size;
  const int percent = (200 * dark + cells) / cells / 2;  // rounded, as libqrencode does
  return extra + std::abs(percent - 50) / 5 * 10 - ours.n4;
}

struct Payload {
  std::string text;
  EcLevel ec;
};

// Twenty payloads of the kinds viscode is used for, across levels and sizes.
std::vector<Payload> twenty_payloads() {
  const std::string texts[] = {
      "https://example.com",
      "https://viscode.example/p/12345",
      "HELLO WORLD",
      "0123456789",
      "WIFI:S:guest;T:WPA;P:correct horse battery staple;;",
      "mailto:someone@example.org?subject=Hi",
      "BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane\nTEL:+1-555-0100\nEND:VCARD",
      "tel:+15550100",
      "Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln",
      "https://shop.example.com/products/blue-widget?utm_source=qr&utm_medium=print",
      "geo:52.5200,13.4050",
      "SMSTO:+15550100:see you at eight",
      "The quick brown fox jumps over the lazy dog",
      std::string(120, 'A'),
      "31415926535897932384626433832795028841971693993751",
      "https://example.com/" + std::string(200, 'x'),
      "viscode",
      "MECARD:N:Doe,John;TEL:5550100;EMAIL:john@example.com;;",
      "https://example.net/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p",
      "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor",
  };
  std::vector<Payload> out;
  std::size_t i = 0;
  for (const std::string& text : texts) out.push_back({text, t::kLevels[i++ % 4]});
  return out;
}

struct MaskScores {
  int chosen = 0;          // viscode::penalty of libqrencode's choice
  int lowest = 0;          // lowest viscode::penalty over the 8 masks
  int modelled_mask = -1;  // first mask with the lowest libqrencode-style score
};

MaskScores score_masks(const Symbol& s) {
  MaskScores m;
  m.lowest = 1 << 30;
  int modelled_best = 1 << 30;
  for (int mask = 0; mask < 8; ++mask) {
    const Symbol v = viscode::with_mask(s, mask);
    const viscode::Penalty p = viscode::penalty(v);
    m.lowest = std::min(m.lowest, p.total());
    if (mask == s.mask) m.chosen = p.total();
    const int modelled = p.total() + libqrencode_adjustment(v, p);
    if (modelled < modelled_best) {
      modelled_best = modelled;
      m.modelled_mask = mask;
    }
  }
  return m;
}

}  // namespace

TEST_CASE("penalty: libqrencode's automatic mask scores lowest on typical payloads", "[encode]") {
  // Measured: on all twenty, libqrencode's choice has the lowest viscode::penalty (ties
  // allowed). Its scoring differs from ISO 18004 only in rare cases (next test).
  for (const Payload& p : twenty_payloads()) {
    EncodeOptions o;
    o.ec = p.ec;
    const Symbol s = viscode::encode(p.text, o);
    const MaskScores m = score_masks(s);
    INFO(p.text << ": mask " << s.mask << " scores " << m.chosen << ", lowest " << m.lowest);
    CHECK(m.chosen == m.lowest);
  }
}

TEST_CASE("penalty: differs from libqrencode's scoring only by its two known quirks", "[encode]") {
  // libqrencode's choice is exactly the first minimum of viscode::penalty plus
  // libqrencode_adjustment, for every payload of the sweep (also checked over 4000 payloads
  // up to version 25). Unadjusted, its choice is the minimum for 399 of these 400 and at
  // most 7 points above it; over the 4000, 99.6% and 58 points. The gap has no fixed bound
  // (each scaled pattern is 40), hence the loose margins.
  int agree = 0;
  int worst_gap = 0;
  const int runs = 400;
  for (int n = 0; n < runs; ++n) {
    EncodeOptions o;
    o.ec = t::kLevels[static_cast<std::size_t>(n % 4)];
    o.min_version = 1 + n % 10;
    const Symbol s = viscode::encode("payload number " + std::to_string(n * 7919), o);
    const MaskScores m = score_masks(s);
    INFO("payload " << n << " version " << s.version << " mask " << s.mask);
    CHECK(m.modelled_mask == s.mask);
    agree += m.chosen == m.lowest ? 1 : 0;
    worst_gap = std::max(worst_gap, m.chosen - m.lowest);
  }
  CHECK(agree * 100 >= runs * 98);
  CHECK(worst_gap <= 40);
}

TEST_CASE("penalty: the image-aware mask's N3 alone equals penalty's", "[encode]") {
  // Versions 1-9 take a bit-parallel path, larger ones the run-length one.
  for (int n = 0; n < 120; ++n) {
    EncodeOptions o;
    o.ec = t::kLevels[static_cast<std::size_t>(n % 4)];
    o.min_version = 1 + (n * 7) % 14;
    const Symbol s = viscode::encode("finder-like " + std::to_string(n * 104729), o);
    for (int m = 0; m < 8; ++m) {
      const Symbol masked = viscode::with_mask(s, m);
      INFO("payload " << n << " version " << s.version << " mask " << m);
      CHECK(viscode::detail::finder_like_penalty(masked) == viscode::penalty(masked).n3);
    }
  }
}
