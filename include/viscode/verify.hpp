// viscode/verify.hpp — proof that a print will scan, and by how much.
//
// verify() takes an image of a code (a render, a proof, a scan or a photo of a print),
// rectifies the code, and puts it through many simulated captures (capture.hpp) at each
// severity; every capture is read by each chosen reader. The report says how often each
// reader read the expected payload, how much of the error-correction capacity our reader
// had to spend at worst (the margin), the smallest printed size that still reads, and
// where the code failed most.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "viscode/capture.hpp"
#include "viscode/encode.hpp"
#include "viscode/render.hpp"

namespace viscode {

enum class Reader {
  ours,    // viscode::detect
  zxing,   // zxing-cpp, as phone apps built on ZXing read
  wechat,  // OpenCV's WeChat QR reader, as WeChat reads
  zbar,    // ZBar, as the open-source scanner apps and barcode tools built on it read
};

std::string_view to_string(Reader reader);
// "ours", "zxing", "wechat", "zbar"; throws Error(usage) naming the accepted values, and saying so
// when the reader exists but this build of viscode has no access to it.
Reader parse_reader(std::string_view name);
// The readers this build can use: ours always; zxing, wechat and zbar when their libraries
// were found at build time (CMake options VISCODE_WITH_ZXING, VISCODE_WITH_WECHAT,
// VISCODE_WITH_ZBAR).
std::vector<Reader> available_readers();
// What a payload is read and compared as.
enum class ReadAs {
  // The text, UTF-8, as the reader makes it: byte segments converted by the ECI's character
  // set or, without one, by the reader's own guess (ours: UTF-8 when the bytes are valid
  // UTF-8, else ISO-8859-1; zbar: its own guess, which can land on Shift JIS).
  text,
  // The payload's bytes exactly as encoded: the segments' bytes concatenated, byte segments
  // unconverted (numeric and alphanumeric as ASCII, kanji as Shift JIS), ECI designators
  // left out. Binary payloads, NULs and invalid UTF-8 included, compare exactly.
  bytes,
};

// Every payload the reader finds in the image (8-bit grey, BGR or BGRA), as text or as bytes
// (ours: Decoded::text or Decoded::bytes; zxing: Result::text() as UTF-8 or Result::bytes();
// zbar: as it converts the symbol's data, or the data with ZBAR_CFG_BINARY; wechat: the same
// either way, since it hands back byte segments without converting them). Throws
// Error(usage) for a reader this build lacks.
std::vector<std::string> read_with(Reader reader, const cv::Mat& image, ReadAs as = ReadAs::text);

// Where a verification is, for a progress display.
struct VerifyProgress {
  std::string stage;  // "pristine", "mild", ... while the severities run, then
                      // "smallest print for zxing" (one reader at a time) during the search
  int captures = 0;   // captures simulated so far, over the whole verification
  int planned = 0;    // captures the severities take (seeds x severities); the size search
                      // adds an open-ended number on top
};

struct VerifyOptions {
  std::vector<Severity> severities = all_severities();
  int seeds = 20;  // captures per severity, 1-10000; seed k of a severity is the same capture
                   // for every reader and every run
  std::vector<Reader> readers = available_readers();
  // The read rate a print must reach, 0-1: what the minimum size is searched for.
  double min_rate = 0.95;
  // The camera: pixels per millimetre of print at the capture distance. A 12 MP phone
  // (4000 px across a field of view of 400 mm at about 30 cm) sees 10 px/mm.
  double camera_px_per_mm = 10;
  // Search the smallest printed module size at which each reader reads >= min_rate at
  // min_size_severity, with that severity's conditions but the camera's px/mm (MinSize says
  // exactly what is measured).
  bool find_min_size = true;
  Severity min_size_severity = Severity::moderate;
  // The print resolution of the image, pixels per inch, when known (an SVG or PDF page;
  // read_image_file() says): the report then gives the printed module size, and the
  // captures print the code at it. 0 = unknown (a raster file): printed at 0.5 mm modules.
  double image_dpi = 0;
  // How `expected` is compared with what each reader reads: as text (--expect), or as the
  // payload's exact bytes (--expect-file; binary payloads).
  ReadAs expected_as = ReadAs::text;
  // Parallel captures; 0 = one per core.
  int jobs = 0;
  // Called after every capture, under a lock, from any of verify()'s threads: keep it short.
  std::function<void(const VerifyProgress&)> progress;
};

struct ReaderRate {
  Reader reader = Reader::ours;
  int read = 0;    // captures that gave the expected payload
  int wrong = 0;   // captures that gave some other payload (a misread: must stay 0)
  int trials = 0;  // captures
  double rate() const { return trials ? static_cast<double>(read) / trials : 0.0; }
};

struct SeverityReport {
  Severity severity = Severity::pristine;
  std::vector<ReaderRate> readers;  // in VerifyOptions::readers order
  // Our reader's margin: the largest fraction of a block's correction capacity any capture
  // it read spent (0 = no errors anywhere, 1 = a block at its limit). Empty when ours read
  // none or was not chosen.
  std::optional<double> worst_capacity_used;
};

// The smallest print for one reader. The measure is the report's: at a module size of m mm,
// capture k is the report's capture k of min_size_severity (the same rotation, tilt, light,
// noise and JPEG) with the code printed at m mm per module and seen at
// m x camera_px_per_mm camera px per module, and the size passes when the reader reads at
// least min_rate of the `seeds` captures. Sizes are tried on a grid from 1.5 to 40 camera
// px per module in steps of 10% (1.5 x 1.1^34 = 38.3 px is the largest). The smallest print is a
// size that passes with every seed, while the next smaller size of the grid fails: it is bracketed
// from a passing size, never extrapolated. The report's min_size_severity row (when it ran; 4.5-5
// camera px per module for moderate) bounds it: a reader that fails the row gets no smaller minimum
// than the largest size the row used, and one that passes it no larger minimum than the grid's next
// size at or above that (at_min is then the row's rate if the grid's own measure there was not
// taken or fell short): a reader's rows and its minimum agree.
struct MinSize {
  Reader reader = Reader::ours;
  // Smallest module size (mm) and whole symbol side (mm, quiet zone excluded) that reached
  // min_rate; empty when even the largest size of the grid (largest_mm) did not.
  std::optional<double> module_mm;
  std::optional<double> symbol_mm;
  ReaderRate at_min;  // the reader's rate at module_mm over all `seeds` captures (or the row's)
  // The size below it that fails (module mm), and the reader's rate there (a failing size
  // may stop early, once it cannot reach min_rate: trials can be fewer than seeds); empty
  // when module_mm is the grid's smallest size, or when nothing passes.
  std::optional<double> below_mm;
  ReaderRate below;
  // The grid's largest module size (mm): 38.3 camera px (the last 10% step under 40) over
  // camera_px_per_mm, 3.83 mm at the default 10 px/mm. What "none up to" means.
  double largest_mm = 0;
};

struct VerifyReport {
  std::string text;                 // what the image itself reads as (ours), UTF-8
  std::vector<std::uint8_t> bytes;  // the same payload's bytes exactly as encoded
  int version = 0;
  EcLevel ec = EcLevel::L;
  double module_px = 0;  // module size in the input image, px
  // Printed module size, mm, when VerifyOptions::image_dpi gave the image's resolution.
  std::optional<double> printed_module_mm;
  std::vector<SeverityReport> severities;
  std::vector<MinSize> min_size;  // per reader, when find_min_size
  // Per module (row-major, version size squared): the fraction of our reader's decoded
  // captures, over all severities, in which the module was read wrong. Where a code is
  // damaged, printed badly or hard to see, these run high.
  cv::Mat failure_map;  // CV_32F, 0-1
  // Per reader (VerifyOptions::readers order), where the captures it failed were damaged.
  // Only our reader sees modules, so for a capture another reader failed, the map takes
  // the modules our reader misread in that capture, when it decoded it.
  struct ReaderFailures {
    Reader reader = Reader::ours;
    int failed = 0;  // captures the reader did not read (or misread), over all severities
    // Captures the map is made of: for ours, those it decoded; for another reader, those of
    // its failures that ours decoded.
    int mapped = 0;
    cv::Mat map;  // CV_32F, version size squared, 0-1: the share of the mapped captures in
                  // which the module was read wrong
  };
  std::vector<ReaderFailures> failures;
  // The code as verified: head-on, BGR, artwork_module_px px per module, with a quiet zone
  // of 4 modules (from the image, white paper beyond).
  cv::Mat artwork;
  int artwork_module_px = 10;
  // The rate of `reader` at `severity`; 0 when not measured.
  double rate(Reader reader, Severity severity) const;
  // The verdict, taken at the gate: the last of VerifyOptions::severities (the hardest, in
  // the usual order), where every reader must read at least VerifyOptions::min_rate of the
  // captures. Those that do not, in VerifyOptions::readers order; `viscode verify` exits 5
  // unless pass().
  struct Shortfall {
    Reader reader = Reader::ours;
    Severity severity = Severity::pristine;
    double rate = 0;  // 0-1, below min_rate
  };
  std::vector<Shortfall> shortfalls;
  bool pass() const { return shortfalls.empty(); }
};

// Verifies the code in `image` against `expected`, compared as options.expected_as says.
// Throws Error(input) for an empty image, Error(decode) when our reader finds no code in the
// image itself or it reads as another payload (the message says which: for bytes, where the
// first difference is), Error(usage) for options out of range.
VerifyReport verify(const cv::Mat& image, const std::string& expected,
                    const VerifyOptions& options = {});

// A design that meets a severity: the result of ensure_design().
struct EnsuredDesign {
  Symbol symbol;
  RenderOptions render;              // the options that met the target
  std::vector<std::string> changes;  // what was changed, in order ("strength 0.30 -> 0.40")
  VerifyReport report;               // the verification of the final design
};

// Renders the payload over the logo (module_px px per module), verifies it at `severity`
// with every reader in `verify_options` (its severities are replaced by this one; the
// minimum size is not searched; the payload is compared as the bytes it was encoded from), and
// while any reader stays under verify_options.min_rate raises the strength by 0.1 (bigger module
// centres and a larger lightness margin; for the center style, a smaller logo patch), up to 1.
// Throws Error(encode) naming the readers and rates when even strength 1 falls short.
EnsuredDesign ensure_design(std::string_view payload, const Logo* logo,
                            const EncodeOptions& encode_options,
                            const RenderOptions& render_options, Severity severity,
                            const VerifyOptions& verify_options = {}, int module_px = 10);

// The failure maps as a picture, BGR: one panel per reader that failed any capture (our
// reader's alone when none did), side by side. Each panel is the code as verified, at
// module_px px per module (1-64) with its quiet zone, under a translucent overlay: a
// module misread in a share f of the panel's captures is tinted from yellow (f near 0) to
// red (f = 1), more opaque as f grows; never-misread modules are left as they are. A
// caption above names the reader and its failures; a legend below gives the scale.
cv::Mat failure_map_image(const VerifyReport& report, int module_px = 8);

// failure_map_image() as a PNG file, written whole or not at all (a temporary beside it,
// renamed). Throws Error(usage) unless the file ends in .png, Error(input) when it cannot
// be written.
void write_failure_map(const VerifyReport& report, const std::filesystem::path& file,
                       int module_px = 8);

// Modules below this size (mm) are worth smallest_print_module_mm() before printing: every
// design measured (docs/verify.md) reads at moderate from 0.4 mm modules at strength 0.5
// and above, and lower strengths need up to about twice that.
inline double print_size_check_mm(double strength) {
  return strength >= 0.5 ? 0.5 : 1.0;
}

// The smallest printed module (mm) at which every reader in `options` reads a design at
// options.min_size_severity with options.camera_px_per_mm: the largest of the readers'
// minimum sizes (verify()'s size search on the design rendered at 10 px per module, the
// payload compared as the bytes it was encoded from).
// Empty when some reader reaches options.min_rate at no size tried. Costs one size
// search: seconds.
std::optional<double> smallest_print_module_mm(const Symbol& symbol, const Logo* logo,
                                               const RenderOptions& render,
                                               const std::string& payload,
                                               VerifyOptions options = {});

}  // namespace viscode
