// Building PDF text fast: a page of 54 codes has over 100,000 numbers, and iostreams or
// snprintf would cost more than everything else the page needs.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace viscode::detail::pdf {

// An append-only byte buffer that grows geometrically and writes through a raw pointer.
class Text {
 public:
  explicit Text(std::size_t reserve = 1 << 16) : buf_(reserve, '\0') {}

  // Makes room for n more bytes; every put below stays within the 32 bytes it reserves.
  char* room(std::size_t n) {
    if (size_ + n > buf_.size()) buf_.resize(std::max(buf_.size() * 2, size_ + n));
    return buf_.data() + size_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    size_ += s.size();
  }
  void put(char c) {
    *room(1) = c;
    ++size_;
  }
  void put_int(long long v) {
    char* p = room(24);
    size_ += write_int(p, v);
  }
  // v with at most `decimals` (<= 6) decimals, trailing zeros and a leading "0" dropped:
  // 0.27 -> ".27", 12.5 -> "12.5", 3.0 -> "3".
  void put_num(double v, int decimals) {
    char* p = room(32);
    size_ += write_num(p, v, decimals);
  }
  // put_num followed by a space, the common case.
  void num(double v, int decimals = 3) {
    put_num(v, decimals);
    put(' ');
  }
  void integer(long long v) {
    put_int(v);
    put(' ');
  }

  const char* data() const { return buf_.data(); }
  std::size_t size() const { return size_; }
  void clear() { size_ = 0; }
  std::string str() const { return std::string(buf_.data(), size_); }

  static std::size_t write_int(char* p, long long v) {
    char tmp[24];
    std::size_t n = 0;
    std::size_t len = 0;
    unsigned long long u;
    if (v < 0) {
      p[len++] = '-';
      u = 0ULL - static_cast<unsigned long long>(v);
    } else {
      u = static_cast<unsigned long long>(v);
    }
    do {
      tmp[n++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u != 0);
    while (n > 0) p[len++] = tmp[--n];
    return len;
  }

  static std::size_t write_num(char* p, double v, int decimals) {
    static constexpr long long kScale[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    const long long scale = kScale[decimals];
    long long q = std::llround(v * static_cast<double>(scale));
    std::size_t len = 0;
    if (q < 0) {
      p[len++] = '-';
      q = -q;
    }
    const long long whole = q / scale;
    long long frac = q % scale;
    if (whole != 0 || frac == 0) len += write_int(p + len, whole);
    if (frac != 0) {
      int digits = decimals;
      while (frac % 10 == 0) {
        frac /= 10;
        --digits;
      }
      p[len++] = '.';
      for (int i = digits - 1; i >= 0; --i) {
        p[len + static_cast<std::size_t>(i)] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      len += static_cast<std::size_t>(digits);
    }
    return len;
  }

 private:
  std::string buf_;
  std::size_t size_ = 0;
};

// zlib (FlateDecode) of the bytes at a compression level; throws Error(internal) if zlib
// fails (out of memory).
std::vector<std::uint8_t> deflate_bytes(const void* data, std::size_t size, int level);

// A PDF literal string's body: (, ) and \ escaped; bytes outside printable ASCII become '?'
// (the standard fonts have no glyphs we could rely on for them).
std::string literal(std::string_view text);

}  // namespace viscode::detail::pdf

namespace viscode::detail::pdf {

// Names the page content streams and the shared resources agree on.
inline constexpr std::string_view kImage = "/Im";        // the logo image XObject
inline constexpr std::string_view kFont = "/F";          // Courier, for labels
inline constexpr std::string_view kRegistration = "/R";  // Separation /All, for crop marks
// Veils: /W1../W63 white and /B1../B63 black at opacity k/63. 63 steps keep the quantised
// opacity within 0.8% of the planned one, under 1 L* of tone, at 126 shared dictionaries.
inline constexpr int kVeilSteps = 63;

}  // namespace viscode::detail::pdf
