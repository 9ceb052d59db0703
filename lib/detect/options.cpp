#include "detect/options.hpp"

#include <fmt/core.h>

#include "viscode/error.hpp"

namespace viscode::detail {

void check_max_megapixels(const ReadOptions& options) {
  const double mp = options.max_megapixels;
  if (mp > 0 && mp <= kMaxMegapixelsLimit) return;
  throw Error(ErrorCategory::usage,
              fmt::format("ReadOptions.max_megapixels {} is out of range: use a number "
                          "above 0 and at most {:g}",
                          mp, kMaxMegapixelsLimit));
}

}  // namespace viscode::detail
