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
  throw Error(ErrorCategory::usage, "--ec value " + std::to_string(static_cast<int>(ec)) +
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
                "--mask " + std::to_string(mask) + " is out of range: use 0..7");
  }
}

void check_options(const EncodeOptions& options) {
  check_ec(options.ec);
  check_version(options.min_version, "--min-version");
  check_version(options.max_version, "--max-version");
  if (options.min_version > options.max_version) {
    throw Error(ErrorCategory::usage, "--min-version " + std::to_string(options.min_version) +
                                          " is above --max-version " +
                                          std::to_string(options.max_version) +
                                          ": lower --min-version or raise --max-version");
  }
  // -1 is the documented "choose for me"; anything else must be a real mask.
  if (options.mask != -1) {
    if (options.mask < 0 || options.mask > 7) {
      throw Error(ErrorCategory::usage, "--mask " + std::to_string(options.mask) +
                                            " is out of range: use 0..7, or -1 to pick the "
                                            "lowest-penalty mask");
    }
  }
}

}  // namespace viscode::detail
