#include "batch_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "option_flags.hpp"
#include "viscode/advice.hpp"

namespace viscode::cli {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// A one-line bar redrawn in place, a few times a second, only for a person at a terminal.
class ProgressBar {
 public:
  void operator()(const BatchProgress& p) {
    const auto now = std::chrono::steady_clock::now();
    if (p.done < p.total && now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    const std::size_t made = p.done - p.resumed;
    const double rate = p.seconds > 0 ? static_cast<double>(made) / p.seconds : 0;
    const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
    constexpr int kWidth = 30;
    const int filled =
        p.total ? static_cast<int>(kWidth * static_cast<double>(p.done) / p.total) : kWidth;
    std::fprintf(stderr, "\r[%s%s] %zu/%zu codes  %.0f/s  ETA %s ",
                 std::string(static_cast<std::size_t>(filled), '#').c_str(),
                 std::string(static_cast<std::size_t>(kWidth - filled), '.').c_str(), p.done,
                 p.total, rate, clock_text(eta).c_str());
    if (p.done == p.total) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  std::chrono::steady_clock::time_point last_{};
};

// Every problem on its own line, then the counts and what to do about each kind.
int run_check(const BatchArgs& a) {
  const ManifestCheck c = check_manifest(a.out_dir);
  for (const std::string& p : c.problems) {
    std::fprintf(stderr, "viscode: %s\n", with_flags(p).c_str());
  }
  if (!c.problems.empty()) {
    std::vector<std::string> counts, fixes;
    if (c.missing) counts.push_back(counted(c.missing, "file") + " missing");
    if (c.altered) counts.push_back(counted(c.altered, "file") + " altered");
    if (c.extra) counts.push_back(counted(c.extra, "extra file"));
    if (c.incomplete) counts.push_back("the run incomplete");
    if (c.manifest_errors) counts.push_back(counted(c.manifest_errors, "manifest error"));
    if (c.manifest_errors) {
      fixes.push_back("restore manifest.csv from a copy (an edited manifest cannot be resumed)");
    } else if (c.missing || c.altered || c.incomplete) {
      fixes.push_back(
          "run the batch command again with --resume to remake missing and altered files and "
          "finish the run");
    }
    if (c.extra) fixes.push_back("move the extra files out of '" + a.out_dir + "'");
    std::string text;
    for (const std::string& part : counts) text += (text.empty() ? "" : ", ") + part;
    std::string fix;
    for (const std::string& part : fixes) fix += (fix.empty() ? "" : "; ") + part;
    std::fprintf(stderr, "viscode: the batch in '%s' does not check out (%s; %s in %s): %s\n",
                 a.out_dir.c_str(), text.c_str(), counted(c.rows, "code").c_str(),
                 counted(c.files, "file").c_str(), fix.c_str());
    return kVerificationFailed;
  }
  fmt::print(
      "{}: {} in {} check out (indexes 1..{}, unique serials, SHA-256 of every file, no other "
      "files)\n",
      a.out_dir, counted(c.rows, "code"), counted(c.files, "file"), c.rows);
  return 0;
}

// Every problem on its own line, then the counts: the press-side check of printed sheets.
int run_check_scan(const BatchArgs& a) {
  std::vector<std::filesystem::path> scans(a.check_scan.begin(), a.check_scan.end());
  const SheetScanCheck c = check_scans(a.out_dir, scans);
  for (const std::string& p : c.problems) {
    std::fprintf(stderr, "viscode: %s\n", with_flags(p).c_str());
  }
  const std::string read = fmt::format("{} read of {} expected on {}", c.codes_read,
                                       c.codes_expected, counted(c.scans, "scan"));
  if (!c.problems.empty()) {
    std::vector<std::string> counts;
    auto add = [&](std::size_t n, std::string_view what) {
      if (n) counts.push_back(fmt::format("{} {}", n, what));
    };
    add(c.missing, "missing");
    add(c.unreadable, "unreadable");
    add(c.misplaced, "in the wrong position");
    add(c.foreign, "from another page");
    add(c.unknown, "not in the manifest");
    add(c.repeated, c.repeated == 1 ? "page repeated" : "pages repeated");
    add(c.unmatched, c.unmatched == 1 ? "scan not of this run" : "scans not of this run");
    std::string text;
    for (const std::string& part : counts) text += (text.empty() ? "" : ", ") + part;
    std::fprintf(stderr, "viscode: the scanned sheets do not match the run in '%s' (%s; %s)\n",
                 a.out_dir.c_str(), text.c_str(), read.c_str());
    return kVerificationFailed;
  }
  fmt::print("{}: every code of the scanned pages reads, in its place ({})\n", a.out_dir, read);
  return 0;
}

}  // namespace

CLI::App* add_batch_command(CLI::App& app, BatchArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "batch",
      "Make a serialised run: one unique code per serial, as files or imposed PDF sheets, "
      "with a manifest (serial, payload, file, page, position, SHA-256); resumable.\n"
      "Example: viscode batch --logo brand.png --template 'https://v.brand.example/a/{serial}' "
      "--count 100000 --sheet A4 --crop-marks --label --out-dir run1");
  cmd->add_option("--template", a.template_text,
                  "Payload for each code; {serial} is replaced by the serial ({{ and }} are "
                  "braces); with --sign, {sig} by its signature and {product} by --product. "
                  "Checked against capacity for the longest serial before the run");
  cmd->add_option("--sign", a.sign_key,
                  "Sign every serial with this private key (NAME.key from viscode keygen); "
                  "the template needs {serial}.{sig} (and {product}/{serial} with --product), "
                  "e.g. 'https://b.example/a/{serial}.{sig}'");
  cmd->add_option("--product", a.product,
                  "Product id signed with every serial (1..20 of 0-9, A-Z); the template "
                  "shows it as {product}");
  auto* serials = cmd->add_option(
      "--serials", a.serials,
      "File of serials: one per line, or CSV with --column (a file that looks like CSV needs "
      "--column or --lines); duplicates are refused");
  cmd->add_option("--column", a.column,
                  "CSV column holding the serials, by header name or number from 1 (the first "
                  "row is the header row)");
  cmd->add_flag("--lines", a.lines,
                "Each whole line of --serials is one serial, even when lines have commas");
  auto* count = cmd->add_option(
      "--count", a.count,
      "Draw this many serials from the OS random generator instead (never repeated), "
      "1..100000000");
  // CLI11 converts "-1" to an unsigned count without complaint (it wraps to 2^64 - 1).
  count->check(CLI::Validator(
      [](std::string& text) {
        return text.find('-') == std::string::npos
                   ? std::string()
                   : "'" + text + "' is not a count: use a whole number 1..100000000";
      },
      "", "not negative"));
  serials->excludes(count);
  count->excludes(serials);
  cmd->add_option("--serial-length", a.serial_length,
                  "Characters per random serial, 4..64 (16 base32 characters = 80 bits)")
      ->capture_default_str();
  cmd->add_option("--alphabet", a.alphabet, "Characters of random serials")->capture_default_str();
  cmd->add_option("--out-dir", a.out_dir,
                  "New or empty directory for the files, manifest.csv and batch-settings.txt "
                  "(made with its parents when missing)")
      ->required();
  a.format_option = cmd->add_option(
      "--format", a.format,
      enum_name_list<Format>() + ": one file per code (default png; pdf with --sheet)");
  a.format_option->check(CLI::IsMember(enum_names<Format>()));
  cmd->add_option("--sheet", a.sheet,
                  "Impose the codes on PDF sheets: A4, A3, Letter or WxH (e.g. 320x450mm)");
  cmd->add_option("--gap", a.gap, "Space between codes on a sheet")->capture_default_str();
  cmd->add_option("--margin", a.margin, "Sheet edge to the outermost codes")->capture_default_str();
  cmd->add_flag("--crop-marks", a.crop_marks, "Crop marks at every code's corners (sheets)");
  cmd->add_flag("--label", a.labels, "Print each serial in small type under its code (sheets)");
  cmd->add_option("--pages-per-file", a.pages_per_file,
                  "Pages per sheet PDF, 1..10000; a resumed run redoes at most one file")
      ->capture_default_str();
  cmd->add_option("--jobs", a.jobs, "Worker threads (default: every core)");
  cmd->add_flag("--resume", a.resume,
                "Continue the interrupted run in --out-dir: no code twice, none missing; "
                "missing or altered files are made again");
  cmd->add_flag("--check", a.check,
                "Instead of making codes, check --out-dir's manifest against its files: "
                "missing, altered and extra files (exit 5)");
  auto* check_scan = cmd->add_option(
      "--check-scan", a.check_scan,
      "Instead of making codes, read these scans or photos of printed sheet pages and compare "
      "them with --out-dir's manifest: missing, unreadable, misplaced and unknown codes, pages "
      "repeated (exit 5)");
  check_scan->excludes(cmd->get_option("--check"));
  add_design_options(cmd, a.d);
  return cmd;
}

int run_batch_command(const BatchArgs& a) {
  if (a.check) return run_check(a);
  if (!a.check_scan.empty()) return run_check_scan(a);
  if (a.template_text.empty()) {
    throw Error(ErrorCategory::usage,
                "no --template: give the payload, e.g. 'https://v.brand.example/a/{serial}'");
  }
  if (a.serials.empty() && a.count == 0) {
    throw Error(ErrorCategory::usage, "no serials: give --serials FILE or --count N");
  }
  if (!a.column.empty() && a.serials.empty()) {
    throw Error(ErrorCategory::usage, "--column names a column of --serials FILE; give both");
  }
  if (a.lines && a.serials.empty()) {
    throw Error(ErrorCategory::usage, "--lines is about --serials FILE; give both");
  }
  if (a.lines && !a.column.empty()) {
    throw Error(ErrorCategory::usage,
                "--lines and --column contradict each other: give --column for a CSV column, "
                "--lines for whole lines");
  }
  const DesignOptions d = design_options(a.d);
  BatchOptions o;
  if (!a.serials.empty()) {
    o.serials = SerialFile{a.serials, a.column, a.lines};
  } else {
    RandomSerials r;
    r.count = a.count;
    r.length = a.serial_length;
    r.alphabet = a.alphabet;
    o.serials = r;
  }
  o.payload_template = a.template_text;
  o.product = a.product;
  if (!a.sign_key.empty()) o.sign_key = load_secret_key(a.sign_key);
  o.out_dir = a.out_dir;
  o.print = d.print;
  o.jobs = a.jobs;
  o.resume = a.resume;
  const bool sheet = !a.sheet.empty();
  // Unset, the library makes PDF sheets with --sheet and PNG files without.
  if (!a.format.empty()) o.format = parse_enum<Format>(a.format);  // checked when parsed
  if (sheet) {
    SheetOptions s = parse_sheet(a.sheet);
    s.gap_mm = parse_length_mm(a.gap, "--gap", true);
    s.margin_mm = parse_length_mm(a.margin, "--margin", true);
    s.crop_marks = a.crop_marks;
    s.labels = a.labels;
    s.pages_per_file = a.pages_per_file;
    o.sheet = s;
  } else if (a.crop_marks || a.labels) {
    throw Error(ErrorCategory::usage, std::string(a.crop_marks ? "--crop-marks" : "--label") +
                                          " is for sheets: add --sheet A4 (or another size)");
  }

  std::optional<Logo> logo;
  if (!a.d.logo.empty()) logo = Logo::load(a.d.logo);
  // The area is square at every version, so the crop (and so the warning) is the same for
  // whichever version the run pins.
  for (const std::string& warning :
       design_warnings(logo ? &*logo : nullptr, d.render, 17 + 4 * d.encode.min_version)) {
    std::fprintf(stderr, "viscode: warning: %s\n", with_flags(warning).c_str());
  }
  const Design design(std::move(logo), d.encode, d.render);

  std::function<void(const BatchProgress&)> progress;
  if (isatty(fileno(stderr))) progress = ProgressBar();
  const BatchSummary s = run_batch(design, o, progress);
  if (o.sign_key) {
    fmt::print("serials signed with key {}{}\n", o.sign_key->public_key().id(),
               a.product.empty() ? "" : " for product " + a.product);
  }
  fmt::print(
      "{} (version {}) in '{}': {} made in {:.1f} s ({:.0f} codes/s){}, {} written{}; "
      "manifest {}\n",
      counted(s.codes, "code"), s.version, a.out_dir, s.made, s.seconds,
      s.seconds > 0 ? static_cast<double>(s.made) / s.seconds : 0.0,
      s.resumed ? fmt::format(", {} resumed", s.resumed) : "", counted(s.files, "file"),
      s.remade ? fmt::format(" ({} remade)", s.remade) : "", s.manifest.string());
  return 0;
}

}  // namespace viscode::cli
