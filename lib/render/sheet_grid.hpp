// Where the codes of an imposed sheet go: the page, the grid of codes centred on it, and
// the checks that the lengths make a sheet at all. sheet_pdf.hpp writes the document.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>

#include "viscode/render.hpp"

namespace viscode::detail {

// What the batch runner asks for; all lengths in millimetres.
struct SheetLayout {
  double page_w_mm = 210, page_h_mm = 297;  // A4; A3 is 297 x 420, Letter 215.9 x 279.4
  double code_mm = 25;      // printed width of one code, quiet zone included (square)
  double gap_mm = 3;        // between neighbouring codes (and their labels)
  double margin_mm = 10;    // page edge to the grid's bounding box (crop marks live in it)
  bool crop_marks = false;  // short hairlines off every code's corners, outside the code
  bool labels = false;      // the serial in small type under each code
  // Print colour (PrintOptions::ink and icc): flat colours, the logo image and the labels
  // in DeviceRGB (rgb) or DeviceCMYK (k: black modules 100% K, the image RGB; cmyk: all).
  Ink ink = Ink::rgb;
  std::filesystem::path icc{};
  // Every code's background and picture extended this far around it (0..kMaxBleedMm); on
  // a sheet the gap must hold two bleeds and the margin one, and crop marks start outside.
  double bleed_mm = 0;
  // One code per page with the margin as its bleed: TrimBox at the code, BleedBox at the
  // page (render_file's PDF for ink k/cmyk or bleed).
  bool trim_box = false;
};

// Room reserved under each code for its label when labels are on: a 6 pt line and its
// padding, so that a label never reaches the next row.
inline constexpr double kSheetLabelMm = 2.5;

// Where the codes sit on every page of a sheet.
struct SheetGrid {
  int cols = 0, rows = 0;
  double left_mm = 0, top_mm = 0;  // the first code's top-left corner, from the page's top-left
  double pitch_x_mm = 0, pitch_y_mm = 0;  // from one code's corner to the next one's
  double code_mm = 0;
  double label_mm = 0;  // band under each code for its label; 0 without labels
  double page_w_mm = 0, page_h_mm = 0;

  int per_page() const { return cols * rows; }
  // The square of the code at `index` (row by row, top-left first), in mm from the page's
  // top-left corner.
  cv::Rect2d code_box_mm(int index) const;
};

// The grid centred on the page. Throws Error(usage) naming --sheet, --size, --gap or
// --margin and the fix when a length is out of range or not even one code fits.
SheetGrid sheet_grid(const SheetLayout& layout);

// A length for a message: at most two decimals, trailing zeros dropped ("25", "2.5").
std::string mm_text(double v);

}  // namespace viscode::detail
