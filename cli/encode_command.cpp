#include "encode_command.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <optional>

#include "data_file.hpp"
#include "option_flags.hpp"
#include "readers_text.hpp"
#include "viscode/viscode.hpp"

namespace viscode::cli {
namespace {

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
    std::fprintf(stderr, "viscode: warning: %s\n", with_flags(warning).c_str());
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

}  // namespace

CLI::App* add_encode_command(CLI::App& app, EncodeArgs& a) {
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
                  "After rendering, verify at this severity (" + enum_name_list<Severity>(", ") +
                      ") with every reader; raise --strength step by step until it reads, and say "
                      "what changed");
  enc->add_flag("--no-size-check", a.no_size_check,
                "Skip the check that the print size reads at arm's length: it runs (seconds) "
                "when --size leaves modules under 0.5 mm (1 mm below strength 0.5) and warns "
                "with the smallest size that reads");
  viscode::cli::add_sign_options(enc, a.sign);
  return enc;
}

int run_encode_command(const EncodeArgs& a) {
  if (a.data.empty() && a.data_file.empty()) {
    throw viscode::Error(viscode::ErrorCategory::usage,
                         "no payload: give --data TEXT or --data-file FILE");
  }
  return run_encode(a);
}

}  // namespace viscode::cli
