// Internal: option validation shared by the public entry points, so that every stage
// reports a bad value with the same CLI flag name and the same fix.
#pragma once

#include "viscode/encode.hpp"

namespace viscode::detail {

// Each throws Error(usage) naming the flag (--ec, --min-version, --max-version, --mask).
void check_ec(EcLevel ec);
void check_version(int version, const char* flag);
void check_mask(int mask);
void check_options(const EncodeOptions& options);

}  // namespace viscode::detail
