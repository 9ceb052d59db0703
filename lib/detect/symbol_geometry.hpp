// A version's symbol geometry, as the grid fit scores a fit on it: where the patterns every
// symbol of the version shares sit (module coordinates, (0, 0) the top-left module) and
// whether each of their modules is dark.
#pragma once

#include <vector>

namespace viscode::detail {

// Modules whose colour every symbol of the version shares, apart from the finder patterns
// the fit starts from: separators, timing patterns, alignment patterns, the dark module.
// A fit that reads them right has the version and the geometry right.
struct Known {
  int x = 0, y = 0;
  bool dark = false;
};

// Along the top and left edges (separators, timing patterns, the dark module): what the
// finders alone place well, since they bracket it.
std::vector<Known> edge_modules(int version);

// QR Model 1's extension patterns on the right and bottom edges (versions 2-14).
std::vector<Known> extension_modules(int version);

// A Model 1 symbol's known modules: the edge modules and the extension patterns.
std::vector<Known> model1_known_modules(int version);

// A Model 2 symbol's known modules: the edge modules and the alignment patterns.
std::vector<Known> known_modules(int version);

}  // namespace viscode::detail
