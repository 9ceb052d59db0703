// Minimal JSON writing for the CLI's machine-readable output (one object per line).
#pragma once

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

namespace viscode::cli {

// A JSON string literal: quotes, backslashes and control characters escaped; UTF-8 passes
// through (JSON allows it), invalid bytes become U+FFFD so the line stays valid JSON.
inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      default:
        break;
    }
    if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    if (c < 0x80) {
      out += static_cast<char>(c);
      continue;
    }
    // Validate one UTF-8 sequence.
    const int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = len > 0 && i + static_cast<std::size_t>(len) <= s.size();
    for (int k = 1; valid && k < len; ++k) {
      valid = (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0xC0) == 0x80;
    }
    if (!valid) {
      out += "\xEF\xBF\xBD";
      continue;
    }
    out.append(s.substr(i, static_cast<std::size_t>(len)));
    i += static_cast<std::size_t>(len) - 1;
  }
  out += '"';
  return out;
}

// Bytes as a JSON string literal of standard base64 (RFC 4648, padded): how a payload that
// JSON text cannot carry exactly (invalid UTF-8) is written.
inline std::string json_base64(std::span<const std::uint8_t> bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "\"";
  auto at = [&](std::size_t k) { return k < bytes.size() ? std::uint32_t{bytes[k]} : 0u; };
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[v >> shift & 0x3F];
  }
  if (const std::size_t left = bytes.size() - i; left > 0) {
    const std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out += kAlphabet[v >> 18 & 0x3F];
    out += kAlphabet[v >> 12 & 0x3F];
    out += left == 2 ? kAlphabet[v >> 6 & 0x3F] : '=';
    out += '=';
  }
  out += '"';
  return out;
}

}  // namespace viscode::cli
