// The character set of a byte segment: the one its ECI declares, or, without an ECI, a guess
// from the bytes themselves (the rule is in docs/detector.md, "Character sets").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace viscode::detail {

// The bytes as UTF-8 text in an iconv character set ("UTF-8" and "ISO-8859-1" are handled
// without iconv); empty when the bytes are not valid in it or iconv does not know it.
std::optional<std::string> charset_to_utf8(std::span<const std::uint8_t> s, const char* charset);

// The iconv character set an ECI designator assigns to bytes (AIM ECI assignments); nullptr
// for ECIs this reader does not know, which makes the stream unreadable rather than misread.
// Shift JIS (ECI 20) is read as CP932, whose 0x5C and 0x7E are ASCII as every encoder means
// them (glibc's SHIFT_JIS makes them the yen sign and overline, which breaks URLs).
const char* eci_charset(int eci);

// The name a result reports for an iconv character set: "Shift_JIS" for CP932, else the
// iconv name ("UTF-8", "GB18030", "ISO-8859-1", ...).
const char* charset_display_name(const char* charset);

// The character set of bytes that no ECI designates (never nullptr; an iconv name): US-ASCII
// when every byte is below 0x80, UTF-8 when valid, CP932 or GB18030 when the bytes read as
// Japanese or Chinese text, else ISO-8859-1. charset_to_utf8 converts the bytes in it.
const char* guess_charset(std::span<const std::uint8_t> s);

}  // namespace viscode::detail
