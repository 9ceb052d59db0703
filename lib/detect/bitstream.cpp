#include "detect/bitstream.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "detect/charset.hpp"

namespace viscode::detail {
namespace {

class BitReader {
 public:
  explicit BitReader(std::span<const std::uint8_t> data) : data_(data) {}
  std::size_t remaining() const { return data_.size() * 8 - pos_; }
  // Callers check remaining() first; a short read is a malformed stream.
  std::optional<std::uint32_t> read(int bits) {
    if (static_cast<std::size_t>(bits) > remaining()) return std::nullopt;
    std::uint32_t v = 0;
    for (int i = 0; i < bits; ++i, ++pos_) {
      v = (v << 1) | ((data_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
    }
    return v;
  }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

enum Mode : std::uint32_t {
  kTerminator = 0x0,
  kNumeric = 0x1,
  kAlphanumeric = 0x2,
  kStructuredAppend = 0x3,
  kByte = 0x4,
  kFnc1First = 0x5,
  kEci = 0x7,
  kKanji = 0x8,
  kFnc1Second = 0x9,
  kHanzi = 0xD,  // GB/T 18284 (Chinese QR), not in ISO 18004
};

// Character-count indicator widths for versions 1-9, 10-26 and 27-40.
int count_bits(std::uint32_t mode, int version) {
  const int range = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  switch (mode) {
    case kNumeric:
      return 10 + 2 * range;
    case kAlphanumeric:
      return 9 + 2 * range;
    case kByte:
      return range == 0 ? 8 : 16;
    default:  // kanji, hanzi
      return 8 + 2 * range;
  }
}

constexpr std::string_view kAlphanumeric45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// One decoded segment before character-set conversion: byte segments keep the ECI that was
// in force, since several of them under one ECI may split a multibyte character.
struct Piece {
  enum class Kind { bytes, ascii, kanji, hanzi } kind;
  int eci;  // -1: none designated
  std::vector<std::uint8_t> data;
};

// Kanji mode packs a Shift JIS double-byte code from 0x8140..0x9FFC or 0xE040..0xEBBF into
// 13 bits as (high byte * 0xC0 + low byte) after subtracting the range's base.
void append_kanji(std::uint32_t v, std::vector<std::uint8_t>& out) {
  std::uint32_t code = (v / 0xC0) << 8 | (v % 0xC0);
  code += code < 0x1F00 ? 0x8140 : 0xC140;
  out.push_back(static_cast<std::uint8_t>(code >> 8));
  out.push_back(static_cast<std::uint8_t>(code & 0xFF));
}

// Hanzi mode (subset 1, GB 2312) packs a double-byte code from 0xA1A1..0xAAFE or
// 0xB0A1..0xFAFE into 13 bits as (high byte * 0x60 + low byte) after subtracting 0xA1A1 or
// 0xA6A1. False for a value that is no such code (a low byte past 0xFE).
bool append_hanzi(std::uint32_t v, std::vector<std::uint8_t>& out) {
  if (v % 0x60 > 0x5D) return false;
  std::uint32_t code = (v / 0x60) << 8 | (v % 0x60);
  code += code < 0x0A00 ? 0xA1A1 : 0xA6A1;
  if (code > 0xFAFE) return false;
  out.push_back(static_cast<std::uint8_t>(code >> 8));
  out.push_back(static_cast<std::uint8_t>(code & 0xFF));
  return true;
}

// Under FNC1, alphanumeric '%' stands for the GS1 separator (0x1D) and "%%" for '%'.
void apply_fnc1_percent(std::vector<std::uint8_t>& chars) {
  std::vector<std::uint8_t> out;
  out.reserve(chars.size());
  for (std::size_t i = 0; i < chars.size(); ++i) {
    if (chars[i] != '%') {
      out.push_back(chars[i]);
    } else if (i + 1 < chars.size() && chars[i + 1] == '%') {
      out.push_back('%');
      ++i;
    } else {
      out.push_back(0x1D);
    }
  }
  chars = std::move(out);
}

std::optional<std::vector<Piece>> parse_pieces(BitReader& in, int version,
                                               std::optional<StructuredAppend>& sa) {
  std::vector<Piece> pieces;
  int eci = -1;
  bool fnc1 = false;
  // Fewer than four bits left: the terminator was truncated to fit, as the standard allows.
  while (in.remaining() >= 4) {
    const std::uint32_t mode = *in.read(4);
    if (mode == kTerminator) break;
    switch (mode) {
      case kStructuredAppend: {
        const auto index = in.read(4);
        const auto count = in.read(4);
        const auto parity = in.read(8);
        if (!index || !count || !parity) return std::nullopt;
        sa = StructuredAppend{static_cast<int>(*index), static_cast<int>(*count) + 1,
                              static_cast<int>(*parity)};
        break;
      }
      case kFnc1First:
        fnc1 = true;
        break;
      case kFnc1Second:
        // The application indicator is metadata about the data, not part of it.
        if (!in.read(8)) return std::nullopt;
        fnc1 = true;
        break;
      case kEci: {
        const auto first = in.read(8);
        if (!first) return std::nullopt;
        std::optional<std::uint32_t> rest;
        if ((*first & 0x80u) == 0) {
          eci = static_cast<int>(*first);
          break;
        } else if ((*first & 0xC0u) == 0x80u) {
          rest = in.read(8);
          if (!rest) return std::nullopt;
          eci = static_cast<int>((*first & 0x3Fu) << 8 | *rest);
        } else if ((*first & 0xE0u) == 0xC0u) {
          rest = in.read(16);
          if (!rest) return std::nullopt;
          eci = static_cast<int>((*first & 0x1Fu) << 16 | *rest);
        } else {
          return std::nullopt;
        }
        break;
      }
      case kNumeric: {
        const auto count = in.read(count_bits(mode, version));
        if (!count) return std::nullopt;
        Piece p{Piece::Kind::ascii, eci, {}};
        for (std::uint32_t left = *count; left > 0;) {
          const int digits = left >= 3 ? 3 : static_cast<int>(left);
          const auto v = in.read(digits == 3 ? 10 : digits == 2 ? 7 : 4);
          if (!v || *v >= (digits == 3 ? 1000u : digits == 2 ? 100u : 10u)) return std::nullopt;
          std::uint32_t div = digits == 3 ? 100 : digits == 2 ? 10 : 1;
          for (; div > 0; div /= 10)
            p.data.push_back(static_cast<std::uint8_t>('0' + *v / div % 10));
          left -= static_cast<std::uint32_t>(digits);
        }
        pieces.push_back(std::move(p));
        break;
      }
      case kAlphanumeric: {
        const auto count = in.read(count_bits(mode, version));
        if (!count) return std::nullopt;
        Piece p{Piece::Kind::ascii, eci, {}};
        for (std::uint32_t left = *count; left > 0;) {
          if (left >= 2) {
            const auto v = in.read(11);
            if (!v || *v >= 45 * 45) return std::nullopt;
            p.data.push_back(static_cast<std::uint8_t>(kAlphanumeric45[*v / 45]));
            p.data.push_back(static_cast<std::uint8_t>(kAlphanumeric45[*v % 45]));
            left -= 2;
          } else {
            const auto v = in.read(6);
            if (!v || *v >= 45) return std::nullopt;
            p.data.push_back(static_cast<std::uint8_t>(kAlphanumeric45[*v]));
            left -= 1;
          }
        }
        if (fnc1) apply_fnc1_percent(p.data);
        pieces.push_back(std::move(p));
        break;
      }
      case kByte: {
        const auto count = in.read(count_bits(mode, version));
        if (!count || in.remaining() < std::size_t{*count} * 8) return std::nullopt;
        Piece p{Piece::Kind::bytes, eci, {}};
        p.data.reserve(*count);
        for (std::uint32_t i = 0; i < *count; ++i) {
          p.data.push_back(static_cast<std::uint8_t>(*in.read(8)));
        }
        pieces.push_back(std::move(p));
        break;
      }
      case kKanji: {
        const auto count = in.read(count_bits(mode, version));
        if (!count || in.remaining() < std::size_t{*count} * 13) return std::nullopt;
        Piece p{Piece::Kind::kanji, eci, {}};
        for (std::uint32_t i = 0; i < *count; ++i) append_kanji(*in.read(13), p.data);
        pieces.push_back(std::move(p));
        break;
      }
      case kHanzi: {
        // Subset 1 is GB 2312; the others (GB 18030 two- and four-byte) are not in use.
        const auto subset = in.read(4);
        if (!subset || *subset != 1) return std::nullopt;
        const auto count = in.read(count_bits(mode, version));
        if (!count || in.remaining() < std::size_t{*count} * 13) return std::nullopt;
        Piece p{Piece::Kind::hanzi, eci, {}};
        for (std::uint32_t i = 0; i < *count; ++i) {
          if (!append_hanzi(*in.read(13), p.data)) return std::nullopt;
        }
        pieces.push_back(std::move(p));
        break;
      }
      default:
        return std::nullopt;  // reserved mode
    }
  }
  return pieces;
}

struct Text {
  std::string text;
  std::string charset;  // display names in order of first use, comma-separated
};

// The pieces as UTF-8, undesignated bytes in `guess`. Empty when a piece is not valid in
// its character set.
std::optional<Text> convert(const std::vector<Piece>& pieces, const char* guess) {
  Text out;
  std::vector<std::string_view> used;
  bool ascii = false;
  const auto use = [&](const char* charset) {
    const std::string_view name = charset_display_name(charset);
    if (std::find(used.begin(), used.end(), name) == used.end()) used.push_back(name);
  };
  for (std::size_t i = 0; i < pieces.size();) {
    const Piece& p = pieces[i];
    if (p.kind == Piece::Kind::ascii) {
      out.text.append(p.data.begin(), p.data.end());
      ascii = true;
      ++i;
      continue;
    }
    if (p.kind != Piece::Kind::bytes) {
      // Kanji mode holds JIS X 0208 as Shift JIS, Hanzi mode GB 2312: both convert as their
      // supersets CP932 and GB 18030.
      const auto text = charset_to_utf8(p.data, p.kind == Piece::Kind::kanji ? "CP932" : "GB18030");
      if (!text) return std::nullopt;
      out.text += *text;
      use(p.kind == Piece::Kind::kanji ? "Shift_JIS" : "GB2312");
      ++i;
      continue;
    }
    // Adjacent byte segments under one ECI are converted together: several of them may
    // split a multibyte character.
    std::vector<std::uint8_t> run = p.data;
    std::size_t j = i + 1;
    for (; j < pieces.size() && pieces[j].kind == Piece::Kind::bytes && pieces[j].eci == p.eci;
         ++j) {
      run.insert(run.end(), pieces[j].data.begin(), pieces[j].data.end());
    }
    const char* charset = p.eci < 0 ? guess : eci_charset(p.eci);
    if (charset == nullptr) return std::nullopt;
    auto text = charset_to_utf8(run, charset);
    if (!text) return std::nullopt;
    const std::string_view name = charset;
    // A byte order mark opening the text says how it is encoded; it is not part of it.
    if (out.text.empty() && name == "UTF-8" && text->starts_with("\xEF\xBB\xBF")) {
      text->erase(0, 3);
    }
    out.text += *text;
    // Undesignated ASCII is the same in every character set: it names none.
    if (p.eci < 0 && name == "US-ASCII") {
      ascii = true;
    } else {
      use(charset);
    }
    i = j;
  }
  for (const std::string_view name : used) {
    if (!out.charset.empty()) out.charset += ',';
    out.charset += name;
  }
  if (out.charset.empty() && ascii) out.charset = "US-ASCII";
  return out;
}

}  // namespace

std::optional<Payload> parse_bitstream(std::span<const std::uint8_t> data_codewords, int version) {
  if (version < 1 || version > 40) return std::nullopt;
  BitReader in(data_codewords);
  Payload out;
  auto pieces = parse_pieces(in, version, out.structured_append);
  if (!pieces) return std::nullopt;

  // Without an ECI the standard says Latin-1, but encoders write UTF-8, Shift JIS or GBK
  // without saying so: all undesignated bytes together decide one character set for them.
  std::vector<std::uint8_t> undesignated;
  for (const Piece& p : *pieces) {
    if (p.kind == Piece::Kind::bytes && p.eci < 0) {
      undesignated.insert(undesignated.end(), p.data.begin(), p.data.end());
    }
  }
  const char* guess = guess_charset(undesignated);
  auto text = convert(*pieces, guess);
  // Bytes split over segments apart from each other may not convert piece by piece;
  // Latin-1 always does.
  if (!text) {
    guess = "ISO-8859-1";
    text = convert(*pieces, guess);
  }
  if (!text) return std::nullopt;
  out.text = std::move(text->text);
  out.charset = std::move(text->charset);
  out.charset_guessed = std::string_view(guess) != "US-ASCII" && !undesignated.empty();
  for (const Piece& p : *pieces) out.bytes.insert(out.bytes.end(), p.data.begin(), p.data.end());
  return out;
}

}  // namespace viscode::detail
