// "ours, zxing, wechat, zbar": the readers a check uses, as encode and verify print them.
#pragma once

#include <string>
#include <vector>

#include "viscode/verify.hpp"

namespace viscode::cli {

inline std::string readers_text(const std::vector<viscode::Reader>& readers) {
  std::string out;
  for (const viscode::Reader r : readers) {
    if (!out.empty()) out += ", ";
    out += viscode::to_string(r);
  }
  return out;
}

}  // namespace viscode::cli
