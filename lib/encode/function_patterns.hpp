// Where a version's function patterns lie: the detector samples around them, the renderer
// keeps a contained logo clear of them.
#pragma once

#include <cstdint>
#include <vector>

namespace viscode::detail {

// Centres (row = column indices) of the alignment patterns of a version (ISO 18004
// annex E); empty for version 1.
std::vector<int> alignment_positions(int version);

// Whether the alignment pattern centred at (x, y), both from alignment_positions(), is
// drawn: not the three whose place a finder pattern takes.
bool alignment_drawn(int version, int x, int y);

// 1 for the modules every symbol of the version draws the same and at full contrast
// (finder, separator, timing and alignment patterns, format and version information),
// 0 for data and error-correction modules. Row-major, (17 + 4 * version)^2 entries.
std::vector<std::uint8_t> function_mask(int version);

}  // namespace viscode::detail
