// Imposed sheets for serialised print runs: many codes per page in one PDF written as a
// stream, the logo embedded once for the whole document and every module a vector shape.
// Cairo cannot share one image across pages and is far too slow for thousands of codes a
// second, hence a small writer of our own. It is a rendering stage (render's own PDFs for
// the press, ink k/cmyk or bleed, are sheets of one page); batch imposes runs with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <opencv2/core.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "render/cmyk.hpp"
#include "render/compose.hpp"
#include "render/sheet_grid.hpp"
#include "viscode/render.hpp"

namespace viscode::detail {

// One code as a PDF page of its own, written by SheetPdf: what render_file() writes for a
// PDF with ink k or cmyk, or with bleed. info: plan_output()'s geometry for the code.
std::vector<std::uint8_t> single_code_pdf(const Plan& plan, const Logo* logo,
                                          const RenderOptions& options, const PrintOptions& print,
                                          const OutputInfo& info);

struct SheetCode {
  const Plan* plan = nullptr;
  std::string_view label;  // printed when the layout has labels (ASCII; others print as '?')
};

// One PDF 1.4 document of imposed sheets, streamed to a sink: memory does not grow with the
// number of pages beyond a few bytes of cross-reference per page. Deterministic: the same
// inputs give the same bytes.
class SheetPdf {
 public:
  // Receives the file's bytes in order. Whatever it throws propagates out of the call that
  // wrote (the constructor, add_page or finish), and the document is then unusable.
  using Sink = std::function<void(const std::uint8_t*, std::size_t)>;

  // Writes the header and the resources every page shares: the logo image (once), the veil
  // opacities, the label font and the crop marks' registration colour. logo: the design's
  // logo, null without one; options: the design's render options; dpi (72..4800): the
  // press's resolution, which caps the embedded logo's pixels. Throws Error(usage) for a
  // layout no code fits (see sheet_grid) or a dpi out of range.
  SheetPdf(const SheetLayout& layout, const Logo* logo, const RenderOptions& options, double dpi,
           Sink sink);

  const SheetGrid& grid() const { return grid_; }

  // The compressed content stream of one page. codes fill the grid row by row, top-left
  // first; fewer than per_page() is allowed (the last page). Const and thread-safe: worker
  // threads build pages in parallel. Throws Error(internal) for more codes than fit or a
  // code with a logo when the document has none.
  std::vector<std::uint8_t> page(std::span<const SheetCode> codes) const;

  // Appends a page built by page(). Single thread, in page order; writes to the sink.
  void add_page(std::vector<std::uint8_t> content);

  // Writes the page tree, the cross-reference table and the trailer. Nothing may be added
  // after it.
  void finish();

  int pages() const { return pages_; }
  std::uint64_t bytes_written() const { return offset_; }

 private:
  void emit(const std::string& bytes);
  void emit(const std::uint8_t* data, std::size_t size);
  int new_object();
  void begin_object(int number, std::string& out);
  void check_usable(const char* what) const;

  SheetLayout layout_;
  SheetGrid grid_;
  std::shared_ptr<const CmykConversion> cmyk_;  // ink cmyk only
  RenderOptions options_;
  Sink sink_;
  bool has_image_ = false;
  std::string media_box_;               // "[0 0 w h]" in points
  std::string page_boxes_;              // " /TrimBox [...] /BleedBox [...]" or empty
  int resources_ = 0;                   // object numbers
  std::vector<std::uint64_t> offsets_;  // by object number; [0] unused
  std::vector<int> leaves_;             // the page-tree node of every run of pages
  int pages_ = 0;
  std::uint64_t offset_ = 0;
  std::uint32_t crc_ = 0, adler_ = 1;  // of every byte written: the document's /ID
  bool failed_ = false, finished_ = false;
};

}  // namespace viscode::detail
