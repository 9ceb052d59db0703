#include "detect/charset.hpp"

#include <iconv.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

#include "text.hpp"

namespace viscode::detail {
namespace {

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

// How much a reading looks like text: characters from the everyday core of the character
// set (GB 2312; JIS X 0208) against the rest (extensions, rare characters, four-byte
// GB 18030), or not valid at all. Counted in halves: a half-width katakana in a run is half
// everyday, half rare, since modern Japanese text seldom uses them while GB 2312 text looks
// exactly like runs of them.
struct Reading {
  bool valid = false;
  int common = 0;  // half characters
  int rare = 0;    // half characters
};

// Shift JIS as Microsoft's CP932. The user-defined area (leads 0xF0-0xF9) decodes to private
// use characters, never text worth guessing, so it counts as invalid.
Reading read_cp932(std::span<const std::uint8_t> s) {
  Reading r;
  std::size_t kana_run = 0;
  // A single half-width katakana between ASCII is far more often an accented Latin-1 letter
  // (0xC4 is Ä) than Japanese; runs of two or more are katakana words.
  const auto end_kana_run = [&] {
    if (kana_run >= 2) {
      r.common += static_cast<int>(kana_run);
      r.rare += static_cast<int>(kana_run);
    } else if (kana_run == 1) {
      r.rare += 2;
    }
    kana_run = 0;
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::uint8_t b = s[i];
    if (b >= 0xA1 && b <= 0xDF) {
      ++kana_run;
      continue;
    }
    end_kana_run();
    if (b < 0x80) continue;
    const bool lead = (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC);
    if (!lead || (b >= 0xF0 && b <= 0xF9) || i + 1 >= s.size()) return {};
    const std::uint8_t t = s[++i];
    if (t < 0x40 || t == 0x7F || t > 0xFC) return {};
    // JIS X 0208: rows 1-8 (leads 0x81-0x84), the kanji levels 1 and 2 (0x88-0x9F,
    // 0xE0-0xEA). 0x87 (NEC row 13), 0xED-0xEE and 0xFA-0xFC (IBM extensions) are rare.
    const bool jis0208 = b <= 0x84 || (b >= 0x88 && b <= 0x9F) || (b >= 0xE0 && b <= 0xEA);
    (jis0208 ? r.common : r.rare) += 2;
  }
  end_kana_run();
  r.valid = true;
  return r;
}

// GB 18030 (a superset of GB 2312 and GBK). Its user-defined areas decode to private use
// characters and count as invalid.
Reading read_gb18030(std::span<const std::uint8_t> s) {
  Reading r;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::uint8_t b = s[i];
    if (b < 0x80) continue;
    if (b == 0x80 || b == 0xFF || i + 1 >= s.size()) return {};
    const std::uint8_t t = s[i + 1];
    if (t >= 0x30 && t <= 0x39) {  // four bytes: characters outside GBK
      if (i + 3 >= s.size() || s[i + 2] < 0x81 || s[i + 2] > 0xFE || s[i + 3] < 0x30 ||
          s[i + 3] > 0x39) {
        return {};
      }
      r.rare += 2;
      i += 3;
      continue;
    }
    if (t < 0x40 || t == 0x7F || t == 0xFF) return {};
    const bool user_defined = (b >= 0xAA && b <= 0xAF && t >= 0xA1) || (b >= 0xF8 && t >= 0xA1) ||
                              (b >= 0xA1 && b <= 0xA7 && t < 0xA1);
    if (user_defined) return {};
    // GB 2312: symbols (leads 0xA1-0xA9) and hanzi (0xB0-0xF7), both with trails 0xA1-0xFE.
    const bool gb2312 = t >= 0xA1 && ((b >= 0xA1 && b <= 0xA9) || (b >= 0xB0 && b <= 0xF7));
    (gb2312 ? r.common : r.rare) += 2;
    ++i;
  }
  r.valid = true;
  return r;
}

// Latin-1 as text: an accented letter next to an ASCII letter ("Müller", "informação") is
// everyday; a high byte between others or beside digits and punctuation, or a symbol
// (0xA0-0xBF, × and ÷), is rare. A C1 control (0x80-0x9F) is never text: no reading at all.
Reading read_latin1(std::span<const std::uint8_t> s) {
  const auto ascii_letter = [](std::uint8_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  };
  Reading r;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const std::uint8_t b = s[i];
    if (b < 0x80) continue;
    if (b <= 0x9F) return {};
    const bool letter = b >= 0xC0 && b != 0xD7 && b != 0xF7;
    const bool beside_letter =
        (i > 0 && ascii_letter(s[i - 1])) || (i + 1 < s.size() && ascii_letter(s[i + 1]));
    (letter && beside_letter ? r.common : r.rare) += 2;
  }
  r.valid = true;
  return r;
}

// a.common / (a.common + a.rare) > b's, without division; an invalid reading has share 0.
bool more_common(const Reading& a, const Reading& b) {
  if (!a.valid || a.common == 0) return false;
  if (!b.valid) return true;
  return static_cast<long>(a.common) * (b.common + b.rare) >
         static_cast<long>(b.common) * (a.common + a.rare);
}

}  // namespace

std::optional<std::string> charset_to_utf8(std::span<const std::uint8_t> s, const char* charset) {
  const std::string_view name = charset;
  if (name == "UTF-8") {
    if (!valid_utf8(s)) return std::nullopt;
    return std::string(s.begin(), s.end());
  }
  if (name == "ISO-8859-1") return latin1_to_utf8(s);
  return iconv_to_utf8(s, charset);
}

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
      return "CP932";
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

const char* charset_display_name(const char* charset) {
  return std::string_view(charset) == "CP932" ? "Shift_JIS" : charset;
}

const char* guess_charset(std::span<const std::uint8_t> s) {
  if (std::all_of(s.begin(), s.end(), [](std::uint8_t b) { return b < 0x80; })) {
    return "US-ASCII";
  }
  // Valid UTF-8 with a character past ASCII is almost never an accident of another
  // character set, and most encoders write UTF-8 without an ECI.
  if (valid_utf8(s)) return "UTF-8";

  // Control characters (other than tab, line breaks and the GS1 separator) mean data, not
  // text: it stays byte for byte as Latin-1, as it always has.
  const bool controls = std::any_of(s.begin(), s.end(), [](std::uint8_t b) {
    return (b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != 0x1D) || b == 0x7F;
  });
  if (controls) return "ISO-8859-1";

  Reading gb = read_gb18030(s);
  Reading sjis = read_cp932(s);
  if (gb.valid) gb.valid = iconv_to_utf8(s, "GB18030").has_value();
  if (sjis.valid) sjis.valid = iconv_to_utf8(s, "CP932").has_value();
  // The reading with the larger share of everyday characters wins. Chinese text in GB 2312
  // is often valid Shift JIS too, as half-width katakana (half everyday), and a tie between
  // the two goes to GB 18030 (the codes' market is China); Japanese text reads in GBK as
  // rare extension characters. Latin-1 wins ties with either: "Größe" and "informação" are
  // valid GB 2312.
  const bool sjis_wins = more_common(sjis, gb);
  const Reading& cjk = sjis_wins ? sjis : gb;
  if (more_common(cjk, read_latin1(s))) return sjis_wins ? "CP932" : "GB18030";
  return "ISO-8859-1";
}

}  // namespace viscode::detail
