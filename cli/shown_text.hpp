// A payload in plain (not --json) output. A code's text is anyone's: an ESC sequence in it
// would drive the terminal that prints it (colours, a moved cursor, a rewritten line), so
// control characters are shown as \xNN. Tab, line feed and a carriage return before a line
// feed (vCards' CRLF) stay as they are. --json carries the exact text.
#pragma once

#include <string>
#include <string_view>

namespace viscode::cli {

inline std::string shown_text(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // C1 controls (U+0080..U+009F) are 0xC2 0x80..0x9F in UTF-8.
    const bool c1 = c == 0xC2 && i + 1 < text.size() &&
                    static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                    static_cast<unsigned char>(text[i + 1]) <= 0x9F;
    const bool kept =
        c == '\t' || c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
    if ((c < 0x20 || c == 0x7F) && !kept) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c1) {
      const auto v = static_cast<unsigned char>(text[++i]);
      out += "\\u00";
      out += kHex[v >> 4];
      out += kHex[v & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace viscode::cli
