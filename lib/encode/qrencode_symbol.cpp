// The libqrencode adapter: libqrencode picks segments, version and mask and does the
// Reed-Solomon work; this file turns its per-module flag bytes into viscode roles.
#include <qrencode.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "encode/checks.hpp"
#include "encode/mask.hpp"
#include "encode/placement.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// libqrencode's QRcode::data flag bits (see qrencode.h).
constexpr std::uint8_t kDark = 0x01;
constexpr std::uint8_t kEcArea = 0x02;
constexpr std::uint8_t kFormat = 0x04;
constexpr std::uint8_t kVersion = 0x08;
constexpr std::uint8_t kTiming = 0x10;
constexpr std::uint8_t kAlignment = 0x20;
constexpr std::uint8_t kFinderOrSeparator = 0x40;
constexpr std::uint8_t kFunction = 0x80;

struct QrcodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrcodePtr = std::unique_ptr<QRcode, QrcodeDeleter>;

#if VISCODE_QRENCODE_MASK
// Exported by libqrencode but not in its header (CMake checks they link): the two halves
// of QRcode_encodeString, so that a forced mask skips the library's own mask evaluation,
// an eighth of a serialised run's time when the picture chooses the mask anyway.
extern "C" int Split_splitStringToQRinput(const char* string, QRinput* input, QRencodeMode hint,
                                          int casesensitive);
extern "C" QRcode* QRcode_encodeMask(QRinput* input, int mask);

struct QrinputDeleter {
  void operator()(QRinput* input) const { QRinput_free(input); }
};
using QrinputPtr = std::unique_ptr<QRinput, QrinputDeleter>;
#endif

// QRcode_encodeString with QR_MODE_8 hint, case-sensitive: characters outside the
// numeric/alphanumeric sets go in byte mode as-is, so UTF-8 survives, and lower case is not
// folded into alphanumeric. mask 0..7 is applied as given; -1 takes libqrencode's
// lowest-penalty choice.
QRcode* encode_string(const char* text, int version, QRecLevel level, int mask) {
#if VISCODE_QRENCODE_MASK
  if (mask >= 0) {
    const QrinputPtr input(QRinput_new2(version, level));
    if (!input || Split_splitStringToQRinput(text, input.get(), QR_MODE_8, 1) < 0) return nullptr;
    return QRcode_encodeMask(input.get(), mask);
  }
#endif
  (void)mask;
  return QRcode_encodeString(text, version, level, QR_MODE_8, 1);
}

// QRcode_encodeData (one byte-mode segment), with a mask as encode_string.
QRcode* encode_data(std::span<const std::uint8_t> data, int version, QRecLevel level, int mask) {
#if VISCODE_QRENCODE_MASK
  if (mask >= 0) {
    const QrinputPtr input(QRinput_new2(version, level));
    if (!input ||
        QRinput_append(input.get(), QR_MODE_8, static_cast<int>(data.size()), data.data()) < 0) {
      return nullptr;
    }
    return QRcode_encodeMask(input.get(), mask);
  }
#endif
  (void)mask;
  return QRcode_encodeData(static_cast<int>(data.size()), data.data(), version, level);
}

QRecLevel to_qr_level(EcLevel ec) {
  switch (ec) {
    case EcLevel::L:
      return QR_ECLEVEL_L;
    case EcLevel::M:
      return QR_ECLEVEL_M;
    case EcLevel::Q:
      return QR_ECLEVEL_Q;
    case EcLevel::H:
      return QR_ECLEVEL_H;
  }
  detail::check_ec(ec);
  return QR_ECLEVEL_H;
}

bool in_finder(int x, int y, int size) {
  const bool left = x < 7;
  const bool right = x >= size - 7;
  const bool top = y < 7;
  const bool bottom = y >= size - 7;
  return (left && top) || (right && top) || (left && bottom);
}

ModuleRole function_role(std::uint8_t flags, int x, int y, int size) {
  if ((flags & kFinderOrSeparator) != 0) {
    return in_finder(x, y, size) ? ModuleRole::finder : ModuleRole::separator;
  }
  if ((flags & kAlignment) != 0) return ModuleRole::alignment;
  if ((flags & kTiming) != 0) return ModuleRole::timing;
  if ((flags & kVersion) != 0) return ModuleRole::version;
  if ((flags & kFormat) != 0) return ModuleRole::format;
  // The always-dark module beside the bottom-left finder carries only the function bit
  // (0x81); ISO 18004 counts it with the format information.
  if (x == 8 && y == size - 8) return ModuleRole::format;
  const std::string where = "(" + std::to_string(x) + ", " + std::to_string(y) + ")";
  throw Error(ErrorCategory::internal,
              "libqrencode marked module " + where + " as a function module of no known kind");
}

// libqrencode does not report the mask it chose, so read it back from the format bits.
int read_mask(const Symbol& symbol) {
  const detail::FormatPositions pos = detail::format_positions(symbol.size);
  std::uint32_t bits = 0;
  for (std::size_t i = 0; i < 15; ++i) {
    if (symbol.is_dark(pos.first[i][0], pos.first[i][1])) bits |= 1u << i;
  }
  const int mask = static_cast<int>(((bits ^ 0x5412u) >> 10) & 7u);
  if (bits != detail::format_bits(symbol.ec, mask)) {
    throw Error(ErrorCategory::internal,
                "libqrencode wrote format information that does not match EC level " +
                    std::string(1, to_char(symbol.ec)));
  }
  return mask;
}

Symbol from_qrcode(const QRcode& code, EcLevel ec, std::size_t payload_bytes) {
  Symbol s;
  s.version = code.version;
  s.ec = ec;
  s.size = code.width;
  s.payload_bytes = payload_bytes;
  const auto cells = static_cast<std::size_t>(s.size) * static_cast<std::size_t>(s.size);
  s.dark.resize(cells);
  s.roles.resize(cells);
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      const auto i = static_cast<std::size_t>(y * s.size + x);
      const std::uint8_t flags = code.data[i];
      s.dark[i] = (flags & kDark) != 0 ? 1 : 0;
      if ((flags & kFunction) != 0) {
        s.roles[i] = function_role(flags, x, y, s.size);
      } else {
        s.roles[i] = (flags & kEcArea) != 0 ? ModuleRole::ec : ModuleRole::data;
      }
    }
  }
  // libqrencode flags the remainder bits as EC area (it fills them with 0x02); they carry
  // no codeword, and ISO 18004 places them after the last EC codeword, so they are data.
  const std::vector<int> order = detail::placement_order(s);
  for (std::size_t k = order.size() - order.size() % 8; k < order.size(); ++k) {
    s.roles[static_cast<std::size_t>(order[k])] = ModuleRole::data;
  }
  s.mask = read_mask(s);
  return s;
}

[[noreturn]] void throw_too_large(std::size_t payload_bytes, const EncodeOptions& options) {
  std::string fix = "shorten the payload";
  const bool can_lower_ec = *options.ec != EcLevel::L;
  const bool can_raise_version = options.max_version < 40;
  if (can_lower_ec && can_raise_version) {
    fix += ", lower EncodeOptions.ec or raise EncodeOptions.max_version";
  } else if (can_lower_ec) {
    fix += " or lower EncodeOptions.ec";
  } else if (can_raise_version) {
    fix += " or raise EncodeOptions.max_version";
  }
  throw Error(ErrorCategory::encode,
              "payload is " + std::to_string(payload_bytes) + " bytes but EC level " +
                  std::string(1, to_char(*options.ec)) + " holds at most " +
                  std::to_string(byte_capacity(*options.ec, options.max_version)) +
                  " bytes (byte mode) up to version " + std::to_string(options.max_version) + ": " +
                  fix);
}

// The version libqrencode gives `bytes` bytes in byte mode (QRcode_encodeData): the
// smallest from min_version whose data codewords hold the 4-bit mode, the character count
// and the bytes; 41 when none does.
int byte_mode_version(std::size_t bytes, const EncodeOptions& options) {
  for (int version = std::max(options.min_version, 1); version <= 40; ++version) {
    const int count_bits = version <= 9 ? 8 : 16;
    const auto bits = 4 + count_bits + 8 * bytes;
    if (bits <= static_cast<std::size_t>(8 * block_layout(version, *options.ec).data_codewords())) {
      return version;
    }
  }
  return 41;
}

template <typename EncodeFn>
Symbol run(EncodeFn encode_fn, std::size_t payload_bytes, const EncodeOptions& options) {
  detail::check_options(options);
  if (payload_bytes == 0) {
    throw Error(ErrorCategory::usage, "encode(text) is empty: give the text to encode");
  }
  // Nothing longer than version 40-L's 7089 digits fits in any mode; stopping here also
  // keeps the length within libqrencode's int.
  if (payload_bytes > 7089) throw_too_large(payload_bytes, options);
  errno = 0;
  const QrcodePtr code(encode_fn(options.min_version, to_qr_level(*options.ec), options.mask));
  if (!code) {
    const int err = errno;
    if (err == ERANGE) throw_too_large(payload_bytes, options);
    throw Error(ErrorCategory::internal, std::string("libqrencode failed: ") +
                                             (err != 0 ? std::strerror(err) : "unknown error"));
  }
  if (code->version > options.max_version) throw_too_large(payload_bytes, options);
  Symbol symbol = from_qrcode(*code, *options.ec, payload_bytes);
  // Without the mask entry point, re-mask libqrencode's lowest-penalty choice.
  if (options.mask >= 0 && options.mask != symbol.mask) return with_mask(symbol, options.mask);
  return symbol;
}

}  // namespace

Symbol encode(std::string_view text, const EncodeOptions& given) {
  const EncodeOptions options = detail::with_ec(given, EcLevel::M);
  // QRcode_encodeString needs a C string, so text with an embedded NUL goes in byte mode.
  if (text.find('\0') != std::string_view::npos) {
    return encode_bytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()),
                        options);
  }
  const std::string owned(text);
  const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  std::optional<Symbol> split;
  try {
    split = run([&](int version, QRecLevel level,
                    int mask) { return encode_string(owned.c_str(), version, level, mask); },
                text.size(), options);
  } catch (const Error& e) {
    if (e.category() != ErrorCategory::encode) throw;
  }
  // libqrencode's segmentation can cost more bits than plain byte mode (a short digit run
  // inside text adds a segment header), so a payload within the byte-mode capacity must
  // still fit: fall back to byte mode, and keep whichever symbol is smaller.
  if (split && split->version == options.min_version) return *split;
  // Byte mode cannot win unless it is smaller; knowing its version spares a second encode
  // (half of a serialised run's encoding time).
  if (split && byte_mode_version(text.size(), options) >= split->version) return *split;
  try {
    Symbol plain = encode_bytes(bytes, options);
    if (!split || plain.version < split->version) return plain;
  } catch (const Error& e) {
    if (!split || e.category() != ErrorCategory::encode) throw;
  }
  return *split;
}

Symbol encode_bytes(std::span<const std::uint8_t> data, const EncodeOptions& given) {
  const EncodeOptions options = detail::with_ec(given, EcLevel::M);
  return run([&](int version, QRecLevel level,
                 int mask) { return encode_data(data, version, level, mask); },
             data.size(), options);
}

}  // namespace viscode
