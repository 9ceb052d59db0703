// Format and version information: nearest-codeword decoding, checked exhaustively against
// codewords computed independently (test_encode_util.hpp) and against the encoder's symbols.
#include <bit>
#include <catch2/catch.hpp>
#include <climits>
#include <cstdint>
#include <vector>

#include "detect/format_info.hpp"
#include "test_encode_util.hpp"
#include "viscode/encode.hpp"

using viscode::EcLevel;
using viscode::detail::decode_format;
using viscode::detail::decode_version;
namespace t = viscode::test;

namespace {

// Every word with exactly `flips` of the low `bits` bits set.
std::vector<std::uint32_t> patterns(int bits, int flips) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t w = 0; w < (1u << bits); ++w) {
    if (std::popcount(w) == flips) out.push_back(w);
  }
  return out;
}

}  // namespace

TEST_CASE("Every format codeword decodes, with up to 3 bit errors", "[detect][format]") {
  for (const EcLevel ec : t::kLevels) {
    for (int mask = 0; mask < 8; ++mask) {
      const std::uint32_t word = t::format_word(ec, mask);
      for (int flips = 0; flips <= 3; ++flips) {
        for (const std::uint32_t error : patterns(15, flips)) {
          const auto f = decode_format(static_cast<std::uint16_t>(word ^ error));
          REQUIRE(f);
          CHECK(f->ec == ec);
          CHECK(f->mask == mask);
          CHECK(f->distance == flips);
        }
      }
    }
  }
}

TEST_CASE("Format decoding answers exactly when a codeword is within distance 3",
          "[detect][format]") {
  // The format code's minimum distance is 7, so 4 errors can land within 3 of another
  // codeword: such words decode, to the other codeword, never to the original.
  int ambiguous_after_4 = 0;
  for (std::uint32_t word = 0; word < (1u << 15); ++word) {
    int nearest = INT_MAX;
    EcLevel nearest_ec = EcLevel::L;
    int nearest_mask = 0;
    for (const EcLevel ec : t::kLevels) {
      for (int mask = 0; mask < 8; ++mask) {
        const int d = std::popcount(word ^ t::format_word(ec, mask));
        if (d < nearest) {
          nearest = d;
          nearest_ec = ec;
          nearest_mask = mask;
        }
      }
    }
    const auto f = decode_format(static_cast<std::uint16_t>(word));
    REQUIRE(f.has_value() == (nearest <= 3));
    if (f) {
      CHECK(f->ec == nearest_ec);
      CHECK(f->mask == nearest_mask);
      CHECK(f->distance == nearest);
    }
  }
  for (const std::uint32_t error : patterns(15, 4)) {
    const std::uint32_t word = t::format_word(EcLevel::Q, 5) ^ error;
    if (const auto f = decode_format(static_cast<std::uint16_t>(word))) {
      CHECK_FALSE((f->ec == EcLevel::Q && f->mask == 5));
      CHECK(f->distance == 3);
      ++ambiguous_after_4;
    }
  }
  CHECK(ambiguous_after_4 > 0);
}

TEST_CASE("Every version codeword decodes with up to 3 bit errors, and 4 always fail",
          "[detect][format]") {
  const auto four = patterns(18, 4);
  for (int version = 7; version <= 40; ++version) {
    const std::uint32_t word = t::version_word(version);
    for (int flips = 0; flips <= 3; ++flips) {
      for (const std::uint32_t error : patterns(18, flips)) {
        const auto v = decode_version(word ^ error);
        REQUIRE(v);
        CHECK(*v == version);
      }
    }
    // The version code's minimum distance is 8: 4 errors leave every codeword at least 4
    // away, so nothing is accepted.
    for (const std::uint32_t error : four) REQUIRE_FALSE(decode_version(word ^ error));
  }
  // Versions 1..6 carry no version information; their would-be codewords are far from all.
  for (int version = 1; version <= 6; ++version)
    CHECK_FALSE(decode_version(t::version_word(version)));
}

TEST_CASE("Format and version read from encoded symbols decode to the symbol's own",
          "[detect][format]") {
  for (int version = 1; version <= 40; version += 3) {
    for (const EcLevel ec : t::kLevels) {
      viscode::EncodeOptions o;
      o.ec = ec;
      o.min_version = version;
      const viscode::Symbol s = viscode::encode("format", o);
      const auto copies = t::read_format(s);
      for (const std::uint32_t bits : copies) {
        const auto f = decode_format(static_cast<std::uint16_t>(bits));
        REQUIRE(f);
        CHECK(f->ec == ec);
        CHECK(f->mask == s.mask);
        CHECK(f->distance == 0);
      }
      if (version >= 7) {
        std::uint32_t bits = 0;
        for (int i = 0; i < 18; ++i) {
          if (s.is_dark(s.size - 11 + i % 3, i / 3)) bits |= 1u << i;
        }
        CHECK(decode_version(bits) == version);
      }
    }
  }
}
