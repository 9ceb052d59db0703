// Internal: option validation shared by the public entry points, so that every stage
// reports a bad value with the same CLI flag name and the same fix.
#pragma once

#include <cstdint>
#include <span>

#include "viscode/encode.hpp"

namespace viscode::detail {

// Each throws Error(usage) naming the flag (--ec, --min-version, --max-version, --mask).
void check_ec(EcLevel ec);
void check_version(int version, const char* flag);
void check_mask(int mask);
void check_options(const EncodeOptions& options);
// The options with EncodeOptions.ec set: `unset` when the caller left it unset (M for a
// plain code, H with a picture under the modules).
EncodeOptions with_ec(EncodeOptions options, EcLevel unset);

// For the functions that take a symbol from encode() and a per-module picture (choose_pad,
// free_pad_bits, picture_errors): each throws Error(usage) starting with `what`.
void check_symbol(const Symbol& symbol, const char* what);
void check_module_spans(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                        std::span<const float> weight, const char* what);

}  // namespace viscode::detail
