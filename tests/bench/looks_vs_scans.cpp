// Looks-vs-scans: for each style and strength, how much of the logo a code shows (SSIM to
// the logo in the same frame) against how often independent readers read it after the
// two capture definitions that fix the --strength dial (typical, small). References are
// rendered in the same run. Prints a Markdown table and writes a plot.
//
// Usage: bench_looks_vs_scans [--out DIR] [--strengths 0,0.5,1] [--styles halftone,dots]
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <thread>

#include "bench_common.hpp"
#include "capture.hpp"
#include "fidelity.hpp"
#include "plot.hpp"
#include "readers.hpp"
#include "references.hpp"
#include "test_logos.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using namespace viscode::test;

namespace {

constexpr int kPx =
    14;  // pristine pixels per module (25 mm at 600 dpi, version 4); captures resample from here
const Capture kCaptures[] = {Capture::pristine, Capture::typical, Capture::small};
const test::Reader kReaders[] = {test::Reader::zxing, test::Reader::wechat};

struct Cell {
  double ssim = 0;
  int n = 0;
  int reads[3][2] = {};             // [capture][reader]
  std::vector<std::string> misses;  // "logo/payload capture reader"
};

struct Variant {
  std::string name;
  std::string style;  // halftone, dots, or a reference name
  double strength = -1;
};

std::vector<std::string> payloads() {
  // Lengths spread over versions 2 to 6 at EC H, the sizes product URLs and serials take.
  return {"https://v.brand.example/a/7KQ2M9X4PZ8R3T6W", "https://brand.example/p/000123",
          "SN-4F7A-99C2-11DE",
          "https://www.brand-example.com/products/sparkling-water/lot/2026-11/A7",
          "0123456789012345678901234567"};
}

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stod(item));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir = "docs";
  std::string sheet_dir;  // when set, every rendering of payload 0 is written there
  std::vector<double> strengths = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  std::vector<std::string> styles = {"halftone", "dots"};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--out") out_dir = v;
    if (a == "--sheet") sheet_dir = v;
    if (a == "--strengths") strengths = parse_list(v);
    if (a == "--styles") {
      styles.clear();
      std::stringstream ss(v);
      std::string s;
      while (std::getline(ss, s, ',')) styles.push_back(s);
    }
  }

  const std::vector<bench::NamedLogo> logos = bench::test_and_sample_logos();
  std::vector<Variant> variants = {{"plain QR (reference)", "ref-plain"},
                                   {"logo under code at 50% (reference)", "ref-opacity"},
                                   {"dots on full image (reference)", "ref-dots"}};
  for (const auto& st : styles) {
    for (double s : strengths) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s %.2f", st.c_str(), s);
      variants.push_back({buf, st, s});
    }
  }

  struct Job {
    std::size_t variant, logo, payload;
  };
  std::vector<Job> jobs;
  for (std::size_t v = 0; v < variants.size(); ++v)
    for (std::size_t l = 0; l < logos.size(); ++l)
      for (std::size_t p = 0; p < payloads().size(); ++p) jobs.push_back({v, l, p});

  std::vector<Cell> cells(variants.size());
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  const auto started = std::chrono::steady_clock::now();
  const auto work = [&] {
    for (std::size_t j; (j = next++) < jobs.size();) {
      const Job& job = jobs[j];
      const Variant& var = variants[job.variant];
      const Logo& logo = logos[job.logo].logo;
      const std::string payload = payloads()[job.payload];
      RenderOptions ro;
      EncodeOptions eo;
      eo.ec = EcLevel::H;
      cv::Mat image, frame;
      Symbol symbol;
      if (var.style.rfind("ref-", 0) == 0) {
        symbol = encode(payload, eo);
        frame = render_logo_frame(symbol, logo, ro, kPx);
        if (var.style == "ref-plain") image = bench::reference_plain(symbol, ro.quiet, kPx);
        if (var.style == "ref-opacity")
          image = bench::reference_opacity(symbol, frame, ro.quiet, kPx);
        if (var.style == "ref-dots")
          image = bench::reference_dots_on_image(symbol, frame, ro.quiet, kPx);
      } else {
        ro.style = parse_style(var.style);
        ro.strength = var.strength;
        symbol = design_symbol(payload, &logo, eo, ro);
        frame = render_logo_frame(symbol, logo, ro, kPx);
        image = render(symbol, &logo, ro, kPx);
      }
      const int modules = symbol.size + 2 * ro.quiet;
      if (!sheet_dir.empty() && job.payload == 0) {
        std::string file = sheet_dir + "/" + logos[job.logo].name + "-" + var.name + ".png";
        for (auto& ch : file)
          if (ch == ' ' || ch == '(' || ch == ')' || ch == '%') ch = '_';
        cv::imwrite(file, image);
      }
      Cell local;
      local.ssim = fidelity(image, frame, modules);  // at kFidelityPx, see fidelity.hpp
      local.n = 1;
      for (int c = 0; c < 3; ++c) {
        const cv::Mat cap = capture(image, modules, kCaptures[c]);
        for (int r = 0; r < 2; ++r) {
          if (reads(kReaders[r], cap, payload)) {
            local.reads[c][r] = 1;
          } else {
            local.misses.push_back(logos[job.logo].name + "#" + std::to_string(job.payload) + " " +
                                   std::string(to_string(kCaptures[c])) + " " +
                                   std::string(to_string(kReaders[r])));
          }
        }
      }
      std::lock_guard lock(mu);
      Cell& cell = cells[job.variant];
      cell.ssim += local.ssim;
      cell.n += 1;
      for (int c = 0; c < 3; ++c)
        for (int r = 0; r < 2; ++r) cell.reads[c][r] += local.reads[c][r];
      cell.misses.insert(cell.misses.end(), local.misses.begin(), local.misses.end());
    }
  };
  bench::on_every_core(work);
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf(
      "| design | fidelity (SSIM) | pristine zxing | pristine wechat | typical zxing | "
      "typical wechat | small zxing | small wechat |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const Cell& c = cells[v];
    std::printf("| %s | %.3f |", variants[v].name.c_str(), c.ssim / c.n);
    for (int k = 0; k < 3; ++k)
      for (int r = 0; r < 2; ++r) std::printf(" %.0f%% |", 100.0 * c.reads[k][r] / c.n);
    std::printf("\n");
  }
  std::printf(
      "\n%zu codes per row (%zu logos incl. 2 samples x %zu payloads), %zu renders, %.1f s on %u "
      "threads\n",
      logos.size() * payloads().size(), logos.size(), payloads().size(), jobs.size(), seconds,
      threads);
  // Only what the product promises: the default reads at pristine and typical, 1.0 at small.
  std::printf("\nMisses of those promises (logo#payload capture reader):\n");
  for (std::size_t v = 3; v < variants.size(); ++v) {
    const double s = variants[v].strength;
    const bool is_default = std::abs(s - kDefaultStrength) < 1e-9;
    if (!is_default && std::abs(s - 1.0) > 1e-9) continue;
    std::printf("- %s (%s):", variants[v].name.c_str(),
                is_default ? "default; pristine and typical" : "all captures");
    int shown = 0;
    for (const auto& m : cells[v].misses) {
      if (is_default && m.find(" small ") != std::string::npos) continue;
      std::printf(" [%s]", m.c_str());
      ++shown;
    }
    if (shown == 0) std::printf(" none");
    std::printf("\n");
  }

  std::fflush(stdout);

  // Plot: fidelity (x) against the worse of the two readers' rates (y), per capture.
  std::vector<bench::Series> series;
  const unsigned colours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728};
  int ci = 0;
  for (const auto& st : styles) {
    for (int k = 1; k < 3; ++k) {
      bench::Series s;
      s.label = st + ", " + std::string(to_string(kCaptures[k]));
      s.colour = colours[ci++ % 4];
      for (std::size_t v = 3; v < variants.size(); ++v) {
        if (variants[v].style != st) continue;
        const Cell& c = cells[v];
        const double rate = std::min(c.reads[k][0], c.reads[k][1]) / double(c.n);
        s.points.emplace_back(c.ssim / c.n, rate);
      }
      series.push_back(s);
    }
  }
  const unsigned ref_colours[] = {0x000000, 0x9467bd, 0x8c564b};
  for (std::size_t v = 0; v < 3; ++v) {
    for (int k = 1; k < 3; ++k) {
      bench::Series s;
      s.label = variants[v].name.substr(0, variants[v].name.find(" (")) + ", " +
                std::string(to_string(kCaptures[k]));
      s.colour = ref_colours[v];
      s.line = false;
      const Cell& c = cells[v];
      s.points.emplace_back(c.ssim / c.n, std::min(c.reads[k][0], c.reads[k][1]) / double(c.n));
      series.push_back(s);
    }
  }
  const std::string png = out_dir + "/looks-vs-scans.png";
  bench::plot(png,
              "Looks vs scans: fidelity to the logo against read rate (worse of zxing-cpp, WeChat)",
              "fidelity: grey SSIM between code and logo", "read rate", series, 0.2, 0.6, 0, 1);
  std::printf("\nplot: %s\n", png.c_str());
  return 0;
}
