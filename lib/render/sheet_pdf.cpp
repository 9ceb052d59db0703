// The PDF document around the pages: header, shared resources, page tree, cross-reference
// table and trailer (the sheet's geometry: sheet_grid.cpp; a page's content: pdf_page.cpp).
#include "render/sheet_pdf.hpp"

#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "render/color.hpp"
#include "render/logo_impl.hpp"
#include "render/pdf_bytes.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {
namespace {

constexpr double kPtPerMm = 72.0 / 25.4;
// Pages per node of the page tree: readers handle arrays of at most 8191 entries (PDF 1.4
// appendix C), and a run of a million codes is some 20,000 pages.
constexpr int kPagesPerNode = 128;
constexpr std::uint64_t kMaxOffset = 9'999'999'999ULL;  // ten digits in the xref table
// The largest symbol (version 40): bounds the logo's placement before any code is known.
constexpr int kMaxSymbol = 177;
// An SVG logo is rasterised at what the print needs; this caps its memory all the same.
constexpr int kMaxImagePx = 8192;

std::string num(double v, int decimals = 3) {
  char buf[32];
  return std::string(buf, pdf::Text::write_num(buf, v, decimals));
}

// PNG row filters (predictor 15: chosen per row by the smallest sum of absolute residuals,
// the usual heuristic) roughly halve a photographic logo's compressed size.
std::vector<std::uint8_t> png_predicted(const cv::Mat& rgb) {
  const int bpp = rgb.channels();
  const int w = rgb.cols * bpp;
  std::vector<std::uint8_t> out;
  out.reserve(static_cast<std::size_t>(rgb.rows) * static_cast<std::size_t>(w + 1));
  std::vector<std::uint8_t> zero(static_cast<std::size_t>(w), 0), best, trial;
  best.resize(static_cast<std::size_t>(w));
  trial.resize(static_cast<std::size_t>(w));
  for (int y = 0; y < rgb.rows; ++y) {
    const std::uint8_t* cur = rgb.ptr<std::uint8_t>(y);
    const std::uint8_t* up = y > 0 ? rgb.ptr<std::uint8_t>(y - 1) : zero.data();
    long best_cost = -1;
    int best_type = 0;
    for (int type = 0; type < 5; ++type) {
      long cost = 0;
      for (int i = 0; i < w; ++i) {
        const int a = i >= bpp ? cur[i - bpp] : 0, b = up[i], c = i >= bpp ? up[i - bpp] : 0;
        int pred = 0;
        switch (type) {
          case 1:
            pred = a;
            break;
          case 2:
            pred = b;
            break;
          case 3:
            pred = (a + b) / 2;
            break;
          case 4: {
            const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b),
                      pc = std::abs(p - c);
            pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
            break;
          }
          default:
            break;
        }
        const auto r = static_cast<std::uint8_t>(cur[i] - pred);
        trial[static_cast<std::size_t>(i)] = r;
        cost += r < 128 ? r : 256 - r;
      }
      if (best_cost < 0 || cost < best_cost) {
        best_cost = cost;
        best_type = type;
        best.swap(trial);
      }
    }
    out.push_back(static_cast<std::uint8_t>(best_type));
    out.insert(out.end(), best.begin(), best.end());
  }
  return out;
}

// The logo as the image every code shares: at the resolution the largest placement any
// code can have needs at the press's dpi, never above a raster logo's own pixels, and
// flattened over the light colour as draw.cpp flattens it. An SVG logo is rasterised
// through Logo::raster at that resolution: one image shared by every page is far smaller
// than the SVG's vectors repeated in every code, and at press resolution looks the same.
cv::Mat logo_image(const Logo& logo, const RenderOptions& options, double code_mm, double dpi) {
  const double side_mm = options.style == Style::center || options.logo_area == LogoArea::symbol
                             ? code_mm * kMaxSymbol / (kMaxSymbol + 2.0 * options.quiet)
                             : code_mm;
  const double lw = logo.width(), lh = logo.height();
  const double sx = side_mm / lw, sy = side_mm / lh;
  const bool cover = options.style != Style::center && options.fit == Fit::cover;
  const double scale_mm = cover ? std::max(sx, sy) : std::min(sx, sy);  // mm per logo pixel
  const double need = scale_mm / 25.4 * dpi;  // output pixels per logo pixel
  double f = logo.is_vector() ? need : std::min(1.0, need);
  f = std::min(f, kMaxImagePx / std::max(lw, lh));
  const int w = std::max(1, static_cast<int>(std::lround(lw * f)));
  const int h = std::max(1, static_cast<int>(std::lround(lh * f)));
  cv::Mat bgr = flatten(logo.raster(w, h), options.light);
  cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y) {
    const auto* s = bgr.ptr<cv::Vec3b>(y);
    auto* d = rgb.ptr<cv::Vec3b>(y);
    for (int x = 0; x < bgr.cols; ++x) d[x] = cv::Vec3b(s[x][2], s[x][1], s[x][0]);
  }
  return rgb;
}

struct EncodedImage {
  int width = 0, height = 0;
  int channels = 3;                    // 3: DeviceRGB, 4: DeviceCMYK
  std::vector<std::uint8_t> deflated;  // PNG-predicted rows
};

// Making the image takes 70-200 ms (resampling, or rasterising an SVG, and compressing at
// the highest level), and a run writing many small files makes one document per file: the
// last few images made are kept. An entry holds a copy of the Logo, so that the address
// identifying its pixels cannot be reused by another logo while the entry lives.
std::shared_ptr<const EncodedImage> encoded_logo(const Logo& logo, const RenderOptions& options,
                                                 double code_mm, double dpi,
                                                 const CmykConversion* cmyk) {
  struct Entry {
    Logo logo;
    Style style;
    Fit fit;
    LogoArea area;
    int quiet;
    Rgb light;
    double code_mm, dpi;
    std::string colour;  // "rgb" or the CMYK conversion's id
    std::shared_ptr<const EncodedImage> image;
    bool matches(const Logo& l, const RenderOptions& o, double c, double d,
                 const std::string& k) const {
      return &detail::LogoAccess::impl(logo) == &detail::LogoAccess::impl(l) && style == o.style &&
             fit == o.fit && area == o.logo_area && quiet == o.quiet && light == o.light &&
             code_mm == c && dpi == d && colour == k;
    }
  };
  static std::mutex mu;
  static std::vector<Entry> cache;  // most recently made last
  constexpr std::size_t kKept = 4;
  const std::string colour = cmyk != nullptr ? cmyk->id() : "rgb";
  {
    const std::lock_guard lock(mu);
    for (const Entry& e : cache) {
      if (e.matches(logo, options, code_mm, dpi, colour)) return e.image;
    }
  }
  const cv::Mat rgb = logo_image(logo, options, code_mm, dpi);
  const cv::Mat pixels = cmyk != nullptr ? cmyk->image(rgb) : rgb;
  auto image = std::make_shared<EncodedImage>();
  image->width = pixels.cols;
  image->height = pixels.rows;
  image->channels = pixels.channels();
  const std::vector<std::uint8_t> predicted = png_predicted(pixels);
  image->deflated = pdf::deflate_bytes(predicted.data(), predicted.size(), Z_BEST_COMPRESSION);
  const std::lock_guard lock(mu);
  if (cache.size() == kKept) cache.erase(cache.begin());
  cache.push_back(Entry{logo, options.style, options.fit, options.logo_area, options.quiet,
                        options.light, code_mm, dpi, colour, image});
  return image;
}

bool uses_image(const Logo* logo, const RenderOptions& options) {
  return logo != nullptr && options.style != Style::plain;
}

bool uses_veils(const Logo* logo, const RenderOptions& options) {
  return logo != nullptr && (options.style == Style::halftone || options.style == Style::dots);
}

}  // namespace

SheetPdf::SheetPdf(const SheetLayout& layout, const Logo* logo, const RenderOptions& options,
                   double dpi, Sink sink)
    : layout_(layout),
      grid_(sheet_grid(layout)),
      options_(options),
      sink_(std::move(sink)),
      has_image_(uses_image(logo, options)) {
  if (!(dpi >= 72 && dpi <= 4800)) {
    throw Error(ErrorCategory::usage,
                "PrintOptions.dpi " + mm_text(dpi) + " is out of range: use 72..4800");
  }
  validate_ink(layout.ink, layout.icc, options);
  if (layout.ink == Ink::cmyk) cmyk_ = CmykConversion::load(layout.icc);
  if (!sink_) throw Error(ErrorCategory::internal, "sheet PDF: no sink to write to");
  media_box_ =
      "[0 0 " + num(layout.page_w_mm * kPtPerMm) + " " + num(layout.page_h_mm * kPtPerMm) + "]";
  if (layout.trim_box) {
    const double b = layout.margin_mm * kPtPerMm;
    page_boxes_ = " /TrimBox [" + num(b) + " " + num(b) + " " +
                  num(layout.page_w_mm * kPtPerMm - b) + " " +
                  num(layout.page_h_mm * kPtPerMm - b) + "] /BleedBox " + media_box_;
  }
  offsets_.push_back(0);

  // Binary bytes in the second line tell transfer tools the file is not text.
  std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  resources_ = new_object();
  const int image = has_image_ ? new_object() : 0;

  begin_object(resources_, out);
  out += "<< /ProcSet [/PDF /Text";
  out += has_image_ ? " /ImageC]\n" : "]\n";
  if (has_image_) {
    out += "/XObject << " + std::string(pdf::kImage) + " " + std::to_string(image) + " 0 R >>\n";
  }
  if (uses_veils(logo, options)) {
    out += "/ExtGState <<\n";
    for (const char* colour : {"/W", "/B"}) {
      for (int k = 1; k <= pdf::kVeilSteps; ++k) {
        out += colour + std::to_string(k) + " << /Type /ExtGState /ca " +
               num(static_cast<double>(k) / pdf::kVeilSteps, 4) + " >>\n";
      }
    }
    out += ">>\n";
  }
  out += "/Font << " + std::string(pdf::kFont) +
         " << /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >> "
         ">>\n";
  // Registration: the marks print on every plate, so every separation can be trimmed.
  out += "/ColorSpace << " + std::string(pdf::kRegistration) +
         " [/Separation /All /DeviceCMYK << /FunctionType 2 /Domain [0 1] /C0 [0 0 0 0] "
         "/C1 [1 1 1 1] /N 1 >>] >>\n>>\nendobj\n";

  if (has_image_) {
    const std::shared_ptr<const EncodedImage> img =
        encoded_logo(*logo, options, layout.code_mm, dpi, cmyk_.get());
    begin_object(image, out);
    out += "<< /Type /XObject /Subtype /Image /Width " + std::to_string(img->width) + " /Height " +
           std::to_string(img->height) +
           (img->channels == 4 ? " /ColorSpace /DeviceCMYK" : " /ColorSpace /DeviceRGB") +
           " /BitsPerComponent 8 /Interpolate true /Filter /FlateDecode"
           " /DecodeParms << /Predictor 15 /Colors " +
           std::to_string(img->channels) + " /BitsPerComponent 8 /Columns " +
           std::to_string(img->width) + " >> /Length " + std::to_string(img->deflated.size()) +
           " >>\nstream\n";
    emit(out);
    out.clear();
    emit(img->deflated.data(), img->deflated.size());
    out += "\nendstream\nendobj\n";
  }
  emit(out);
}

int SheetPdf::new_object() {
  offsets_.push_back(0);
  return static_cast<int>(offsets_.size() - 1);
}

// Records the object's offset as the position `out` will be written at.
void SheetPdf::begin_object(int number, std::string& out) {
  offsets_[static_cast<std::size_t>(number)] = offset_ + out.size();
  out += std::to_string(number);
  out += " 0 obj\n";
}

void SheetPdf::emit(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  failed_ = true;  // stays set if the sink throws: a half-written document is unusable
  sink_(data, size);
  failed_ = false;
  crc_ = static_cast<std::uint32_t>(crc32(crc_, data, static_cast<uInt>(size)));
  adler_ = static_cast<std::uint32_t>(adler32(adler_, data, static_cast<uInt>(size)));
  offset_ += size;
  if (offset_ > kMaxOffset) {
    failed_ = true;
    throw Error(ErrorCategory::usage,
                "the sheet PDF would exceed 10 GB, the most a PDF's cross-reference table can "
                "address: split the run into several files");
  }
}

void SheetPdf::emit(const std::string& bytes) {
  emit(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

void SheetPdf::check_usable(const char* what) const {
  if (failed_) {
    throw Error(ErrorCategory::internal,
                std::string("sheet PDF: ") + what + " after a failed write");
  }
  if (finished_) {
    throw Error(ErrorCategory::internal, std::string("sheet PDF: ") + what + " after finish()");
  }
}

void SheetPdf::add_page(std::vector<std::uint8_t> content) {
  check_usable("add_page");
  if (pages_ % kPagesPerNode == 0) leaves_.push_back(new_object());
  const int page = new_object();
  const int contents = new_object();
  std::string out;
  begin_object(page, out);
  out += "<< /Type /Page /Parent " + std::to_string(leaves_.back()) + " 0 R /MediaBox " +
         media_box_ + page_boxes_ + " /Resources " + std::to_string(resources_) +
         " 0 R /Contents " + std::to_string(contents) + " 0 R >>\nendobj\n";
  begin_object(contents, out);
  out += "<< /Length " + std::to_string(content.size()) + " /Filter /FlateDecode >>\nstream\n";
  emit(out);
  emit(content.data(), content.size());
  emit(std::string("\nendstream\nendobj\n"));
  ++pages_;
}

void SheetPdf::finish() {
  check_usable("finish");
  // Page objects were numbered as they came: a node of the tree before each run of
  // kPagesPerNode pages, then each page and its contents.
  const auto page_object = [this](int i) {
    return leaves_[static_cast<std::size_t>(i / kPagesPerNode)] + 1 + 2 * (i % kPagesPerNode);
  };
  if (leaves_.empty()) leaves_.push_back(new_object());

  // Nodes level by level, leaves first; parents are numbered as they are made.
  struct Node {
    int object, parent = 0, first = 0, count = 0;  // first kid (page or node index), pages
  };
  std::vector<std::vector<Node>> levels(1);
  for (std::size_t j = 0; j < leaves_.size(); ++j) {
    const int first = static_cast<int>(j) * kPagesPerNode;
    levels[0].push_back({leaves_[j], 0, first, std::min(kPagesPerNode, pages_ - first)});
  }
  while (levels.back().size() > 1) {
    std::vector<Node>& below = levels.back();
    std::vector<Node> above;
    for (std::size_t j = 0; j < below.size(); j += kPagesPerNode) {
      Node n{new_object(), 0, static_cast<int>(j), 0};
      for (std::size_t k = j; k < std::min(below.size(), j + kPagesPerNode); ++k) {
        below[k].parent = n.object;
        n.count += below[k].count;
      }
      above.push_back(n);
    }
    levels.push_back(std::move(above));
  }
  const int root = levels.back().front().object;

  std::string out;
  for (std::size_t lv = 0; lv < levels.size(); ++lv) {
    for (const Node& n : levels[lv]) {
      begin_object(n.object, out);
      out += "<< /Type /Pages";
      if (n.parent != 0) out += " /Parent " + std::to_string(n.parent) + " 0 R";
      out += " /Count " + std::to_string(n.count) + " /Kids [";
      if (lv == 0) {
        for (int i = n.first; i < n.first + n.count; ++i) {
          out += std::to_string(page_object(i)) + " 0 R ";
        }
      } else {
        const auto& below = levels[lv - 1];
        for (std::size_t k = static_cast<std::size_t>(n.first);
             k < std::min(below.size(), static_cast<std::size_t>(n.first) + kPagesPerNode); ++k) {
          out += std::to_string(below[k].object) + " 0 R ";
        }
      }
      out += "] >>\nendobj\n";
      emit(out);
      out.clear();
    }
  }
  const int catalog = new_object();
  begin_object(catalog, out);
  out += "<< /Type /Catalog /Pages " + std::to_string(root) + " 0 R >>\nendobj\n";
  const int info = new_object();
  begin_object(info, out);
  out += "<< /Producer (viscode) >>\nendobj\n";
  emit(out);
  out.clear();

  const std::uint64_t xref = offset_;
  out += "xref\n0 " + std::to_string(offsets_.size()) + "\n0000000000 65535 f \n";
  char entry[32];
  for (std::size_t i = 1; i < offsets_.size(); ++i) {
    std::snprintf(entry, sizeof entry, "%010llu 00000 n \n",
                  static_cast<unsigned long long>(offsets_[i]));
    out += entry;
    if (out.size() > (1 << 16)) {
      emit(out);
      out.clear();
    }
  }
  emit(out);
  out.clear();
  // A fixed function of the bytes, so identical runs give identical files.
  char id[48];
  std::snprintf(id, sizeof id, "%08x%08x%016llx", static_cast<unsigned>(crc_),
                static_cast<unsigned>(adler_), static_cast<unsigned long long>(xref));
  out += "trailer\n<< /Size " + std::to_string(offsets_.size()) + " /Root " +
         std::to_string(catalog) + " 0 R /Info " + std::to_string(info) + " 0 R /ID [<" + id +
         "> <" + id + ">] >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
  emit(out);
  finished_ = true;
}

std::vector<std::uint8_t> single_code_pdf(const Plan& plan, const Logo* logo,
                                          const RenderOptions& options, const PrintOptions& print,
                                          const OutputInfo& info) {
  SheetLayout l;
  l.code_mm = info.size_mm;
  l.page_w_mm = l.page_h_mm = info.size_mm + 2 * print.bleed_mm;
  l.margin_mm = print.bleed_mm;
  l.gap_mm = 0;
  l.ink = print.ink;
  l.icc = print.icc;
  l.bleed_mm = print.bleed_mm;
  l.trim_box = true;
  std::vector<std::uint8_t> bytes;
  SheetPdf doc(l, logo, options, print.dpi, [&bytes](const std::uint8_t* d, std::size_t n) {
    bytes.insert(bytes.end(), d, d + n);
  });
  const SheetCode code{&plan, {}};
  doc.add_page(doc.page(std::span(&code, 1)));
  doc.finish();
  return bytes;
}

}  // namespace viscode::detail
