// The phone photo of a printed sheet that the sheet tests and bench_sheet take: 5 camera px
// a module, turned 8 degrees, tilted, unevenly lit, slightly defocused, noisy and JPEG'd.
#pragma once

#include "viscode/capture.hpp"

namespace viscode::test {

// page_module_px: a module's size in the page image given to simulate_capture;
// module_mm: its printed size.
inline CaptureOptions sheet_photo(double page_module_px, double module_mm) {
  CaptureOptions o;
  o.input_module_px = page_module_px;
  o.print_module_mm = module_mm;
  o.px_per_module = 5;
  o.rotation_deg = 8;
  o.tilt = 0.1;
  o.tilt_angle_deg = 30;
  o.gradient = 0.3;
  o.defocus_sigma_px = 0.7;
  o.noise_sigma = 3;
  o.jpeg_quality = 85;
  return o;
}

}  // namespace viscode::test
