// batch-settings.txt: what a run was started with, so that --resume continues only the
// same run.
#include "batch/settings.hpp"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

#include "render/cmyk.hpp"
#include "sha256.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/render.hpp"
#include "viscode/version.hpp"

namespace viscode::detail {
namespace {

std::string fixed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string logo_fingerprint(const Logo* logo) {
  if (logo == nullptr) return "none";
  const cv::Mat bgra = logo->raster(logo->width(), logo->height());
  detail::Sha256 h;
  for (int y = 0; y < bgra.rows; ++y) {
    h.update(std::span(bgra.ptr<std::uint8_t>(y), static_cast<std::size_t>(bgra.cols) * 4));
  }
  return std::to_string(logo->width()) + "x" + std::to_string(logo->height()) + " " + h.hex();
}

// numbered: --fit and --logo-area as the numbers runs recorded before they had names.
std::string settings_text(const Design& design, const BatchOptions& o, std::size_t total,
                          bool numbered) {
  const EncodeOptions& e = design.encode_options();
  const RenderOptions& r = design.render_options();
  std::string s = "# viscode batch settings: --resume continues only a run with these\n";
  s += "viscode=" + std::string(kVersionString) + "\n";
  s += "template=" + o.payload_template + "\n";
  // The key by its id (never its bytes): resuming with another key would mix two brands'
  // signatures in one run.
  s += o.sign_key ? "sign=key " + o.sign_key->public_key().id() + " product " +
                        (o.product.empty() ? std::string("-") : o.product) + "\n"
                  : std::string("sign=none\n");
  s += "total=" + std::to_string(total) + "\n";
  if (const auto* f = std::get_if<SerialFile>(&o.serials)) {
    s += "serials=file column=" + f->column + "\n";
  } else {
    const auto& rs = std::get<RandomSerials>(o.serials);
    s += "serials=random count=" + std::to_string(rs.count) +
         " length=" + std::to_string(rs.length) + " alphabet=" + rs.alphabet + "\n";
  }
  s += "format=" + std::string(enum_name(*o.format)) + "\n";
  s += "print=dpi " + fixed(o.print.dpi) + " size_mm " + fixed(o.print.size_mm) + " module_px " +
       std::to_string(o.print.module_px) +
       // Print colour and bleed only when not the defaults, so that runs started before
       // they existed resume unchanged; a profile by its SHA-256, not its path.
       (o.print.ink != Ink::rgb ? " ink " + std::string(to_string(o.print.ink)) : "") +
       (o.print.icc.empty() ? "" : " icc " + detail::CmykConversion::load(o.print.icc)->id()) +
       (o.print.bleed_mm > 0 ? " bleed_mm " + fixed(o.print.bleed_mm) : "") + "\n";
  if (o.sheet) {
    const SheetOptions& sh = *o.sheet;
    s += "sheet=" + fixed(sh.width_mm) + "x" + fixed(sh.height_mm) + " gap " + fixed(sh.gap_mm) +
         " margin " + fixed(sh.margin_mm) + " crop_marks " + std::to_string(sh.crop_marks) +
         " labels " + std::to_string(sh.labels) + " pages_per_file " +
         std::to_string(sh.pages_per_file) + "\n";
  }
  s += "encode=ec " + std::string(1, to_char(*e.ec)) + " versions " +
       std::to_string(e.min_version) + ".." + std::to_string(e.max_version) + " mask " +
       std::to_string(e.mask) + "\n";
  s += "render=style " + std::string(to_string(r.style)) + " strength " + fixed(r.strength) +
       " fit " +
       (numbered ? std::to_string(static_cast<int>(r.fit)) : std::string(enum_name(r.fit))) +
       " area " +
       (numbered ? std::to_string(static_cast<int>(r.logo_area))
                 : std::string(enum_name(r.logo_area))) +
       " dark " + to_hex(r.dark) + " light " + to_hex(r.light) + " quiet " +
       std::to_string(r.quiet) +
       // Written only when not the default, so that runs started before these options
       // existed resume unchanged.
       (r.picture_errors > 0 ? " picture_errors " + fixed(r.picture_errors) : "") +
       (r.picture_pad ? "" : " standard_pad") + "\n";
  s += "logo=" + logo_fingerprint(design.logo()) + "\n";
  return s;
}

// The first line on which two settings texts differ.
std::string first_difference(const std::string& a, const std::string& b) {
  std::istringstream ia(a), ib(b);
  std::string la, lb;
  while (true) {
    const bool ga = static_cast<bool>(std::getline(ia, la));
    const bool gb = static_cast<bool>(std::getline(ib, lb));
    if (!ga && !gb) return "";
    if (!ga) la.clear();
    if (!gb) lb.clear();
    if (la != lb) return "'" + la + "' then, '" + lb + "' now";
  }
}

}  // namespace

std::string settings_text(const Design& design, const BatchOptions& o, std::size_t total) {
  return settings_text(design, o, total, false);
}

std::string read_settings(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string settings_difference(const std::string& recorded, const Design& design,
                                const BatchOptions& o, std::size_t total) {
  const std::string now = settings_text(design, o, total, false);
  if (recorded == now) return "";
  // A run started before --fit and --logo-area had names recorded them as numbers
  // ("fit 0 area 0"): the same run, so it resumes, and a difference is shown in its form.
  const bool numbered = recorded.find(" fit 0 area ") != std::string::npos ||
                        recorded.find(" fit 1 area ") != std::string::npos;
  if (!numbered) return first_difference(recorded, now);
  const std::string then = settings_text(design, o, total, true);
  return recorded == then ? "" : first_difference(recorded, then);
}

}  // namespace viscode::detail
