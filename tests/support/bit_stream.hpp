#pragma once
// QR data bit streams built by hand, segment by segment as ISO 18004 section 7.4 (and GB/T
// 18284 for Hanzi mode) lays them out: what no encoder at hand writes (ECI, Hanzi mode, bytes
// in any character set) for the parser and for whole symbols.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace viscode::test {

class Bits {
 public:
  Bits& put(std::uint32_t value, int width) {
    for (int i = width - 1; i >= 0; --i) bits_.push_back(((value >> i) & 1u) != 0);
    return *this;
  }
  // Zero bits to the codeword boundary, then the 0xEC/0x11 pad codewords up to `codewords`.
  std::vector<std::uint8_t> codewords(std::size_t codewords = 0) const {
    std::vector<std::uint8_t> out((bits_.size() + 7) / 8, 0);
    for (std::size_t i = 0; i < bits_.size(); ++i) {
      if (bits_[i]) out[i / 8] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
    }
    for (bool ec = true; out.size() < codewords; ec = !ec) out.push_back(ec ? 0xEC : 0x11);
    return out;
  }

 private:
  std::vector<bool> bits_;
};

inline int range_of(int version) {
  return version <= 9 ? 0 : version <= 26 ? 1 : 2;
}
inline int numeric_width(int version) {
  return 10 + 2 * range_of(version);
}
inline int alnum_width(int version) {
  return 9 + 2 * range_of(version);
}
inline int byte_width(int version) {
  return version <= 9 ? 8 : 16;
}
inline int kanji_width(int version) {  // Hanzi mode's too
  return 8 + 2 * range_of(version);
}

inline Bits& numeric(Bits& b, std::string_view digits, int version) {
  b.put(0b0001, 4).put(static_cast<std::uint32_t>(digits.size()), numeric_width(version));
  for (std::size_t i = 0; i < digits.size(); i += 3) {
    const std::string_view group = digits.substr(i, 3);
    b.put(static_cast<std::uint32_t>(std::stoi(std::string(group))), group.size() == 3   ? 10
                                                                     : group.size() == 2 ? 7
                                                                                         : 4);
  }
  return b;
}

inline Bits& alnum(Bits& b, std::string_view text, int version) {
  constexpr std::string_view kSet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  b.put(0b0010, 4).put(static_cast<std::uint32_t>(text.size()), alnum_width(version));
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const auto a = static_cast<std::uint32_t>(kSet.find(text[i]));
    if (i + 1 < text.size()) {
      b.put(a * 45 + static_cast<std::uint32_t>(kSet.find(text[i + 1])), 11);
    } else {
      b.put(a, 6);
    }
  }
  return b;
}

inline Bits& bytes(Bits& b, std::string_view data, int version) {
  b.put(0b0100, 4).put(static_cast<std::uint32_t>(data.size()), byte_width(version));
  for (const char c : data) b.put(static_cast<unsigned char>(c), 8);
  return b;
}

inline Bits& eci(Bits& b, std::uint32_t designator) {
  b.put(0b0111, 4);
  if (designator < 128) return b.put(designator, 8);
  if (designator < 16384) return b.put(0b10, 2).put(designator, 14);
  return b.put(0b110, 3).put(designator, 21);
}

// Kanji mode's 13-bit value of a Shift JIS double-byte code.
inline std::uint32_t kanji_value(std::uint32_t sjis) {
  const std::uint32_t d = sjis - (sjis <= 0x9FFC ? 0x8140 : 0xC140);
  return (d >> 8) * 0xC0 + (d & 0xFF);
}

// Hanzi mode's 13-bit value of a GB 2312 double-byte code (0xA1A1-0xAAFE, 0xB0A1-0xFAFE).
inline std::uint32_t hanzi_value(std::uint32_t gb) {
  const std::uint32_t d = gb - (gb <= 0xAAFE ? 0xA1A1 : 0xA6A1);
  return (d >> 8) * 0x60 + (d & 0xFF);
}

// A Hanzi mode segment (mode 1101, subset 1: GB 2312) of GB 2312 double-byte text.
inline Bits& hanzi(Bits& b, std::string_view gb2312, int version) {
  b.put(0b1101, 4).put(1, 4).put(static_cast<std::uint32_t>(gb2312.size() / 2),
                                 kanji_width(version));
  for (std::size_t i = 0; i + 1 < gb2312.size(); i += 2) {
    b.put(hanzi_value(static_cast<unsigned char>(gb2312[i]) << 8 |
                      static_cast<unsigned char>(gb2312[i + 1])),
          13);
  }
  return b;
}

// A payload's bytes as Decoded::bytes holds them.
inline std::vector<std::uint8_t> as_bytes(std::string_view s) {
  return {s.begin(), s.end()};
}

}  // namespace viscode::test
