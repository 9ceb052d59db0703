#include "text.hpp"

#include <algorithm>
#include <ctime>

namespace viscode::detail {

bool valid_utf8(std::span<const std::uint8_t> s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::uint8_t c = s[i];
    int extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const std::uint8_t cc = s[i + static_cast<std::size_t>(k)];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMin[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += static_cast<std::size_t>(extra) + 1;
  }
  return true;
}

std::string hex_text(std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "hex:";
  out.reserve(4 + 2 * s.size());
  for (const char c : s) {
    out += kHex[static_cast<unsigned char>(c) >> 4];
    out += kHex[static_cast<unsigned char>(c) & 15];
  }
  return out;
}

bool is_clean_text(std::string_view s) {
  return std::none_of(s.begin(), s.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }) &&
         valid_utf8(s);
}

std::string quoted_prefix(std::string_view s, std::size_t chars) {
  // Only the part that may be shown is examined: a 10 MB input costs no more than a short one.
  const std::string_view head = s.substr(0, chars * 4 + 4);
  std::size_t end = 0;
  for (std::size_t n = 0; end < head.size() && n < chars; ++n) {
    ++end;
    while (end < head.size() && (static_cast<unsigned char>(head[end]) & 0xC0) == 0x80) ++end;
  }
  // Clean text as it is; anything else (a control character, bytes that are not UTF-8,
  // a sequence cut by `head`) in hex, so that a message never carries raw bytes.
  if (!is_clean_text(s.substr(0, end)) ||
      (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80)) {
    const std::string hex = hex_text(s.substr(0, chars / 2));
    return s.size() > chars / 2 ? hex + "..." : hex;
  }
  return end < s.size() ? std::string(s.substr(0, end)) + "..." : std::string(s);
}

std::string quoted(std::string_view s) {
  const std::string prefix = quoted_prefix(s);
  const bool cut = prefix.ends_with("...");
  return "'" + prefix + "'" + (cut ? " (" + std::to_string(s.size()) + " bytes)" : "");
}

std::string serial_problem(std::string_view serial) {
  std::string why;
  if (serial.empty()) {
    why = "it is empty";
  } else if (serial.size() > kMaxSerialBytes) {
    why = std::to_string(serial.size()) + " bytes, over " + std::to_string(kMaxSerialBytes);
  } else if (!valid_utf8(serial)) {
    why = "not UTF-8 text";
  } else if (!is_clean_text(serial)) {
    why = "a control character";
  } else if (serial.front() == ' ' || serial.back() == ' ') {
    why = "a leading or trailing space";
  }
  if (why.empty()) return why;
  return "unknown serial format: '" + quoted_prefix(serial) + "' is not a serial (" + why +
         "): a serial is 1 to 256 bytes of printable text without leading or trailing spaces, "
         "as viscode batch issues them";
}

std::string utc_text(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

}  // namespace viscode::detail
