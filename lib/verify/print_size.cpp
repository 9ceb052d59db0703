#include <algorithm>

#include "viscode/verify.hpp"

namespace viscode {

std::optional<double> smallest_print_module_mm(const Symbol& symbol, const Logo* logo,
                                               const RenderOptions& render,
                                               const std::string& payload, VerifyOptions options) {
  // With the severity's own row measured, the search is held to it: a reader that reads the
  // row's captures gets no minimum above the row's size.
  options.severities = {options.min_size_severity};
  options.find_min_size = true;
  // The symbol holds exactly these bytes, whatever text a reader would make of them.
  options.expected_as = ReadAs::bytes;
  const VerifyReport report = verify(viscode::render(symbol, logo, render, 10), payload, options);
  double worst = 0;
  for (const MinSize& m : report.min_size) {
    if (!m.module_mm) return std::nullopt;
    worst = std::max(worst, *m.module_mm);
  }
  return worst;
}

}  // namespace viscode
