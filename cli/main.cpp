// viscode — command-line front end. Parses flags, calls the public API, maps errors to
// exit codes; everything a library user would also need lives in the library.
#include <fmt/core.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "batch_command.hpp"
#include "design_args.hpp"
#include "exit_codes.hpp"
#include "json.hpp"
#include "ledger_command.hpp"
#include "serve_command.hpp"
#include "shown_text.hpp"
#include "sign_commands.hpp"
#include "viscode/viscode.hpp"

namespace {

using viscode::cli::add_design_options;
using viscode::cli::design_options;
using viscode::cli::DesignArgs;
using viscode::cli::DesignOptions;

struct EncodeArgs {
  DesignArgs d;
  std::string data, data_file, output, ensure;
  bool no_size_check = false;
  viscode::cli::SignArgs sign;
};

// --data-file and --expect-file: a QR code holds at most 2,953 bytes, so a larger file is a
// mistake (or /dev/zero), refused before it is read.
std::string read_data_file(const std::string& path, const std::string& flag = "--data-file") {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw viscode::Error(viscode::ErrorCategory::input,
                         "data file '" + path + "' is a directory: give a file to " + flag);
  }
  if (!std::filesystem::exists(path, ec)) {
    throw viscode::Error(
        viscode::ErrorCategory::input,
        "data file '" + path + "' cannot be read: check the path given to " + flag);
  }
  const std::string give = "give a file to " + flag;
  std::string bytes = viscode::read_payload_file(path, give);
  if (bytes.empty()) {
    throw viscode::Error(viscode::ErrorCategory::input,
                         "data file '" + path + "' is empty: put the payload in it");
  }
  return bytes;
}

std::string readers_text(const std::vector<viscode::Reader>& readers) {
  std::string out;
  for (const viscode::Reader r : readers) {
    if (!out.empty()) out += ", ";
    out += viscode::to_string(r);
  }
  return out;
}

// A print too small to read is legal, and an easy mistake (--size 5mm): measure what this
// design needs when its modules are small enough to be in doubt.
void warn_if_too_small(const viscode::Symbol& symbol, const viscode::Logo* logo,
                       const viscode::RenderOptions& render, const std::string& payload,
                       const viscode::OutputInfo& info, double dpi) {
  using namespace viscode;
  if (info.module_mm >= print_size_check_mm(render.strength)) return;
  const VerifyOptions verify_options;
  if (isatty(fileno(stderr))) {
    std::fprintf(stderr, "checking the print size (moderate, readers %s)...\n",
                 readers_text(verify_options.readers).c_str());
  }
  const std::optional<double> needed =
      smallest_print_module_mm(symbol, logo, render, payload, verify_options);
  const int frame = symbol.size + 2 * render.quiet;
  if (!needed) {
    std::fprintf(stderr,
                 "viscode: warning: no print size of this design reads at moderate with every "
                 "reader (%s): raise --strength, or check it with 'viscode verify'\n",
                 readers_text(verify_options.readers).c_str());
  } else if (info.module_mm < *needed) {
    // Modules are whole pixels at the print's dpi: the width that gives at least `needed`.
    const double px_per_mm = dpi / 25.4;
    const double width_mm = std::ceil(std::ceil(*needed * px_per_mm - 1e-9) / px_per_mm * frame);
    std::fprintf(stderr,
                 "viscode: warning: modules of %.2f mm are below the %.2f mm this design needs to "
                 "read at moderate (camera %g px/mm; %s): print it at least %.0f mm wide "
                 "(--size %.0fmm), or check it with 'viscode verify'\n",
                 info.module_mm, *needed, verify_options.camera_px_per_mm,
                 readers_text(verify_options.readers).c_str(), width_mm, width_mm);
  }
}

int run_encode(const EncodeArgs& a) {
  using namespace viscode;
  const DesignOptions o = design_options(a.d);
  RenderOptions render = o.render;
  const EncodeOptions& encode = o.encode;
  const PrintOptions& print = o.print;
  format_from_path(a.output);  // an unknown extension fails before any work

  const cli::EncodePayload signed_or_not = cli::encode_payload(
      a.data_file.empty() ? a.data : read_data_file(a.data_file), !a.data_file.empty(), a.sign);
  const std::string& payload = signed_or_not.text;
  std::optional<Logo> logo;
  if (!a.d.logo.empty()) logo = Logo::load(a.d.logo);
  const Logo* logo_ptr = logo ? &*logo : nullptr;

  Symbol symbol;
  if (a.ensure.empty()) {
    symbol = design_symbol(payload, logo_ptr, encode, render);
  } else {
    const Severity severity = parse_severity(a.ensure);
    if (isatty(fileno(stderr))) {
      std::fprintf(stderr, "ensure: verifying at %s with %s...\n", a.ensure.c_str(),
                   readers_text(available_readers()).c_str());
    }
    EnsuredDesign design = ensure_design(payload, logo_ptr, encode, render, severity);
    for (const std::string& change : design.changes) {
      fmt::print("ensure: {}\n", change);
    }
    fmt::print("ensure: reads at {} with {} at strength {:.2f}{}\n", a.ensure,
               readers_text(available_readers()), design.render.strength,
               design.changes.empty() ? " (unchanged)" : "");
    symbol = std::move(design.symbol);
    render = design.render;
  }
  for (const std::string& warning : design_warnings(logo_ptr, render, symbol.size)) {
    std::fprintf(stderr, "viscode: warning: %s\n", warning.c_str());
  }
  const OutputInfo info = write(symbol, logo_ptr, render, print, a.output);
  fmt::print(
      "version {}, EC {}, mask {}, {}x{} modules, module {:.2f} mm ({} px at {:g} dpi), "
      "{:.2f} mm, {} -> {}\n",
      symbol.version, to_char(symbol.ec), symbol.mask, symbol.size, symbol.size, info.module_mm,
      info.module_px, a.d.dpi, info.size_mm, to_string(render.style), a.output);
  if (!signed_or_not.note.empty()) fmt::print("{}\n", signed_or_not.note);
  // --module-px asks for pixels (a screen, a test), not for a print.
  if (!a.no_size_check && print.module_px == 0)
    warn_if_too_small(symbol, logo_ptr, render, payload, info, print.dpi);
  return 0;
}

struct DecodeArgs {
  std::vector<std::string> files;
  bool json = false;
  double max_megapixels = 100;
};

std::string json_line(const std::string& file, const std::vector<viscode::Decoded>& codes,
                      const std::string& error) {
  using viscode::cli::json_string;
  std::string line = "{\"file\": " + json_string(file) + ", \"codes\": [";
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const viscode::Decoded& d = codes[i];
    if (i > 0) line += ", ";
    line += "{\"text\": " + json_string(d.text) +
            ", \"bytes_base64\": " + viscode::cli::json_base64(d.bytes) +
            ", \"charset\": " + json_string(d.charset) +
            ", \"charset_guessed\": " + (d.charset_guessed ? "true" : "false") + ", \"corners\": [";
    for (std::size_t k = 0; k < d.corners.size(); ++k) {
      line += fmt::format("{}[{:.1f}, {:.1f}]", k > 0 ? ", " : "", d.corners[k].x, d.corners[k].y);
    }
    line += fmt::format(
        "], \"version\": {}, \"ec\": \"{}\", \"mask\": {}, \"errors_corrected\": {}, "
        "\"error_capacity\": {}",
        d.version, viscode::to_char(d.ec), d.mask, d.errors_corrected(), d.error_capacity());
    // Only the rare old Model 1 codes say so: Model 2 output stays as it always was.
    line += d.model == 1 ? ", \"model\": 1}" : "}";
  }
  line += "]";
  if (!error.empty()) line += ", \"error\": " + json_string(error);
  return line + "}";
}

// Exit 3 when a file could not be read, else 4 when a file gave no code, else 0.
int run_decode(const DecodeArgs& a) {
  viscode::DetectOptions options;
  options.max_megapixels = a.max_megapixels;
  bool unreadable = false, empty = false;
  for (const std::string& file : a.files) {
    std::vector<viscode::Decoded> codes;
    std::string error;
    try {
      codes = viscode::detect(viscode::read_image(file, options), options);
    } catch (const viscode::Error& e) {
      // A bad option is no fault of the file: it stops the command (exit 2).
      if (e.category() == viscode::ErrorCategory::usage) throw;
      error = e.what();
      unreadable = true;
    }
    if (error.empty() && codes.empty()) empty = true;
    if (a.json) {
      fmt::print("{}\n", json_line(file, codes, error));
      std::fflush(stdout);
      continue;
    }
    if (!error.empty()) {
      std::fprintf(stderr, "viscode: %s\n", error.c_str());
    } else if (codes.empty()) {
      std::fprintf(stderr, "viscode: no code found in '%s'\n", file.c_str());
    }
    for (const viscode::Decoded& d : codes) {
      if (a.files.size() > 1) {
        fmt::print("{}: {}\n", file, viscode::cli::shown_text(d.text));
      } else {
        fmt::print("{}\n", viscode::cli::shown_text(d.text));
      }
    }
  }
  return unreadable ? viscode::cli::kInput : empty ? viscode::cli::kCannotCode : viscode::cli::kOk;
}

}  // namespace

struct VerifyArgs {
  std::string file, expect, expect_file, severity = "moderate", heatmap;
  std::vector<std::string> readers;
  int seeds = 20;
  double min_rate = 0.95, camera_px_per_mm = 10;
  bool json = false, no_min_size = false;
};

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
  DetectOptions read_options;
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

  std::string failures;
  for (const Reader r : options.readers) {
    const double rate = report.rate(r, gate);
    if (rate >= options.min_rate) continue;
    failures += fmt::format("{}{} reads {:.0f}% at {}", failures.empty() ? "" : ", ", to_string(r),
                            100 * rate, a.severity);
  }
  if (a.json) {
    fmt::print("{}\n", verify_json(a.file, report, a.severity, failures.empty()));
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
  if (!failures.empty()) {
    std::fprintf(stderr, "viscode: verification failed: %s (at least %.0f%% needed)\n",
                 failures.c_str(), 100 * options.min_rate);
    return viscode::cli::kVerificationFailed;
  }
  return viscode::cli::kOk;
}

int main(int argc, char** argv) {
  CLI::App app{
      "viscode — designer QR codes: a brand's image with a scannable code behind it.\n"
      "Exit codes: 0 ok, 1 internal error, 2 bad usage, 3 unreadable input, 4 cannot "
      "encode or decode, 5 verification failed (or a batch that does not check out), 6 not "
      "authentic (a forged or unsigned code)."};
  app.set_version_flag("--version", std::string("viscode ") + viscode::kVersionString);
  app.require_subcommand(1);

  EncodeArgs a;
  CLI::App* enc = app.add_subcommand(
      "encode",
      "Render a payload as a designer code over a logo, to PNG, SVG or PDF.\n"
      "Example: viscode encode --logo brand.png --data https://brand.example/p/1 -o code.svg");
  add_design_options(enc, a.d);
  auto* data = enc->add_option("--data", a.data, "Payload text (UTF-8), e.g. a product URL");
  auto* data_file =
      enc->add_option("--data-file", a.data_file, "Read the payload from a file (binary allowed)");
  data->excludes(data_file);
  data_file->excludes(data);
  enc->add_option("-o,--output", a.output,
                  "Output file; format from the extension: .png, .svg, .pdf")
      ->required();
  enc->add_option("--ensure", a.ensure,
                  "After rendering, verify at this severity (pristine, mild, moderate, hard) "
                  "with every reader; raise --strength step by step until it reads, and say "
                  "what changed");
  enc->add_flag("--no-size-check", a.no_size_check,
                "Skip the check that the print size reads at arm's length: it runs (seconds) "
                "when --size leaves modules under 0.5 mm (1 mm below strength 0.5) and warns "
                "with the smallest size that reads");
  viscode::cli::add_sign_options(enc, a.sign);

  viscode::cli::BatchArgs ba;
  CLI::App* bat = viscode::cli::add_batch_command(app, ba);

  viscode::cli::KeygenArgs ka;
  CLI::App* keygen = viscode::cli::add_keygen_command(app, ka);
  viscode::cli::AuthenticateArgs aa;
  CLI::App* auth = viscode::cli::add_authenticate_command(app, aa);

  viscode::cli::LedgerArgs la;
  CLI::App* led = viscode::cli::add_ledger_command(app, la);
  viscode::cli::ServeArgs sa;
  CLI::App* srv = viscode::cli::add_serve_command(app, sa);

  DecodeArgs da;
  CLI::App* dec = app.add_subcommand(
      "decode",
      "Read QR codes (designer codes included) from images with viscode's own detector.\n"
      "Plain output shows a payload's control characters as \\xNN; --json has the exact text.\n"
      "Exit codes: 0 every file gave a code, 4 some gave none, 3 some could not be read.");
  dec->add_option("files", da.files,
                  "Image files (PNG, JPEG, WebP, ...; SVG and PDF rasterised at 600 dpi)")
      ->required();
  dec->add_flag("--json", da.json,
                "One JSON object per file and line: file, codes (text, bytes_base64: the "
                "payload's exact bytes, charset and charset_guessed: the character set the "
                "text was decoded from and whether it was guessed, corners, version, ec, mask, "
                "errors_corrected, error_capacity), and error for an unreadable file");
  dec->add_option("--max-megapixels", da.max_megapixels,
                  "Refuse larger images before decoding them (above 0, at most 1000)")
      ->capture_default_str();

  VerifyArgs va;
  CLI::App* ver = app.add_subcommand(
      "verify",
      "Prove that a code (a render, a proof, a scan or photo of a print) still scans: many "
      "simulated captures at each severity up to --severity, read by each reader.\n"
      "Example: viscode verify proof.png --expect https://brand.example/p/1 --severity "
      "moderate\nExit codes: 0 every reader meets --min-rate at --severity, 5 one does not, "
      "4 the code does not read at all, 3 unreadable file, 2 bad usage.");
  ver->add_option("file", va.file,
                  "Image of the code (PNG, JPEG, WebP, ...; SVG and PDF, as sent to print)")
      ->required();
  auto* expect = ver->add_option("--expect", va.expect, "The text the code must read as");
  auto* expect_file = ver->add_option(
      "--expect-file", va.expect_file,
      "Read the expected payload from a file, compared byte for byte (binary allowed)");
  expect->excludes(expect_file);
  expect_file->excludes(expect);
  ver->add_option("--severity", va.severity,
                  "Capture conditions the code must survive: pristine, mild, moderate, hard "
                  "(docs/capture.md)")
      ->capture_default_str();
  ver->add_option("--seeds", va.seeds, "Simulated captures per severity, 1..10000")
      ->capture_default_str();
  ver->add_option("--min-rate", va.min_rate, "Read rate every reader must reach, 0..1")
      ->capture_default_str();
  ver->add_option("--readers", va.readers,
                  "Comma-separated readers: ours, zxing, wechat, zbar (default: all in this build)")
      ->delimiter(',');
  ver->add_option("--heatmap", va.heatmap,
                  "Write a PNG of where each failing reader's captures were misread, over the "
                  "code (yellow rarely, red always)");
  ver->add_option("--camera-px-per-mm", va.camera_px_per_mm,
                  "Camera pixels per mm of print for the minimum print size (10: a 12 MP "
                  "phone at about 30 cm)")
      ->capture_default_str();
  ver->add_flag("--no-min-size", va.no_min_size, "Skip the search for the smallest print size");
  ver->add_flag(
      "--json", va.json,
      "One JSON object: text, bytes_base64, version, ec, severities (rates per reader, worst "
      "block use), min_size, severity, pass");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "viscode: %s\nRun 'viscode %s--help' for the options.\n", e.what(),
                 enc->parsed()      ? "encode "
                 : dec->parsed()    ? "decode "
                 : ver->parsed()    ? "verify "
                 : bat->parsed()    ? "batch "
                 : keygen->parsed() ? "keygen "
                 : auth->parsed()   ? "authenticate "
                 : led->parsed()    ? "ledger "
                 : srv->parsed()    ? "serve "
                                    : "");
    return viscode::cli::kUsage;
  }

  try {
    if (enc->parsed()) {
      if (a.data.empty() && a.data_file.empty()) {
        throw viscode::Error(viscode::ErrorCategory::usage,
                             "no payload: give --data TEXT or --data-file FILE");
      }
      return run_encode(a);
    }
    if (dec->parsed()) return run_decode(da);
    if (bat->parsed()) return viscode::cli::run_batch_command(ba);
    if (keygen->parsed()) return viscode::cli::run_keygen(ka);
    if (auth->parsed()) return viscode::cli::run_authenticate(aa);
    if (led->parsed()) return viscode::cli::run_ledger_command(la);
    if (srv->parsed()) return viscode::cli::run_serve_command(sa);
    if (ver->parsed()) {
      if (va.expect.empty() && va.expect_file.empty()) {
        throw viscode::Error(viscode::ErrorCategory::usage,
                             "no expected payload: give --expect TEXT or --expect-file FILE");
      }
      return run_verify(va);
    }
  } catch (const viscode::Error& e) {
    std::fprintf(stderr, "viscode: %s\n", e.what());
    return viscode::cli::exit_code(e.category());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "viscode: internal error: %s\n", e.what());
    return viscode::cli::kInternal;
  }
  return 0;
}
