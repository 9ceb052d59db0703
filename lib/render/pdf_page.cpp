// The content stream of one sheet: every code drawn as lib/render/draw.cpp draws it, in
// PDF operators, in the order draw() paints so that what overlaps overlaps the same way.
#include <algorithm>
#include <array>
#include <cmath>

#include "render/pdf_bytes.hpp"
#include "render/sheet_pdf.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

using pdf::Text;

constexpr double kPtPerMm = 72.0 / 25.4;
static_assert(pdf::kVeilSteps == kVeilSteps, "the sheets' veils are draw.cpp's");
// The only level that keeps page() within 0.2 ms per code (measurements in pdf_bytes.cpp);
// higher levels make pages up to 1.7x smaller at two to five times the cost.
constexpr int kContentLevel = 1;
constexpr double kLabelPt = 6;
constexpr double kCourierAdvance = 0.6;  // every Courier glyph is 600/1000 em wide
constexpr double kLabelTopMm = 0.5;      // from the code's bottom edge to the label's caps
constexpr double kCapHeight = 0.6;       // Courier's cap height and a little, in em
constexpr double kMarkMm = 3, kMarkOffsetMm = 1;

// Scratch a page reuses for every code, so that a code costs no allocation.
struct Scratch {
  struct Run {
    int level, x, y, len;
  };
  std::vector<Run> runs, sorted;
  std::array<int, 2 * pdf::kVeilSteps + 2> start{};
};

void rgb(Text& t, Rgb c, std::string_view op) {
  t.num(c.r / 255.0);
  t.num(c.g / 255.0);
  t.num(c.b / 255.0);
  t.put(op);
}

constexpr Rgb kBlack{0, 0, 0}, kWhite{255, 255, 255};

// How the page writes colours (SheetLayout::ink).
struct Inks {
  Ink ink = Ink::rgb;
  const CmykConversion* cmyk = nullptr;  // ink cmyk

  // A flat colour for filling (rg / k) or stroking (RG / K). k: black is 100% K alone and
  // white no ink, other colours stay RGB; cmyk: every colour converted.
  void colour(Text& t, Rgb c, bool stroke) const {
    if (ink == Ink::rgb || (ink == Ink::k && c != kBlack && c != kWhite)) {
      rgb(t, c, stroke ? "RG\n" : "rg\n");
      return;
    }
    const Cmyk v = ink == Ink::cmyk ? (*cmyk)(c) : c == kBlack ? Cmyk{0, 0, 0, 1} : Cmyk{};
    t.num(v.c);
    t.num(v.m);
    t.num(v.y);
    t.num(v.k);
    t.put(stroke ? "K\n" : "k\n");
  }
};

void rect(Text& t, double x, double y, double w, double h) {
  t.num(x, 4);
  t.num(y, 4);
  t.num(w, 4);
  t.num(h, 4);
  t.put("re\n");
}

bool row_major(const cv::Point& a, const cv::Point& b) {
  return a.y != b.y ? a.y < b.y : a.x < b.x;
}

// make_plan lists modules row by row, but for the quiet zone's centres under
// LogoArea::full, which come last: those lists are sorted (a copy) before runs are found.
bool in_rows(const std::vector<cv::Point>& at) {
  return std::is_sorted(at.begin(), at.end(), row_major);
}

std::vector<cv::Point> rows_sorted(std::vector<cv::Point> at) {
  std::sort(at.begin(), at.end(), row_major);
  return at;
}

// Calls run(x, y, length) for each horizontal run of neighbouring points of a row-sorted
// list.
template <typename Run>
void for_each_run(const std::vector<cv::Point>& at, Run run) {
  std::size_t i = 0;
  while (i < at.size()) {
    std::size_t j = i + 1;
    while (j < at.size() && at[j].y == at[i].y && at[j].x == at[j - 1].x + 1) ++j;
    run(at[i].x, at[i].y, static_cast<int>(j - i));
    i = j;
  }
}

// Whole modules of one colour, horizontal runs merged into one rectangle each: fewer
// operators, and no anti-aliasing seam inside a run.
void module_runs(Text& t, const std::vector<cv::Point>& at, Rgb colour, const Inks& inks) {
  if (at.empty()) return;
  if (!in_rows(at)) return module_runs(t, rows_sorted(at), colour, inks);
  inks.colour(t, colour, false);
  for_each_run(at, [&t](int x, int y, int len) {
    t.integer(x);
    t.integer(y);
    t.integer(len);
    t.put("1 re\n");
  });
  t.put("f\n");
}

// Centres of one colour as dashed strokes, one subpath per horizontal run of neighbouring
// centres of that colour: the dash pattern the caller set puts one c x c square (butt caps)
// or one disc (zero-length dashes, round caps) on every module of the run, exactly where
// draw.cpp fills them. Measured on 54 dots codes of brand.png, per code, operators and
// zlib level 1: dashed runs 8.8 kB and 2.8 kB; a zero-length round-capped stroke per dot
// 16.8 and 4.6 kB; a Form XObject per dot 28.9 and 3.0 kB; four Bezier arcs per dot 164
// and 46 kB. Squares as one rectangle each were 17 bytes a centre, 26.9 kB a code in all.
void centre_runs(Text& t, const std::vector<cv::Point>& at, Rgb colour, const Inks& inks) {
  if (at.empty()) return;
  if (!in_rows(at)) return centre_runs(t, rows_sorted(at), colour, inks);
  inks.colour(t, colour, true);
  for_each_run(at, [&t](int x, int y, int len) {
    t.integer(x);
    t.integer(y);
    t.put("m ");
    t.integer(x + len);
    t.integer(y);
    t.put("l\n");
  });
  t.put("S\n");
}

// The image drawn into its rectangle (frame units, y down), clipped to the visible area.
// bleed (frame units): an area side on the frame's edge is extended by it, and where the
// image does not reach that far, its mirror image across its edge fills the bleed (the
// usual way to extend a picture that was not made with bleed).
void image(Text& t, const Placement& p, int frame, double bleed) {
  constexpr double kEps = 1e-9;
  double x0 = p.area.x, y0 = p.area.y, x1 = p.area.x + p.area.width, y1 = p.area.y + p.area.height;
  if (bleed > 0) {
    if (x0 <= kEps) x0 -= bleed;
    if (y0 <= kEps) y0 -= bleed;
    if (x1 >= frame - kEps) x1 += bleed;
    if (y1 >= frame - kEps) y1 += bleed;
  }
  t.put("q ");
  t.num(x0, 4);
  t.num(y0, 4);
  t.num(x1 - x0, 4);
  t.num(y1 - y0, 4);
  t.put("re W n\n");
  const double X = p.image.x, Y = p.image.y, W = p.image.width, H = p.image.height;
  // Mirrored copies first (only those the clip shows), the image itself last, on top.
  const bool left = x0<X - kEps, right = x1> X + W + kEps;
  const bool top = y0<Y - kEps, bottom = y1> Y + H + kEps;
  for (int iy = -1; iy <= 1; ++iy) {
    for (int ix = -1; ix <= 1; ++ix) {
      if ((ix == -1 && !left) || (ix == 1 && !right) || (iy == -1 && !top) ||
          (iy == 1 && !bottom)) {
        continue;
      }
      const bool original = ix == 0 && iy == 0;
      if (original) continue;
      // The image's first row is at the top of its unit square; frame y grows downwards.
      const double a = ix == 0 ? W : -W, e = ix == 0 ? X : ix < 0 ? X : X + 2 * W;
      const double d = iy == 0 ? -H : H, f = iy == 0 ? Y + H : iy < 0 ? Y - H : Y + H;
      t.put("q ");
      t.num(a, 4);
      t.put("0 0 ");
      t.num(d, 4);
      t.num(e, 4);
      t.num(f, 4);
      t.put("cm ");
      t.put(pdf::kImage);
      t.put(" Do Q\n");
    }
  }
  // The image's first row is at the top of its unit square; frame y grows downwards.
  t.num(W, 4);
  t.put("0 0 ");
  t.num(-H, 4);
  t.num(X, 4);
  t.num(Y + H, 4);
  t.put("cm ");
  t.put(pdf::kImage);
  t.put(" Do Q\n");
}

// The per-module tone shifts as translucent white or black veils over whole modules, the
// opacity computed exactly as veil_modules() in lib/render/draw.cpp does and rounded to
// one of the document's shared opacities; modules are grouped by opacity (one fill each)
// and horizontal runs of one opacity merged.
// bleed (frame units): runs on the frame's edge reach that far past it, so that the tone
// of the picture's edge carries on into the bleed.
void veils(Text& t, const Plan& plan, Scratch& s, const Inks& inks, double bleed) {
  s.runs.clear();
  for (int y = 0; y < plan.frame; ++y) {
    const float* shift = plan.shifts.ptr<float>(y);
    const float* mean = plan.module_mean.ptr<float>(y);
    int open = -1;  // index of the run the previous module extends, if any
    for (int x = 0; x < plan.frame; ++x) {
      const int level = veil_level(shift[x], mean[x]);
      if (level == 0) {
        open = -1;
      } else if (open >= 0 && s.runs[static_cast<std::size_t>(open)].level == level) {
        ++s.runs[static_cast<std::size_t>(open)].len;
      } else {
        open = static_cast<int>(s.runs.size());
        s.runs.push_back({level, x, y, 1});
      }
    }
  }
  if (s.runs.empty()) return;

  // Counting sort by level: white levels 1..63 first, then black 1..63, rows kept in order.
  const auto slot = [](int level) { return level > 0 ? level - 1 : pdf::kVeilSteps - level - 1; };
  s.start.fill(0);
  for (const auto& r : s.runs) ++s.start[static_cast<std::size_t>(slot(r.level) + 1)];
  for (std::size_t i = 1; i < s.start.size(); ++i) s.start[i] += s.start[i - 1];
  s.sorted.resize(s.runs.size());
  for (const auto& r : s.runs) {
    s.sorted[static_cast<std::size_t>(s.start[static_cast<std::size_t>(slot(r.level))]++)] = r;
  }

  t.put("q\n");
  int current = 0;
  for (const auto& r : s.sorted) {
    if (r.level != current) {
      if (current != 0) t.put("f\n");
      if (current >= 0 && r.level < 0) inks.colour(t, kBlack, false);
      if (current == 0 && r.level > 0) inks.colour(t, kWhite, false);
      t.put(r.level > 0 ? "/W" : "/B");
      t.put_int(std::abs(r.level));
      t.put(" gs\n");
      current = r.level;
    }
    if (bleed > 0) {
      const double x0 = r.x == 0 ? -bleed : r.x, y0 = r.y == 0 ? -bleed : r.y;
      const double x1 = r.x + r.len == plan.frame ? plan.frame + bleed : r.x + r.len;
      const double y1 = r.y + 1 == plan.frame ? plan.frame + bleed : r.y + 1;
      rect(t, x0, y0, x1 - x0, y1 - y0);
      continue;
    }
    t.integer(r.x);
    t.integer(r.y);
    t.integer(r.len);
    t.put("1 re\n");
  }
  t.put("f\nQ\n");
}

// bleed: the code's bleed as a fraction of its width (0: none).
void code(Text& t, const Plan& plan, const cv::Rect2d& box_pt, bool has_image, double bleed,
          const Inks& inks, Scratch& s) {
  if (plan.frame <= 0) throw Error(ErrorCategory::internal, "sheet: a code has an empty plan");
  if ((plan.image || plan.patch_image) && !has_image) {
    throw Error(ErrorCategory::internal,
                "sheet: a code has a logo but the sheet PDF was made without one");
  }
  // Frame units with y down, so that module coordinates are small integers.
  const double a = box_pt.width / plan.frame;
  t.put("q ");
  t.num(a, 6);
  t.put("0 0 ");
  t.num(-a, 6);
  t.num(box_pt.x);
  t.num(box_pt.y);
  t.put("cm\n");
  inks.colour(t, plan.light, false);
  const double b = bleed * plan.frame;
  if (b > 0) {
    rect(t, -b, -b, plan.frame + 2 * b, plan.frame + 2 * b);
    t.put("f\n");
  } else {
    t.put("0 0 ");
    t.integer(plan.frame);
    t.integer(plan.frame);
    t.put("re f\n");
  }

  if (plan.image) {
    image(t, plan.placement, plan.frame, b);
    if (!plan.shifts.empty()) veils(t, plan, s, inks, b);
  }

  module_runs(t, plan.full_light, plan.light, inks);
  module_runs(t, plan.full_dark, plan.dark, inks);

  if (!plan.centre_dark.empty() || !plan.centre_light.empty()) {
    // Rows through the modules' centres; a dash cycle of one module.
    const double c = plan.dial.centre;
    t.put("q 1 0 0 1 0 .5 cm ");
    t.num(c, 4);
    t.put("w ");
    if (plan.dial.round) {
      t.put("1 J [0 1] .5 d\n");
    } else {
      // The cycle's phase puts each dash's start (1 - c) / 2 into its module.
      t.put("[");
      t.num(c, 4);
      t.put_num(1 - c, 4);
      t.put("] ");
      t.num((1 + c) / 2, 4);
      t.put("d\n");
    }
    centre_runs(t, plan.centre_light, plan.light, inks);
    centre_runs(t, plan.centre_dark, plan.dark, inks);
    t.put("Q\n");
  }

  if (plan.patch_image) {
    inks.colour(t, plan.light, false);
    rect(t, plan.patch.x, plan.patch.y, plan.patch.width, plan.patch.height);
    t.put("f\n");
    image(t, plan.patch_placement, plan.frame, 0);
  }
  t.put("Q\n");
}

// Under the code, and under its bleed when it has one: a label in the bleed would be cut.
void label(Text& t, std::string_view text, const cv::Rect2d& box_pt, double bleed_mm) {
  const std::string s = pdf::literal(text);
  if (s.empty()) return;
  // Shrunk to stay 1 mm inside the code's width, clear of the crop marks at its corners.
  const double room = box_pt.width - 2 * kPtPerMm;
  const double size =
      std::min(kLabelPt, room / (kCourierAdvance * static_cast<double>(text.size())));
  if (size <= 0) return;
  const double width = kCourierAdvance * size * static_cast<double>(text.size());
  t.put(pdf::kFont);
  t.put(' ');
  t.num(size);
  t.put("Tf 1 0 0 1 ");
  t.num(box_pt.x + (box_pt.width - width) / 2);
  t.num(box_pt.y - box_pt.height - (bleed_mm + kLabelTopMm) * kPtPerMm - kCapHeight * size);
  t.put("Tm (");
  t.put(s);
  t.put(") Tj\n");
}

// One corner's two marks: along the code's edges, kMarkOffsetMm off the corner, as long as
// kMarkMm where the free space allows and 1 mm short of the neighbour (or the page edge).
// With bleed, the offset is measured from the bleed's edge, so marks never print on it.
void mark(Text& t, double x, double y, double dx, double dy, double space_mm, double bleed_mm) {
  const double offset = bleed_mm + kMarkOffsetMm;
  const double len = std::min(kMarkMm, space_mm - 2 * offset);
  if (len <= 0) return;
  t.num(x + dx * offset * kPtPerMm);
  t.num(y + dy * offset * kPtPerMm);
  t.put("m ");
  t.num(x + dx * (offset + len) * kPtPerMm);
  t.num(y + dy * (offset + len) * kPtPerMm);
  t.put("l\n");
}

}  // namespace

std::vector<std::uint8_t> SheetPdf::page(std::span<const SheetCode> codes) const {
  if (codes.size() > static_cast<std::size_t>(grid_.per_page())) {
    throw Error(ErrorCategory::internal, "sheet: " + std::to_string(codes.size()) +
                                             " codes for a page that holds " +
                                             std::to_string(grid_.per_page()));
  }
  const Inks inks{layout_.ink, cmyk_.get()};
  Text t(codes.size() * 20000 + 4096);
  Scratch scratch;
  scratch.runs.reserve(4096);
  const double page_h = grid_.page_h_mm * kPtPerMm;
  // Code squares in points, y up, at their top-left corner.
  const auto box_pt = [&](int i) {
    const cv::Rect2d b = grid_.code_box_mm(i);
    return cv::Rect2d(b.x * kPtPerMm, page_h - b.y * kPtPerMm, b.width * kPtPerMm,
                      b.height * kPtPerMm);
  };
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i].plan == nullptr) {
      throw Error(ErrorCategory::internal, "sheet: a code without a plan");
    }
    code(t, *codes[i].plan, box_pt(static_cast<int>(i)), has_image_,
         layout_.bleed_mm / grid_.code_mm, inks, scratch);
  }

  if (layout_.labels) {
    t.put("BT ");
    if (inks.ink == Ink::rgb) {
      t.put("0 g\n");
    } else {
      inks.colour(t, kBlack, false);
    }
    for (std::size_t i = 0; i < codes.size(); ++i) {
      label(t, codes[i].label, box_pt(static_cast<int>(i)), layout_.bleed_mm);
    }
    t.put("ET\n");
  }

  if (layout_.crop_marks && !codes.empty()) {
    t.put("q ");
    t.put(pdf::kRegistration);
    t.put(" CS 1 SCN .25 w 0 J\n");
    const double gap_x = grid_.pitch_x_mm - grid_.code_mm;
    const double gap_y = grid_.pitch_y_mm - grid_.code_mm;
    const double right_edge =
        grid_.page_w_mm - grid_.left_mm - (grid_.cols - 1) * grid_.pitch_x_mm - grid_.code_mm;
    const double bottom_edge =
        grid_.page_h_mm - grid_.top_mm - (grid_.rows - 1) * grid_.pitch_y_mm - grid_.code_mm;
    for (std::size_t i = 0; i < codes.size(); ++i) {
      const int col = static_cast<int>(i) % grid_.cols, row = static_cast<int>(i) / grid_.cols;
      const double left = col > 0 ? gap_x : grid_.left_mm;
      const double right = col < grid_.cols - 1 ? gap_x : right_edge;
      const double top = row > 0 ? gap_y : grid_.top_mm;
      const double bottom = row < grid_.rows - 1 ? gap_y : bottom_edge;
      const cv::Rect2d b = box_pt(static_cast<int>(i));
      const double x0 = b.x, x1 = b.x + b.width, y0 = b.y, y1 = b.y - b.height;
      const double bl = layout_.bleed_mm;
      mark(t, x0, y0, -1, 0, left, bl);
      mark(t, x0, y0, 0, 1, top, bl);
      mark(t, x1, y0, 1, 0, right, bl);
      mark(t, x1, y0, 0, 1, top, bl);
      mark(t, x0, y1, -1, 0, left, bl);
      mark(t, x0, y1, 0, -1, bottom, bl);
      mark(t, x1, y1, 1, 0, right, bl);
      mark(t, x1, y1, 0, -1, bottom, bl);
    }
    t.put("S Q\n");
  }
  return pdf::deflate_bytes(t.data(), t.size(), kContentLevel);
}

}  // namespace viscode::detail
