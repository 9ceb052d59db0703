// viscode/batch.hpp — serialised print runs: unique serials, one design, many files, and a
// manifest that says which file holds which serial.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "viscode/design.hpp"
#include "viscode/detect.hpp"
#include "viscode/gs1.hpp"
#include "viscode/payload_template.hpp"
#include "viscode/render.hpp"
#include "viscode/sign.hpp"

namespace viscode {

// Crockford's base32: no I, L, O or U, so a serial read aloud or retyped from a pack is not
// misread; every character is in QR alphanumeric mode.
inline constexpr std::string_view kCrockfordBase32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// Serials listed in a file: one per line, or, with a column, a CSV file whose first row is
// a header row. Blank lines are skipped; leading/trailing spaces and CR trimmed. A quoted
// CSV field still open at the end of its line (a line break in quotes) is refused by its
// line. Every serial must pass check_serial() (viscode/ledger.hpp: 1 to 256 bytes of UTF-8
// text without control characters), checked before any file is written.
//
// A file whose every line has a comma looks like CSV: without a column, its whole lines
// (header row included) would become serials and duplicates in the serial column would go
// unseen, so it is refused (Error(usage)) unless `lines` says that whole lines are meant.
struct SerialFile {
  std::filesystem::path file;
  // The CSV column holding the serials: a header name, or its number from 1 (a header
  // cell with that exact text wins over the number). Empty: the whole line is the serial.
  std::string column;
  bool lines = false;  // whole lines are serials even when every line has a comma
};

// Serials drawn from the operating system's CSPRNG (getrandom), uniformly over the
// alphabet, never repeated within a run (nor against the manifest when resuming).
struct RandomSerials {
  std::size_t count = 0;                   // 1..100,000,000
  std::string alphabet{kCrockfordBase32};  // 2..64 distinct printable ASCII characters
  int length = 16;                         // 4..64; 16 base32 characters carry 80 bits
};

// "1 code", "2 codes": `n` and the noun, with an "s" unless n is 1 (every noun in batch
// messages takes a plain "s").
std::string counted(std::size_t n, std::string_view noun);

// One random serial (the building block of RandomSerials). Throws Error(usage) for a bad
// alphabet or length, Error(internal) when the OS has no randomness to give.
std::string random_serial(const RandomSerials& spec);

// A press sheet for imposed PDF output (every length in millimetres).
struct SheetOptions {
  double width_mm = 210, height_mm = 297;  // A4 portrait
  double gap_mm = 3;                       // between codes (labels and crop marks live in it)
  double margin_mm = 10;                   // page edge to the outermost codes
  bool crop_marks = false;
  bool labels = false;      // each code's serial in small type under it
  int pages_per_file = 50;  // 1..10,000: a file is the unit a resumed run redoes
};
// "A4", "A3", "Letter" (either case) or "WxH" with a unit, e.g. "320x450mm". The other
// fields keep their defaults. Throws Error(usage) naming the value.
SheetOptions parse_sheet(std::string_view text);

struct BatchOptions {
  std::variant<SerialFile, RandomSerials> serials;
  std::string payload_template = "{serial}";
  std::filesystem::path out_dir;  // made with its parents when missing; else writable and,
                                  // without resume, empty
  // One file per code in this format, or PDF sheets when sheet is set (which need pdf).
  // Unset: pdf with a sheet, png without.
  std::optional<Format> format = std::nullopt;
  PrintOptions print;  // physical size of each code (as for encode)
  std::optional<SheetOptions> sheet;
  int jobs = 0;         // worker threads; 0 = the machine's hardware threads
  bool resume = false;  // continue the run whose manifest.csv is in out_dir
  // Signed serials: with a key, every serial must be signable (is_signable_serial) and the
  // template's {sig} gets its signature; `product`, when set, is signed with each serial
  // and fills the template's {product}. The key's id goes into the run's settings, so a
  // resumed run must use the same key.
  std::optional<SecretKey> sign_key;
  std::string product;
};

struct BatchProgress {
  std::size_t done = 0;     // codes made, resumed ones included (for sheets, the file being
                            // written counts; its rows reach the manifest when it is complete)
  std::size_t total = 0;    // codes the run will have made when complete
  std::size_t resumed = 0;  // codes that were already done when this process started
  double seconds = 0;       // since this process started the run
};

struct BatchSummary {
  std::size_t codes = 0;    // total codes in the manifest
  std::size_t made = 0;     // made by this call (codes - resumed)
  std::size_t resumed = 0;  // already in the manifest when the call started
  std::size_t files = 0;    // files written by this call, remade ones included
  std::size_t remade = 0;   // files of resumed codes made again (missing or altered)
  int version = 0;          // QR version of every code (the longest serial's)
  double seconds = 0;
  std::filesystem::path manifest;
};

// The manifest's name inside out_dir. Columns: index (1-based, in run order), serial,
// payload, file (relative to out_dir), page and position (1-based, row-major on the page;
// empty for one file per code), sha256 (of the file, lowercase hex). A serial, payload or
// file that starts with = + - @ TAB CR (a spreadsheet formula), or with an apostrophe before
// one of those or another apostrophe, is written quoted with an apostrophe in front
// (docs/batch.md); check_manifest(), resume and Ledger::import_manifest() remove it.
inline constexpr std::string_view kManifestName = "manifest.csv";

// Makes every code of the run and writes the manifest in run order, a file's rows only
// after the file is complete on disk (written to a temporary name and renamed), so that a
// crash at any point leaves a manifest whose every row is true. Every code gets the QR
// version of the longest serial's payload (checked against capacity before any work), so a
// run prints at one module size. out_dir is made (with its parents) only after every
// input has been checked. One run per out_dir: the run holds an exclusive flock on the
// directory (fresh or resumed) until it returns, and a second run there throws Error(input)
// at once, naming the holder's pid. With `resume`, every file the kept manifest rows name
// is checked against its SHA-256 and made again when missing or altered. `progress` is
// called from the calling thread after each file or sheet file. Throws Error(usage) for bad
// options or a serial file that looks like CSV without a column or `lines`, Error(input)
// for an unreadable serial file, a serial check_serial() refuses, duplicate serials, an
// out_dir that cannot be written or made or that another run holds, a non-empty out_dir
// without `resume`, a file that `resume` cannot make again with the manifest's SHA-256, or
// a write that fails (disk full: the message says so); Error(encode) when a payload does
// not fit.
BatchSummary run_batch(const Design& design, const BatchOptions& options,
                       const std::function<void(const BatchProgress&)>& progress = {});

// Rereads a batch's manifest and every file it names: indexes 1..N without gaps, no serial
// twice, each file present with its SHA-256, and no file in out_dir that the manifest does
// not name (manifest.csv, batch-settings.txt, an interrupted run's temporaries and, when the
// run is incomplete, the files it was writing aside).
// Empty problems = the batch checks out. Throws Error(input) when out_dir is missing or not
// a folder, or the manifest cannot be read or is not one.
struct ManifestCheck {
  std::size_t rows = 0;
  std::size_t files = 0;              // files the manifest names
  std::size_t missing = 0;            // of those, not in out_dir
  std::size_t altered = 0;            // of those, with another SHA-256 than the manifest's
  std::size_t extra = 0;              // files in out_dir the manifest does not name
  std::size_t incomplete = 0;         // the run stopped early (a cut-off row, too few rows)
  std::size_t manifest_errors = 0;    // an index out of order or a serial twice: edited
  std::vector<std::string> problems;  // every problem, one line each: manifest order, then
                                      // the run's end, then extra files by name
};
ManifestCheck check_manifest(const std::filesystem::path& out_dir);

// The press-side check of a sheet run: scans (or photos) of printed sheet pages read with
// read_codes() and compared with the manifest in out_dir. Each scan is matched to the manifest
// page most of its codes belong to; then every code of that page must read, with the
// payload the manifest gives it, in the slot its position names (rows top to bottom in the
// codes' own tilt, as read_codes() orders them; the grid's columns and first slot are those
// that most of the codes read agree with). Pages no scan shows are not checked. Problems,
// one line each, start with the scan's file name:
//   missing      a code of the page did not read and no finder pattern is where it belongs
//                (blacked out, not printed, cut off the scan)
//   unreadable   a code of the page did not read but finder patterns are where it belongs
//                (damaged, smeared, too faint)
//   misplaced    a code of the page read in another slot (e.g. two codes swapped)
//   foreign      a code of the run that belongs on another page
//   unknown      a code whose payload is not in the manifest (a wrong template, another run)
//   repeated     a page an earlier scan already showed (printed or scanned twice)
//   unmatched    a scan in which no code of the run reads
// Throws Error(input) when out_dir is missing or not a folder, its manifest cannot be read
// or is not a sheet run's, or a scan cannot be read (read_image_file's messages);
// Error(usage) for no scans or options out of range.
struct SheetScanCheck {
  std::size_t scans = 0;
  std::size_t codes_read = 0;      // decoded over all scans
  std::size_t codes_expected = 0;  // manifest codes on the pages the scans were matched to
  std::size_t missing = 0, unreadable = 0, misplaced = 0, foreign = 0, unknown = 0, repeated = 0,
              unmatched = 0;
  std::vector<std::string> problems;  // in the order of the scans, each scan's by position
};
SheetScanCheck check_scans(const std::filesystem::path& out_dir,
                           const std::vector<std::filesystem::path>& scans,
                           const ReadOptions& options = {});

}  // namespace viscode
