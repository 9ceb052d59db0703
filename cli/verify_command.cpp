#include "verify_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>

#include "data_file.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "readers_text.hpp"
#include "shown_text.hpp"
#include "viscode/viscode.hpp"

namespace viscode::cli {
namespace {

std::string verify_json(const std::string& file, const viscode::VerifyReport& r,
                        const std::string& severity, bool pass) {
  using viscode::cli::json_string;
  std::string out =
      "{\"file\": " + json_string(file) + ", \"text\": " + json_string(r.text) +
      ", \"bytes_base64\": " + viscode::cli::json_base64(r.bytes) +
      fmt::format(", \"version\": {}, \"ec\": \"{}\", \"module_px\": {:.2f}", r.version,
                  viscode::to_char(r.ec), r.module_px) +
      (r.printed_module_mm ? fmt::format(", \"printed_module_mm\": {:.3f}", *r.printed_module_mm)
                           : std::string()) +
      ", \"severities\": [";
  for (std::size_t i = 0; i < r.severities.size(); ++i) {
    const auto& s = r.severities[i];
    out += fmt::format("{}{{\"severity\": \"{}\", \"readers\": [", i ? ", " : "",
                       viscode::to_string(s.severity));
    for (std::size_t k = 0; k < s.readers.size(); ++k) {
      const auto& rr = s.readers[k];
      out += fmt::format(
          "{}{{\"reader\": \"{}\", \"rate\": {:.4f}, \"read\": {}, \"wrong\": {}, "
          "\"trials\": {}}}",
          k ? ", " : "", viscode::to_string(rr.reader), rr.rate(), rr.read, rr.wrong, rr.trials);
    }
    out += "]";
    if (s.worst_capacity_used) {
      out += fmt::format(", \"worst_capacity_used\": {:.4f}", *s.worst_capacity_used);
    }
    out += "}";
  }
  out += "]";
  if (!r.min_size.empty()) {
    out += ", \"min_size\": [";
    for (std::size_t k = 0; k < r.min_size.size(); ++k) {
      const auto& m = r.min_size[k];
      out += fmt::format("{}{{\"reader\": \"{}\", \"module_mm\": {}, \"symbol_mm\": {}",
                         k ? ", " : "", viscode::to_string(m.reader),
                         m.module_mm ? fmt::format("{:.3f}", *m.module_mm) : "null",
                         m.symbol_mm ? fmt::format("{:.2f}", *m.symbol_mm) : "null");
      if (m.module_mm) {
        out += fmt::format(", \"read\": {}, \"trials\": {}", m.at_min.read, m.at_min.trials);
      }
      if (m.below_mm) {
        out += fmt::format(", \"below_mm\": {:.3f}, \"below_read\": {}, \"below_trials\": {}",
                           *m.below_mm, m.below.read, m.below.trials);
      }
      out += "}";
    }
    out += "]";
  }
  out += fmt::format(", \"severity\": \"{}\", \"pass\": {}}}", severity, pass ? "true" : "false");
  return out;
}

int run_verify(const VerifyArgs& a) {
  using namespace viscode;
  const std::string expected =
      a.expect_file.empty() ? a.expect : read_data_file(a.expect_file, "--expect-file");
  const Severity gate = parse_severity(a.severity);
  VerifyOptions options;
  options.seeds = a.seeds;
  options.min_rate = a.min_rate;
  options.camera_px_per_mm = a.camera_px_per_mm;
  options.find_min_size = !a.no_min_size;
  // A file holds bytes, which may be no text at all (a binary payload): compared exactly.
  options.expected_as = a.expect_file.empty() ? ReadAs::text : ReadAs::bytes;
  // Every severity up to the gate: the report shows where reading starts to fail.
  options.severities.clear();
  for (const Severity s : all_severities()) {
    options.severities.push_back(s);
    if (s == gate) break;
  }
  if (!a.readers.empty()) {
    options.readers.clear();
    for (const std::string& name : a.readers) options.readers.push_back(parse_reader(name));
  }
  // write_failure_map() refuses it too, but only after the captures have run.
  if (!a.heatmap.empty() && format_from_path(a.heatmap) != Format::png) {
    throw Error(ErrorCategory::usage, "--heatmap " + a.heatmap + " must be a .png file");
  }
  // SVG and PDF at a resolution from their page size, which also gives the printed size.
  ReadOptions read_options;
  read_options.vector_dpi = 0;
  const ImageFile input = read_image_file(a.file, read_options);
  options.image_dpi = input.dpi;
  // Progress while the captures run, for a person at a terminal; logs and pipes stay clean.
  const bool tty = isatty(fileno(stderr)) != 0;
  if (tty) {
    std::fprintf(stderr, "verifying %s: %d captures per severity, readers %s\n", a.file.c_str(),
                 a.seeds, readers_text(options.readers).c_str());
    options.progress = [](const VerifyProgress& p) {
      if (p.captures <= p.planned) {
        std::fprintf(stderr, "\r\033[K%s: %d/%d captures", p.stage.c_str(), p.captures, p.planned);
      } else {
        std::fprintf(stderr, "\r\033[K%s: %d captures", p.stage.c_str(), p.captures);
      }
      std::fflush(stderr);
    };
  }
  const VerifyReport report = verify(input.image, expected, options);
  if (tty) std::fprintf(stderr, "\r\033[K");
  if (!a.heatmap.empty()) write_failure_map(report, a.heatmap);

  std::string failures;  // the verdict is the library's: report.shortfalls at the gate
  for (const VerifyReport::Shortfall& f : report.shortfalls) {
    failures += fmt::format("{}{} reads {:.0f}% at {}", failures.empty() ? "" : ", ",
                            to_string(f.reader), 100 * f.rate, to_string(f.severity));
  }
  if (a.json) {
    fmt::print("{}\n", verify_json(a.file, report, a.severity, report.pass()));
  } else {
    fmt::print("{}: version {}, EC {}, {:.1f} px/module{}, reads \"{}\"\n", a.file, report.version,
               to_char(report.ec), report.module_px,
               report.printed_module_mm
                   ? fmt::format(" ({:.2f} mm printed)", *report.printed_module_mm)
                   : std::string(),
               viscode::cli::shown_text(report.text));
    fmt::print("{:<10}", "severity");
    for (const Reader r : options.readers) fmt::print("{:>8}", to_string(r));
    fmt::print("  worst block use (ours)\n");
    for (const SeverityReport& s : report.severities) {
      fmt::print("{:<10}", to_string(s.severity));
      for (const ReaderRate& rr : s.readers) fmt::print("{:>7.0f}%", 100 * rr.rate());
      if (s.worst_capacity_used) {
        fmt::print("  {:.0f}%\n", 100 * *s.worst_capacity_used);
      } else {
        fmt::print("  -\n");
      }
    }
    for (const MinSize& m : report.min_size) {
      if (m.module_mm) {
        fmt::print(
            "smallest print for {} at {:.0f}% ({} conditions, camera {:g} px/mm): "
            "{:.2f} mm modules, {:.1f} mm symbol (read {} of {}{})\n",
            to_string(m.reader), 100 * options.min_rate, to_string(options.min_size_severity),
            options.camera_px_per_mm, *m.module_mm, *m.symbol_mm, m.at_min.read, m.at_min.trials,
            m.below_mm ? fmt::format("; {:.2f} mm: read {} of {}", *m.below_mm, m.below.read,
                                     m.below.trials)
                       : std::string());
      } else {
        fmt::print("smallest print for {}: none up to {:.1f} mm modules reaches {:.0f}%\n",
                   to_string(m.reader), m.largest_mm, 100 * options.min_rate);
      }
    }
  }
  if (!report.pass()) {
    std::fprintf(stderr, "viscode: verification failed: %s (at least %.0f%% needed)\n",
                 failures.c_str(), 100 * options.min_rate);
    return viscode::cli::kVerificationFailed;
  }
  return viscode::cli::kOk;
}

}  // namespace

CLI::App* add_verify_command(CLI::App& app, VerifyArgs& a) {
  CLI::App* ver = app.add_subcommand(
      "verify",
      "Prove that a code (a render, a proof, a scan or photo of a print) still scans: many "
      "simulated captures at each severity up to --severity, read by each reader.\n"
      "Example: viscode verify proof.png --expect https://brand.example/p/1 --severity "
      "moderate\nExit codes: 0 every reader meets --min-rate at --severity, 5 one does not, "
      "4 the code does not read at all, 3 unreadable file, 2 bad usage.");
  ver->add_option("file", a.file,
                  "Image of the code (PNG, JPEG, WebP, ...; SVG and PDF, as sent to print)")
      ->required();
  auto* expect = ver->add_option("--expect", a.expect, "The text the code must read as");
  auto* expect_file = ver->add_option(
      "--expect-file", a.expect_file,
      "Read the expected payload from a file, compared byte for byte (binary allowed)");
  expect->excludes(expect_file);
  expect_file->excludes(expect);
  ver->add_option("--severity", a.severity,
                  "Capture conditions the code must survive: " + enum_name_list<Severity>(", ") +
                      " (docs/capture.md)")
      ->capture_default_str();
  ver->add_option("--seeds", a.seeds, "Simulated captures per severity, 1..10000")
      ->capture_default_str();
  ver->add_option("--min-rate", a.min_rate, "Read rate every reader must reach, 0..1")
      ->capture_default_str();
  ver->add_option("--readers", a.readers,
                  "Comma-separated readers: " + enum_name_list<Reader>(", ") +
                      " (default: all in this build)")
      ->delimiter(',');
  ver->add_option("--heatmap", a.heatmap,
                  "Write a PNG of where each failing reader's captures were misread, over the "
                  "code (yellow rarely, red always)");
  ver->add_option("--camera-px-per-mm", a.camera_px_per_mm,
                  "Camera pixels per mm of print for the minimum print size (10: a 12 MP "
                  "phone at about 30 cm)")
      ->capture_default_str();
  ver->add_flag("--no-min-size", a.no_min_size, "Skip the search for the smallest print size");
  ver->add_flag(
      "--json", a.json,
      "One JSON object: text, bytes_base64, version, ec, severities (rates per reader, worst "
      "block use), min_size, severity, pass");
  return ver;
}

int run_verify_command(const VerifyArgs& a) {
  if (a.expect.empty() && a.expect_file.empty()) {
    throw viscode::Error(viscode::ErrorCategory::usage,
                         "no expected payload: give --expect TEXT or --expect-file FILE");
  }
  return run_verify(a);
}

}  // namespace viscode::cli
