#include "plot.hpp"

#include <cairo.h>

#include <cmath>
#include <cstdio>

namespace viscode::bench {
namespace {
void rgb(cairo_t* cr, unsigned c) {
  cairo_set_source_rgb(cr, ((c >> 16) & 255) / 255.0, ((c >> 8) & 255) / 255.0, (c & 255) / 255.0);
}
}  // namespace

void plot(const std::string& file, const std::string& title, const std::string& xlabel,
          const std::string& ylabel, const std::vector<Series>& series, double x0, double x1,
          double y0, double y1, int w, int h) {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  const double left = 80, right = 230, top = 50, bottom = 70;
  const double pw = w - left - right, ph = h - top - bottom;
  const auto X = [&](double x) { return left + (x - x0) / (x1 - x0) * pw; };
  const auto Y = [&](double y) { return top + ph - (y - y0) / (y1 - y0) * ph; };
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, 13);
  cairo_set_line_width(cr, 1);
  char buf[64];
  for (int i = 0; i <= 5; ++i) {
    const double xv = x0 + (x1 - x0) * i / 5, yv = y0 + (y1 - y0) * i / 5;
    cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
    cairo_move_to(cr, X(xv), top);
    cairo_line_to(cr, X(xv), top + ph);
    cairo_move_to(cr, left, Y(yv));
    cairo_line_to(cr, left + pw, Y(yv));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    std::snprintf(buf, sizeof buf, "%.2f", xv);
    cairo_move_to(cr, X(xv) - 14, top + ph + 18);
    cairo_show_text(cr, buf);
    std::snprintf(buf, sizeof buf, "%.0f%%", yv * 100);
    cairo_move_to(cr, left - 45, Y(yv) + 4);
    cairo_show_text(cr, buf);
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);
  cairo_move_to(cr, left + pw / 2 - 120, h - 20);
  cairo_show_text(cr, xlabel.c_str());
  cairo_save(cr);
  cairo_move_to(cr, 20, top + ph / 2 + 80);
  cairo_rotate(cr, -M_PI / 2);
  cairo_show_text(cr, ylabel.c_str());
  cairo_restore(cr);
  cairo_set_font_size(cr, 16);
  cairo_move_to(cr, left, 30);
  cairo_show_text(cr, title.c_str());
  cairo_set_font_size(cr, 12);
  int row = 0;
  for (const Series& se : series) {
    rgb(cr, se.colour);
    cairo_set_line_width(cr, 2);
    bool first = true;
    for (const auto& [x, y] : se.points) {
      if (se.line) {
        if (first) {
          cairo_move_to(cr, X(x), Y(y));
        } else {
          cairo_line_to(cr, X(x), Y(y));
        }
      }
      first = false;
    }
    if (se.line) cairo_stroke(cr);
    for (const auto& [x, y] : se.points) {
      cairo_arc(cr, X(x), Y(y), se.line ? 3.5 : 6, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    cairo_arc(cr, left + pw + 20, top + 10 + row * 20, 5, 0, 2 * M_PI);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, left + pw + 32, top + 14 + row * 20);
    cairo_show_text(cr, se.label.c_str());
    ++row;
  }
  cairo_destroy(cr);
  cairo_surface_write_to_png(s, file.c_str());
  cairo_surface_destroy(s);
}

}  // namespace viscode::bench
