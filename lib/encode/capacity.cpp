#include <algorithm>
#include <string>

#include "encode/checks.hpp"
#include "viscode/encode.hpp"
#include "viscode/error.hpp"

namespace viscode {

int byte_capacity(EcLevel ec, int max_version) {
  detail::check_ec(ec);
  detail::check_version(max_version, "--max-version");
  int best = 0;
  for (int version = 1; version <= max_version; ++version) {
    // Byte mode spends a 4-bit mode indicator and an 8- or 16-bit character count.
    const int count_bits = version <= 9 ? 8 : 16;
    const int bits = 8 * block_layout(version, ec).data_codewords() - 4 - count_bits;
    best = std::max(best, bits / 8);
  }
  return best;
}

char to_char(EcLevel ec) {
  switch (ec) {
    case EcLevel::L:
      return 'L';
    case EcLevel::M:
      return 'M';
    case EcLevel::Q:
      return 'Q';
    case EcLevel::H:
      return 'H';
  }
  detail::check_ec(ec);
  return '?';
}

EcLevel parse_ec_level(std::string_view text) {
  if (text.size() == 1) {
    switch (text[0]) {
      case 'L':
      case 'l':
        return EcLevel::L;
      case 'M':
      case 'm':
        return EcLevel::M;
      case 'Q':
      case 'q':
        return EcLevel::Q;
      case 'H':
      case 'h':
        return EcLevel::H;
      default:
        break;
    }
  }
  if (text.empty()) throw Error(ErrorCategory::usage, "--ec is empty: use L, M, Q or H");
  throw Error(ErrorCategory::usage,
              "--ec " + std::string(text) + " is not a level: use L, M, Q or H");
}

std::string_view to_string(ModuleRole role) {
  switch (role) {
    case ModuleRole::finder:
      return "finder";
    case ModuleRole::separator:
      return "separator";
    case ModuleRole::timing:
      return "timing";
    case ModuleRole::alignment:
      return "alignment";
    case ModuleRole::format:
      return "format";
    case ModuleRole::version:
      return "version";
    case ModuleRole::data:
      return "data";
    case ModuleRole::ec:
      return "ec";
  }
  return "unknown";
}

}  // namespace viscode
