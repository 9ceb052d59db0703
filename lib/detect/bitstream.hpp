// Parsing the data codewords of a symbol into its payload.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

struct Payload {
  std::string text;                 // UTF-8
  std::vector<std::uint8_t> bytes;  // segments' bytes concatenated (numeric/alnum as ASCII,
                                    // kanji as Shift JIS, hanzi as GB 2312, byte as is)
  std::string charset;              // as Decoded::charset
  bool charset_guessed = false;     // as Decoded::charset_guessed
  std::optional<StructuredAppend> structured_append;

  // Moves the payload's fields into a result (both symbol models decode into Decoded).
  void move_into(Decoded& out) {
    out.text = std::move(text);
    out.bytes = std::move(bytes);
    out.charset = std::move(charset);
    out.charset_guessed = charset_guessed;
    out.structured_append = structured_append;
  }
};

// Numeric, alphanumeric, byte, kanji, hanzi (GB 2312 subset), ECI, structured append, FNC1
// and terminator, for any version (1..40, which sets the character-count widths). Byte
// segments are converted to UTF-8 by the ECI in force, or without one by the character set
// guess_charset() finds for all undesignated bytes together; kanji from Shift JIS, hanzi from
// GB 2312. Empty on a malformed stream (a count running past the end, an unknown mode, a
// numeric triple over 999, text not valid in its designated character set).
std::optional<Payload> parse_bitstream(std::span<const std::uint8_t> data_codewords, int version);

}  // namespace viscode::detail
