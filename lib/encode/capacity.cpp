#include <algorithm>
#include <string>

#include "encode/checks.hpp"
#include "viscode/encode.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"

namespace viscode {

int byte_capacity(EcLevel ec, int max_version) {
  detail::check_ec(ec);
  detail::check_version(max_version, "byte_capacity(max_version)");
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
  detail::check_ec(ec);
  return enum_name(ec)[0];
}

EcLevel parse_ec_level(std::string_view text) {
  // Either case: "h" is as clear as "H".
  if (text.size() == 1) {
    const char upper =
        text[0] >= 'a' && text[0] <= 'z' ? static_cast<char>(text[0] - 'a' + 'A') : text[0];
    if (const auto ec = parse_enum<EcLevel>(std::string_view(&upper, 1))) return *ec;
  }
  const std::string use = "use " + enum_name_list<EcLevel>();
  if (text.empty()) throw Error(ErrorCategory::usage, "EncodeOptions.ec is empty: " + use);
  throw Error(ErrorCategory::usage,
              "EncodeOptions.ec " + std::string(text) + " is not a level: " + use);
}

std::string_view to_string(ModuleRole role) {
  return enum_name(role);
}

}  // namespace viscode
