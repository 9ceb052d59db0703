#include "option_flags.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace viscode::cli {
namespace {

constexpr std::array kFlags{
    // encode, decode, verify and batch: the design (design_args.cpp)
    OptionFlag{"CodeOptions.logo", "--logo"},
    OptionFlag{"Logo::load(file)", "--logo"},
    OptionFlag{"RenderOptions.style", "--style"},
    OptionFlag{"RenderOptions.strength", "--strength"},
    OptionFlag{"RenderOptions.picture_errors", "--picture-ec"},
    OptionFlag{"RenderOptions.fit", "--fit"},
    OptionFlag{"RenderOptions.dark", "--dark"},
    OptionFlag{"RenderOptions.light", "--light"},
    OptionFlag{"RenderOptions.quiet", "--quiet"},
    OptionFlag{"EncodeOptions.ec", "--ec"},
    OptionFlag{"EncodeOptions.min_version", "--min-version"},
    OptionFlag{"EncodeOptions.max_version", "--max-version"},
    OptionFlag{"EncodeOptions.mask", "--mask"},
    OptionFlag{"byte_capacity(max_version)", "--max-version"},
    OptionFlag{"encode(text)", "--data"},
    OptionFlag{"PrintOptions.dpi", "--dpi"},
    OptionFlag{"PrintOptions.size_mm", "--size"},
    OptionFlag{"PrintOptions.module_px", "--module-px"},
    OptionFlag{"render(module_px)", "--module-px"},
    OptionFlag{"PrintOptions.ink", "--ink"},
    OptionFlag{"PrintOptions.icc", "--icc"},
    OptionFlag{"PrintOptions.bleed_mm", "--bleed"},
    OptionFlag{"write(file)", "--output"},
    OptionFlag{"ensure_design(severity)", "--ensure"},
    // decode, verify, authenticate, batch --check-scan
    OptionFlag{"ReadOptions.max_megapixels", "--max-megapixels"},
    OptionFlag{"ReadOptions.vector_dpi", ""},
    // verify
    OptionFlag{"VerifyOptions.seeds", "--seeds"},
    OptionFlag{"VerifyOptions.min_rate", "--min-rate"},
    OptionFlag{"VerifyOptions.camera_px_per_mm", "--camera-px-per-mm"},
    OptionFlag{"VerifyOptions.readers", "--readers"},
    OptionFlag{"VerifyOptions.jobs", ""},
    OptionFlag{"write_failure_map(file)", "--heatmap"},
    // the capture simulation has no flags of its own
    OptionFlag{"CaptureOptions.input_module_px", ""},
    OptionFlag{"CaptureOptions.print_module_mm", ""},
    OptionFlag{"CaptureOptions.ink_spread", ""},
    // batch
    OptionFlag{"BatchOptions.payload_template", "--template"},
    OptionFlag{"BatchOptions.out_dir", "--out-dir"},
    OptionFlag{"BatchOptions.format", "--format"},
    OptionFlag{"BatchOptions.sheet", "--sheet"},
    OptionFlag{"parse_sheet(text)", "--sheet"},
    OptionFlag{"BatchOptions.jobs", "--jobs"},
    OptionFlag{"BatchOptions.resume", "--resume"},
    OptionFlag{"BatchOptions.sign_key", "--sign"},
    OptionFlag{"BatchOptions.product", "--product"},
    OptionFlag{"SerialFile.file", "--serials"},
    OptionFlag{"SerialFile.column", "--column"},
    OptionFlag{"SerialFile.lines", "--lines"},
    OptionFlag{"RandomSerials.count", "--count"},
    OptionFlag{"RandomSerials.length", "--serial-length"},
    OptionFlag{"SheetOptions.gap_mm", "--gap"},
    OptionFlag{"SheetOptions.margin_mm", "--margin"},
    OptionFlag{"SheetOptions.pages_per_file", "--pages-per-file"},
    OptionFlag{"check_scans(scans)", "--check-scan"},
    // keygen
    OptionFlag{"write_key_files(stem)", "--out"},
    // ledger
    OptionFlag{"Ledger::open(url)", "--db"},
    OptionFlag{"Ledger::import_manifest(batch)", "--batch"},
    OptionFlag{"ScanContext.at", "--at"},
    OptionFlag{"ScanContext.where", "--where"},
    // serve
    OptionFlag{"ServeOptions.db", "--db"},
    OptionFlag{"ServeOptions.keys", "--pub"},
    OptionFlag{"ServeOptions.listen", "--listen"},
    OptionFlag{"ServeOptions.threads", "--threads"},
    OptionFlag{"ServeOptions.trust_proxy", "--trust-proxy"},
    OptionFlag{"ServeOptions.rate_limit", "--rate-limit"},
    OptionFlag{"ServeOptions.products", "--products"},
    OptionFlag{"ServeOptions.reload_window", "--reload-window"},
    OptionFlag{"ServeOptions.cookie_key_file", "--cookie-key-file"},
    OptionFlag{"ServeOptions.retention_days", "--retention-days"},
    OptionFlag{"ServeOptions.admin_token_file", "--admin-token-file"},
    OptionFlag{"ServeOptions.webhook_url", "--webhook"},
    OptionFlag{"ServeOptions.webhook_secret_file", "--webhook-secret-file"},
};

bool continues_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::span<const OptionFlag> option_flags() {
  return kFlags;
}

std::string with_flags(std::string_view message) {
  static const std::vector<OptionFlag> longest_first = [] {
    std::vector<OptionFlag> v(kFlags.begin(), kFlags.end());
    std::stable_sort(v.begin(), v.end(), [](const OptionFlag& a, const OptionFlag& b) {
      return a.token.size() > b.token.size();
    });
    return v;
  }();
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    const OptionFlag* hit = nullptr;
    // A token starts a word ("XRenderOptions.fit" is none). Its end is not checked: the
    // longest token wins, so a longer field is never read as a shorter one, and a plural
    // ("the limit for PrintOptions.iccs") reads as it did ("--iccs").
    if (i == 0 || !continues_word(message[i - 1])) {
      for (const OptionFlag& f : longest_first) {
        if (message.substr(i, f.token.size()) == f.token) {
          hit = &f;
          break;
        }
      }
    }
    if (hit != nullptr) {
      out += hit->flag.empty() ? hit->token : hit->flag;
      i += hit->token.size();
    } else {
      out += message[i++];
    }
  }
  return out;
}

}  // namespace viscode::cli
