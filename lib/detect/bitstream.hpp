// Parsing the data codewords of a symbol into its payload.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

struct Payload {
  std::string text;                 // UTF-8
  std::vector<std::uint8_t> bytes;  // segments' bytes concatenated (numeric/alnum as ASCII,
                                    // kanji as Shift JIS, byte as is)
  std::optional<StructuredAppend> structured_append;
};

// Numeric, alphanumeric, byte, kanji, ECI, structured append, FNC1 and terminator, for any
// version (1..40, which sets the character-count widths). Byte segments are converted to
// UTF-8 by the ECI in force (default: UTF-8 when the bytes are valid UTF-8, else
// ISO-8859-1); kanji from Shift JIS. Empty on a malformed stream (a count running past the
// end, an unknown mode, a numeric triple over 999).
std::optional<Payload> parse_bitstream(std::span<const std::uint8_t> data_codewords, int version);

}  // namespace viscode::detail
