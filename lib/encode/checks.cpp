#include "encode/checks.hpp"

#include <string>

#include "viscode/error.hpp"

namespace viscode::detail {

void check_ec(EcLevel ec) {
  switch (ec) {
    case EcLevel::L:
    case EcLevel::M:
    case EcLevel::Q:
    case EcLevel::H:
      return;
  }
  // Only reachable through a cast from a bad integer, so there is no text to echo back.
  throw Error(ErrorCategory::usage, "EncodeOptions.ec value " +
                                        std::to_string(static_cast<int>(ec)) +
                                        " is not a level: use L, M, Q or H");
}

void check_version(int version, const char* flag) {
  if (version < 1 || version > 40) {
    throw Error(ErrorCategory::usage,
                std::string(flag) + " " + std::to_string(version) + " is out of range: use 1..40");
  }
}

void check_mask(int mask) {
  if (mask < 0 || mask > 7) {
    throw Error(ErrorCategory::usage,
                "mask " + std::to_string(mask) + " is out of range: use 0..7");
  }
}

EncodeOptions with_ec(EncodeOptions options, EcLevel unset) {
  if (!options.ec) options.ec = unset;
  return options;
}

void check_options(const EncodeOptions& options) {
  if (options.ec) check_ec(*options.ec);
  check_version(options.min_version, "EncodeOptions.min_version");
  check_version(options.max_version, "EncodeOptions.max_version");
  if (options.min_version > options.max_version) {
    throw Error(ErrorCategory::usage,
                "EncodeOptions.min_version " + std::to_string(options.min_version) +
                    " is above EncodeOptions.max_version " + std::to_string(options.max_version) +
                    ": lower EncodeOptions.min_version or raise "
                    "EncodeOptions.max_version");
  }
  // -1 is the documented "choose for me"; anything else must be a real mask.
  if (options.mask != -1) {
    if (options.mask < 0 || options.mask > 7) {
      throw Error(ErrorCategory::usage, "EncodeOptions.mask " + std::to_string(options.mask) +
                                            " is out of range: use 0..7, or -1 to pick the "
                                            "lowest-penalty mask");
    }
  }
}

void check_symbol(const Symbol& symbol, const char* what) {
  const auto cells = static_cast<std::size_t>(symbol.size) * static_cast<std::size_t>(symbol.size);
  if (symbol.version < 1 || symbol.version > 40 || symbol.size != 17 + 4 * symbol.version ||
      symbol.dark.size() != cells || symbol.roles.size() != cells || symbol.mask < 0 ||
      symbol.mask > 7) {
    throw Error(ErrorCategory::usage, std::string(what) +
                                          " needs a symbol from encode(): version, size, mask, "
                                          "dark and roles disagree");
  }
}

void check_module_spans(const Symbol& symbol, std::span<const std::uint8_t> wanted_dark,
                        std::span<const float> weight, const char* what) {
  const auto cells = symbol.dark.size();
  if (wanted_dark.size() != cells || weight.size() != cells) {
    throw Error(ErrorCategory::usage,
                std::string(what) + " needs wanted_dark and weight with one entry per module (" +
                    std::to_string(cells) + " for version " + std::to_string(symbol.version) +
                    "), got " + std::to_string(wanted_dark.size()) + " and " +
                    std::to_string(weight.size()));
  }
}

}  // namespace viscode::detail
