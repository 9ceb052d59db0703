// Print colour: RGB to CMYK, naively or through an ICC output profile (lcms2), for the PDFs
// viscode writes itself (--ink cmyk).
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "viscode/render.hpp"

namespace viscode::detail {

struct Cmyk {
  double c = 0, m = 0, y = 0, k = 0;  // ink coverage, 0..1
};

class CmykConversion {
 public:
  // The conversion for a profile file, or the naive one for an empty path. Profiles are
  // cached by path, size and modification time, so a batch reads its profile once.
  // Throws Error(input) when the file cannot be read or is not an ICC profile, and
  // Error(usage) when it is not a CMYK profile.
  static std::shared_ptr<const CmykConversion> load(const std::filesystem::path& icc);

  // #000000 is always 100% K alone and #ffffff no ink, whatever the profile says: module
  // black must never be a rich black, and paper must stay paper.
  Cmyk operator()(Rgb c) const;
  // 8-bit RGB (CV_8UC3, red first) to 8-bit CMYK (CV_8UC4, 255 = full ink).
  cv::Mat image(const cv::Mat& rgb) const;
  // "naive", or the profile's SHA-256: what the batch settings record.
  const std::string& id() const { return id_; }

  struct Transform;

 private:
  std::shared_ptr<const Transform> transform_;  // null: naive
  std::string id_;
};

// Throws Error(usage) when ink k meets a dark colour other than #000000 (k prints dark
// modules in black ink alone), or a profile is given without ink cmyk.
void validate_ink(Ink ink, const std::filesystem::path& icc, const RenderOptions& options);

// The naive conversion (no profile): K takes all the grey (K = 1 - max(R, G, B)), C, M and
// Y what is left of each channel.
Cmyk naive_cmyk(double r, double g, double b);

}  // namespace viscode::detail
