#include "design_args.hpp"

namespace viscode::cli {

void add_design_options(CLI::App* app, DesignArgs& a) {
  app->add_option("--logo", a.logo,
                  "Brand image: PNG (alpha kept), JPEG, any raster OpenCV reads, or SVG "
                  "(kept vector in SVG/PDF). Without it the code is plain.");
  a.style_option = app->add_option(
      "--style", a.style,
      "halftone (default): bits in module centres, the image toned around them; dots: round "
      "centres; center: classic logo patch in the middle; plain: no image");
  a.style_option->capture_default_str();
  app->add_option("--strength", a.strength,
                  "Looks-vs-scans dial, 0..1: higher enforces more module contrast (bigger "
                  "centres, larger lightness margin; for center, a smaller logo patch) and "
                  "scans from further away; lower shows more of the image. Measured with "
                  "zxing-cpp, WeChat and ZBar: 0.6 (default) reads at arm's length (4.5-5 px "
                  "per module: a 25 mm version-6 code from about 30 cm); 0.4 needs about 6 "
                  "px per module (about 25 cm); 0.2 and below about 10 px (15 cm, or a larger "
                  "print); 1 reads far and blurred captures best. See docs/looks-vs-scans.md")
      ->capture_default_str();
  app->add_option("--picture-ec", a.picture_ec,
                  "Share of each error-correction block, 0..0.5, given to the picture where it "
                  "disagrees most with the code (halftone, dots): those codewords show the "
                  "image alone and readers correct them like damage, so less is left for "
                  "scratches, glare and distance. 0 (default) keeps all of it. Measured: 0.4 "
                  "at strength 0.6 shows clearly more of the logo and reads at arm's length "
                  "on average, but a very dark logo lost WeChat reads (93% at arm's length); "
                  "check a design with `viscode verify`. See docs/looks-vs-scans.md")
      ->capture_default_str();
  app->add_option(
      "--ec", a.ec,
      "Error correction " + enum_name_list<EcLevel>() + " (default H with a logo, M without)");
  app->add_option("--min-version", a.min_version, "Smallest QR version to use, 1..40")
      ->capture_default_str();
  app->add_option("--max-version", a.max_version, "Largest QR version allowed, 1..40")
      ->capture_default_str();
  app->add_option("--mask", a.mask,
                  "auto (with an image: the mask that agrees best with it) or 0..7")
      ->capture_default_str();
  app->add_option("--fit", a.fit, "How the image fills its area: cover (crop) or contain")
      ->check(CLI::IsMember(enum_names<Fit>()))
      ->capture_default_str();
  app->add_option("--logo-area", a.logo_area,
                  "symbol: the image under the symbol only; full: under the quiet zone too")
      ->check(CLI::IsMember(enum_names<LogoArea>()))
      ->capture_default_str();
  app->add_option("--dark", a.dark, "Dark module colour (hex); contrast to --light >= 4.5:1")
      ->capture_default_str();
  app->add_option("--light", a.light, "Light module colour (hex)")->capture_default_str();
  app->add_option("--quiet", a.quiet, "Quiet zone in modules, 0..40")->capture_default_str();
  app->add_option("--dpi", a.dpi,
                  "Output resolution in dots per inch (PNG pixels; modules "
                  "are whole pixels at this resolution in every format)")
      ->capture_default_str();
  app->add_option("--ink", a.ink,
                  "PDF colour for the press: rgb (default, as on screen); k: CMYK with dark "
                  "modules and function patterns 100% black ink alone, the picture as it is; "
                  "cmyk: as k with the picture and other colours converted to CMYK (through "
                  "--icc, or a naive conversion). See docs/how-it-works.md, Printing")
      ->capture_default_str();
  app->add_option("--icc", a.icc,
                  "The printer's CMYK output profile (ICC file) for --ink cmyk, e.g. FOGRA39");
  app->add_option("--bleed", a.bleed,
                  "PDF only: extend the picture and background this far past the trim, 0..10mm "
                  "(e.g. 3mm); the PDF gets TrimBox and BleedBox (default 0)");
  auto* size = app->add_option("--size", a.size,
                               "Printed width, quiet zone included, e.g. 25mm, 2.5cm, 1in "
                               "(default 25mm); modules round down to whole pixels");
  auto* module_px =
      app->add_option("--module-px", a.module_px, "Pixels per module instead of --size");
  size->excludes(module_px);
  module_px->excludes(size);
}

DesignOptions design_options(const DesignArgs& a) {
  using namespace viscode;
  const bool style_given = a.style_option != nullptr && a.style_option->count() > 0;
  RenderOptions render;
  render.style = parse_style(a.style);
  render.strength = a.strength;
  render.picture_errors = a.picture_ec;
  // --fit and --logo-area are checked against the same names when parsed.
  render.fit = parse_enum<Fit>(a.fit).value_or(Fit::cover);
  render.logo_area = parse_enum<LogoArea>(a.logo_area).value_or(LogoArea::symbol);
  render.dark = parse_color(a.dark);
  render.light = parse_color(a.light);
  render.quiet = a.quiet;
  if (a.logo.empty()) {
    if (style_given && render.style != Style::plain) {
      throw Error(ErrorCategory::usage, "--style " + a.style +
                                            " needs an image: give --logo FILE, or use "
                                            "--style plain");
    }
    render.style = Style::plain;
  }
  validate(render);

  EncodeOptions encode;
  // Unset, the library gives H with a logo and M without.
  if (!a.ec.empty()) encode.ec = parse_ec_level(a.ec);
  encode.min_version = a.min_version;
  encode.max_version = a.max_version;
  if (a.mask != "auto") {
    if (a.mask.size() != 1 || a.mask[0] < '0' || a.mask[0] > '7') {
      throw Error(ErrorCategory::usage, "--mask " + a.mask + " is not a mask: use auto or 0..7");
    }
    encode.mask = a.mask[0] - '0';
  }

  PrintOptions print;
  print.dpi = a.dpi;
  print.module_px = a.module_px;
  if (!a.size.empty()) print.size_mm = parse_length_mm(a.size);
  print.ink = parse_ink(a.ink);
  print.icc = a.icc;
  if (!a.bleed.empty()) print.bleed_mm = parse_length_mm(a.bleed, "--bleed", true);
  return DesignOptions{render, encode, print};
}

}  // namespace viscode::cli
