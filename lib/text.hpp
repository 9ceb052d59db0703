// Byte strings as text: the detector decides whether a byte segment is UTF-8, the ledger
// whether a payload can be stored and shown as it is; messages quote a short prefix of any
// input; and the one rule for what a serial may be (batch and the ledger both check it, so
// this sits below both stages).
#pragma once

#include <cstdint>
#include <ctime>
#include <span>
#include <string>
#include <string_view>

namespace viscode::detail {

// Well-formed UTF-8: no overlong forms, UTF-16 surrogates or code points past U+10FFFF.
// NUL and other control characters are valid UTF-8.
bool valid_utf8(std::span<const std::uint8_t> s);
inline bool valid_utf8(std::string_view s) {
  return valid_utf8(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

// "hex:" and the bytes in lower-case hex: how bytes that are not text get logged.
std::string hex_text(std::string_view s);

// Well-formed UTF-8 without control characters (C0 and DEL): what a database TEXT column, a
// terminal and a CSV report all take as it is.
bool is_clean_text(std::string_view s);

// At most the first `chars` characters of an input for a message (whole UTF-8 sequences),
// with "..." when cut; an input that is not clean text as hex of its first chars/2 bytes.
std::string quoted_prefix(std::string_view s, std::size_t chars = 40);
// The same in single quotes, with the input's size when it was cut: "'ABC...' (10485760
// bytes)". Every message that quotes a serial, payload or field read from a file uses it,
// so a 10 MB line never goes to stderr whole.
std::string quoted(std::string_view s);

// t as the ledger stores times and serve shows them: UTC, to the second, in a form that sorts
// as time, "2026-12-04T20:29:07Z".
std::string utc_text(std::time_t t);

inline constexpr std::size_t kMaxSerialBytes = 256;

// The one rule for what a serial may be, for viscode batch (checked before any file is
// written) and the ledger (import, status): 1 to 256 bytes of well-formed UTF-8 without
// control characters and without a leading or trailing space. Empty when `serial` is one;
// else the refusal, e.g. "unknown serial format: 'S1...' is not a serial (300 bytes, over
// 256): a serial is ...".
std::string serial_problem(std::string_view serial);

}  // namespace viscode::detail
