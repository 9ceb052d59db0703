#include "detect/bitstream.hpp"

#include <iconv.h>

#include <cerrno>
#include <string_view>
#include <utility>

#include "text.hpp"

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
    default:  // kanji
      return 8 + 2 * range;
  }
}

constexpr std::string_view kAlphanumeric45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

// One decoded segment before character-set conversion: byte segments keep the ECI that was
// in force, since several of them under one ECI may split a multibyte character.
struct Piece {
  enum class Kind { bytes, ascii, kanji } kind;
  int eci;  // -1: none designated
  std::vector<std::uint8_t> data;
};

std::string latin1_to_utf8(std::span<const std::uint8_t> s) {
  std::string out;
  out.reserve(s.size() * 2);
  for (const std::uint8_t c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

std::optional<std::string> iconv_to_utf8(std::span<const std::uint8_t> s, const char* from) {
  iconv_t cd = iconv_open("UTF-8", from);
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::string out(s.size() * 4 + 16, '\0');
  // iconv's interface takes non-const input although it never writes through it.
  char* in = const_cast<char*>(reinterpret_cast<const char*>(s.data()));
  std::size_t in_left = s.size();
  std::size_t produced = 0;
  bool ok = true;
  while (in_left > 0) {
    char* dst = out.data() + produced;
    std::size_t dst_left = out.size() - produced;
    const std::size_t rc = iconv(cd, &in, &in_left, &dst, &dst_left);
    produced = out.size() - dst_left;
    if (rc != static_cast<std::size_t>(-1)) break;
    if (errno != E2BIG) {
      ok = false;  // an invalid or truncated sequence: not text in this character set
      break;
    }
    out.resize(out.size() * 2);
  }
  iconv_close(cd);
  if (!ok) return std::nullopt;
  out.resize(produced);
  return out;
}

// The character set an ECI designator assigns to bytes (AIM ECI assignments); nullptr for
// ECIs this reader does not know, which makes the stream unreadable rather than misread.
const char* eci_charset(int eci) {
  switch (eci) {
    case 0:
    case 2:
      return "CP437";
    case 1:
    case 3:
    case 899:  // 8-bit binary: Latin-1 keeps every byte as one character
      return "ISO-8859-1";
    case 20:
      return "SHIFT_JIS";
    case 21:
      return "CP1250";
    case 22:
      return "CP1251";
    case 23:
      return "CP1252";
    case 24:
      return "CP1256";
    case 25:
      return "UTF-16BE";
    case 26:
      return "UTF-8";
    case 27:
    case 170:
      return "US-ASCII";
    case 28:
      return "BIG5";
    case 29:  // GB 2312; GB 18030 decodes the same bytes identically and is a superset
    case 32:
      return "GB18030";
    case 30:
      return "EUC-KR";
    case 31:
      return "GBK";
    case 33:
      return "UTF-16LE";
    case 34:
      return "UTF-32BE";
    case 35:
      return "UTF-32LE";
    default:
      break;
  }
  // ECI 4..18 are ISO-8859-2..16; there is no ISO-8859-12, so ECI 14 is unassigned.
  static constexpr const char* kIso8859[] = {
      "ISO-8859-2", "ISO-8859-3",  "ISO-8859-4",  "ISO-8859-5",  "ISO-8859-6",
      "ISO-8859-7", "ISO-8859-8",  "ISO-8859-9",  "ISO-8859-10", "ISO-8859-11",
      nullptr,      "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16"};
  if (eci >= 4 && eci <= 18) return kIso8859[eci - 4];
  return nullptr;
}

std::optional<std::string> bytes_to_utf8(std::span<const std::uint8_t> s, int eci,
                                         bool default_is_utf8) {
  if (eci < 0) return default_is_utf8 ? std::string(s.begin(), s.end()) : latin1_to_utf8(s);
  const char* charset = eci_charset(eci);
  if (charset == nullptr) return std::nullopt;
  const std::string_view name = charset;
  if (name == "UTF-8") {
    if (!valid_utf8(s)) return std::nullopt;
    return std::string(s.begin(), s.end());
  }
  if (name == "ISO-8859-1") return latin1_to_utf8(s);
  return iconv_to_utf8(s, charset);
}

// Kanji mode packs a Shift JIS double-byte code from 0x8140..0x9FFC or 0xE040..0xEBBF into
// 13 bits as (high byte * 0xC0 + low byte) after subtracting the range's base.
void append_kanji(std::uint32_t v, std::vector<std::uint8_t>& out) {
  std::uint32_t code = (v / 0xC0) << 8 | (v % 0xC0);
  code += code < 0x1F00 ? 0x8140 : 0xC140;
  out.push_back(static_cast<std::uint8_t>(code >> 8));
  out.push_back(static_cast<std::uint8_t>(code & 0xFF));
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
      default:
        return std::nullopt;  // reserved mode, or Micro QR / Hanzi modes this reader lacks
    }
  }
  return pieces;
}

}  // namespace

std::optional<Payload> parse_bitstream(std::span<const std::uint8_t> data_codewords, int version) {
  if (version < 1 || version > 40) return std::nullopt;
  BitReader in(data_codewords);
  Payload out;
  auto pieces = parse_pieces(in, version, out.structured_append);
  if (!pieces) return std::nullopt;

  // Without an ECI the standard says Latin-1, but most encoders write UTF-8 without saying
  // so; all undesignated bytes together are taken as UTF-8 whenever they can be.
  std::vector<std::uint8_t> undesignated;
  for (const Piece& p : *pieces) {
    if (p.kind == Piece::Kind::bytes && p.eci < 0) {
      undesignated.insert(undesignated.end(), p.data.begin(), p.data.end());
    }
  }
  const bool default_is_utf8 = valid_utf8(undesignated);

  for (std::size_t i = 0; i < pieces->size();) {
    const Piece& p = (*pieces)[i];
    out.bytes.insert(out.bytes.end(), p.data.begin(), p.data.end());
    if (p.kind == Piece::Kind::ascii) {
      out.text.append(p.data.begin(), p.data.end());
      ++i;
    } else if (p.kind == Piece::Kind::kanji) {
      const auto text = iconv_to_utf8(p.data, "SHIFT_JIS");
      if (!text) return std::nullopt;
      out.text += *text;
      ++i;
    } else {
      // Adjacent byte segments under one ECI are converted together.
      std::vector<std::uint8_t> run = p.data;
      std::size_t j = i + 1;
      for (; j < pieces->size() && (*pieces)[j].kind == Piece::Kind::bytes &&
             (*pieces)[j].eci == p.eci;
           ++j) {
        const auto& more = (*pieces)[j].data;
        run.insert(run.end(), more.begin(), more.end());
        out.bytes.insert(out.bytes.end(), more.begin(), more.end());
      }
      const auto text = bytes_to_utf8(run, p.eci, default_is_utf8);
      if (!text) return std::nullopt;
      out.text += *text;
      i = j;
    }
  }
  return out;
}

}  // namespace viscode::detail
