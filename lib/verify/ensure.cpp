// --ensure: the least robust design (the most of the logo) that still meets a severity.
#include <cmath>
#include <cstdio>

#include "viscode/error.hpp"
#include "viscode/verify.hpp"

namespace viscode {
namespace {

std::string shortfall(const VerifyReport& report, const VerifyOptions& options) {
  std::string out;
  for (const SeverityReport& s : report.severities) {
    for (const ReaderRate& r : s.readers) {
      if (r.rate() >= options.min_rate) continue;
      char line[160];
      std::snprintf(line, sizeof line, "%s%s reads %.0f%% at %s", out.empty() ? "" : ", ",
                    std::string(to_string(r.reader)).c_str(), 100 * r.rate(),
                    std::string(to_string(s.severity)).c_str());
      out += line;
    }
  }
  return out;
}

std::string strength_text(double s) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", s);
  return buf;
}

}  // namespace

EnsuredDesign ensure_design(std::string_view payload, const Logo* logo,
                            const EncodeOptions& encode_options,
                            const RenderOptions& render_options, Severity severity,
                            const VerifyOptions& verify_options, int module_px) {
  VerifyOptions vo = verify_options;
  vo.severities = {severity};
  vo.find_min_size = false;
  // The symbol holds exactly these bytes, whatever text a reader would make of them.
  vo.expected_as = ReadAs::bytes;
  EnsuredDesign out;
  out.render = render_options;
  const std::string expected(payload);
  // Strength steps of 0.1, on the grid 0.1, 0.2, ... above the starting point.
  for (double strength = render_options.strength;;) {
    out.render.strength = strength;
    out.symbol = design_symbol(payload, logo, encode_options, out.render);
    const cv::Mat image = render(out.symbol, logo, out.render, module_px);
    out.report = verify(image, expected, vo);
    const std::string missing = shortfall(out.report, vo);
    if (missing.empty()) return out;
    if (strength >= 1 && out.render.picture_errors > 0 && logo != nullptr &&
        render_options.style != Style::plain) {
      // The last step: all of the error correction back to the capture.
      out.changes.push_back("picture error correction " + strength_text(out.render.picture_errors) +
                            " -> 0 (" + missing + ")");
      out.render.picture_errors = 0;
      continue;
    }
    if (strength >= 1 || render_options.style == Style::plain || logo == nullptr) {
      throw Error(ErrorCategory::encode,
                  "no design within limits reads at " + std::string(to_string(severity)) + " (" +
                      missing + " at strength " + strength_text(strength) + "; at least " +
                      std::to_string(static_cast<int>(100 * vo.min_rate)) +
                      "% needed): use EncodeOptions.ec H, a larger print, or a milder "
                      "ensure_design(severity) severity");
    }
    const double next = std::min(1.0, std::floor(strength * 10 + 1e-9) / 10 + 0.1);
    out.changes.push_back("strength " + strength_text(strength) + " -> " + strength_text(next) +
                          " (" + missing + ")");
    strength = next;
  }
}

}  // namespace viscode
