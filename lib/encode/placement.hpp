// Internal: the ISO 18004 codeword placement walk, shared by module_blocks and by the
// libqrencode adapter (which needs it to find remainder bits).
#pragma once

#include <vector>

#include "viscode/encode.hpp"

namespace viscode::detail {

// Indices (y * size + x) of every data/EC module in the order codeword bits are placed:
// two-module-wide columns from the bottom-right, alternately upward and downward, the
// right module of each pair first, skipping the vertical timing column. Includes the
// remainder bits, which come last.
std::vector<int> placement_order(const Symbol& symbol);

// placement_order of a symbol from encode(), computed once per version and shared: its
// function modules are the version's, so the walk is too. Every design evaluates eight
// masks, each walking it several times.
const std::vector<int>& cached_placement_order(const Symbol& symbol);

// Number of modules available for codewords and remainder bits in a version (1..40).
int raw_data_modules(int version);

}  // namespace viscode::detail
