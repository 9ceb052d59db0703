// Looks-vs-scans: for each style and strength, how much of the logo a code shows (SSIM to
// the logo in the same frame) against how often each independent reader (zxing-cpp, WeChat,
// ZBar) reads it after the library's own capture presets (capture.hpp: pristine, mild,
// moderate = arm's length, hard), the same captures `viscode verify` makes. References are
// rendered in the same run, on the same captures. Prints a Markdown table, writes the
// results as CSV and a plot (with a previous run's CSV as the "before" curve, if given).
//
// Usage: bench_looks_vs_scans [--out DIR] [--strengths 0,0.5,1] [--styles halftone,dots]
//                             [--seeds N] [--refs 0|1] [--before FILE.csv] [--sheet DIR]
//                             [--no-pad] [--errors SHARE]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <thread>

#include "bench_common.hpp"
#include "fidelity.hpp"
#include "plot.hpp"
#include "readers.hpp"
#include "references.hpp"
#include "test_logos.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using namespace viscode::test;

namespace {

// Artwork pixels per module, as `viscode verify` rectifies a code to; the capture prints it
// at 0.5 mm per module at 600 dpi (capture.hpp's defaults) and photographs the print.
constexpr int kPx = 10;
constexpr int kSeverities = 4;  // all_severities(), mildest first
constexpr int kModerate = 2;    // its index there
constexpr int kMaxReaders = 3;
// Full readability: every reader reads every pristine and mild capture, >= kFullRate of the
// row's moderate captures, and >= kLogoFloor of each logo's. The floor is below kFullRate
// because a logo's 50 captures are few: a plain code misses 2 of 50 of some logo's seeds
// with WeChat and ZBar (96%) by chance alone, and no design can beat plain.
constexpr double kFullRate = 0.97;
constexpr double kLogoFloor = 0.95;

struct Cell {
  double ssim = 0;
  int n = 0;
  int reads[kSeverities][kMaxReaders] = {};
  int trials[kSeverities] = {};
  // Per logo: moderate captures, and each reader's reads of them.
  std::map<std::string, int> logo_moderate;
  std::map<std::string, int> logo_moderate_reader[kMaxReaders];
};

struct Variant {
  std::string name;
  std::string style;  // halftone, dots, or a reference name
  double strength = -1;
};

std::vector<std::string> payloads() {
  // Versions 2 to 10 at EC H: a serial, short and long product URLs, and a signed serial's
  // length (viscode1 layout, 16-character serial: about 150 characters).
  return {"SN-4F7A-99C2-11DE", "https://brand.example/p/000123",
          "https://v.brand.example/a/7KQ2M9X4PZ8R3T6W",
          "https://www.brand-example.com/products/sparkling-water/lot/2026-11/A7",
          "https://brand.example.com/a/NEW3BKC0D48VBKKF.MFRGGZDFMZTWQ2LKNNWG23TPOBYXE4TTOR2"
          "XM53YPF5DGMRVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBV"};
}

// Captures per severity for each code: one pristine, a few of each photo grade.
int seeds_for(Severity s, int moderate_seeds) {
  switch (s) {
    case Severity::pristine:
      return 1;
    case Severity::mild:
      return 2;
    case Severity::moderate:
      return moderate_seeds;
    case Severity::hard:
      return 2;
  }
  return 1;
}

std::vector<double> parse_list(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(std::stod(item));
  return out;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x7F4A7C159E3779B9ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 29);
}

// One curve of a previous run, from its CSV: (fidelity, worst reader's moderate rate).
std::map<std::string, std::vector<std::pair<double, double>>> read_before(const std::string& file) {
  std::map<std::string, std::vector<std::pair<double, double>>> out;
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string style, strength, ssim, rate;
    std::getline(ss, style, ',');
    std::getline(ss, strength, ',');
    std::getline(ss, ssim, ',');
    std::getline(ss, rate, ',');
    if (style.rfind("ref-", 0) == 0) continue;
    out[style].emplace_back(std::stod(ssim), std::stod(rate));
  }
  return out;
}

// The worst reader's share of a row's moderate captures.
double worst_moderate(const int (&reads)[kSeverities][kMaxReaders],
                      const int (&trials)[kSeverities], int readers) {
  double worst = 1;
  for (int r = 0; r < readers; ++r)
    worst = std::min(worst, static_cast<double>(reads[kModerate][r]) / trials[kModerate]);
  return worst;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir = "docs/img";
  std::string sheet_dir;  // when set, every rendering of payload 1 is written there
  std::string before_csv;
  std::vector<double> strengths = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  std::vector<std::string> styles = {"halftone", "dots"};
  int moderate_seeds = 8;
  bool refs = true;
  bool picture_pad = true;
  double picture_errors = -1;  // -1: the library's default
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const std::string v = i + 1 < argc ? argv[i + 1] : "";
    if (a == "--out") out_dir = v, ++i;
    if (a == "--sheet") sheet_dir = v, ++i;
    if (a == "--before") before_csv = v, ++i;
    if (a == "--strengths") strengths = parse_list(v), ++i;
    if (a == "--seeds") moderate_seeds = std::stoi(v), ++i;
    if (a == "--refs") refs = v != "0", ++i;
    if (a == "--no-pad") picture_pad = false;
    if (a == "--errors") picture_errors = std::stod(v), ++i;
    if (a == "--styles") {
      styles.clear();
      std::stringstream ss(v);
      std::string s;
      while (std::getline(ss, s, ',')) styles.push_back(s);
      ++i;
    }
  }

  const std::vector<test::Reader>& readers = all_readers();
  const int nr = static_cast<int>(readers.size());
  const std::vector<Severity> severities = all_severities();
  const std::vector<bench::NamedLogo> logos = bench::test_and_sample_logos();
  std::vector<Variant> variants;
  if (refs) {
    variants = {{"plain QR (reference)", "ref-plain"},
                {"logo under code at 50% (reference)", "ref-opacity"},
                {"dots on full image (reference)", "ref-dots"}};
  }
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
  std::atomic<std::size_t> next{0}, done{0};
  const auto started = std::chrono::steady_clock::now();
  const auto work = [&] {
    for (std::size_t j; (j = next++) < jobs.size();) {
      const Job& job = jobs[j];
      const Variant& var = variants[job.variant];
      const Logo& logo = logos[job.logo].logo;
      const std::string& logo_name = logos[job.logo].name;
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
        ro.picture_pad = picture_pad;
        if (picture_errors >= 0) ro.picture_errors = picture_errors;
        symbol = design_symbol(payload, &logo, eo, ro);
        frame = render_logo_frame(symbol, logo, ro, kPx);
        image = render(symbol, &logo, ro, kPx);
      }
      const int modules = symbol.size + 2 * ro.quiet;
      if (!sheet_dir.empty() && job.payload == 1) {
        std::string file = sheet_dir + "/" + logo_name + "-" + var.name + ".png";
        for (auto& ch : file)
          if (ch == ' ' || ch == '(' || ch == ')' || ch == '%') ch = '_';
        cv::imwrite(file, image);
      }
      Cell local;
      local.ssim = fidelity(image, frame, modules);  // at kFidelityPx, see fidelity.hpp
      for (int si = 0; si < kSeverities; ++si) {
        const Severity sev = severities[static_cast<std::size_t>(si)];
        const int seeds = seeds_for(sev, moderate_seeds);
        int hits[kMaxReaders] = {};
        for (int k = 0; k < seeds; ++k) {
          // The same captures for every design of a logo and payload: rows differ only by
          // the design.
          const std::uint64_t seed =
              mix(mix(job.logo + 1, job.payload + 1), static_cast<std::uint64_t>(si * 1000 + k));
          CaptureOptions co = capture_preset(sev, seed);
          co.input_module_px = kPx;
          const cv::Mat shot = simulate_capture(image, co, seed);
          for (int r = 0; r < nr; ++r) {
            if (reads(readers[static_cast<std::size_t>(r)], shot, payload)) ++hits[r];
          }
        }
        local.trials[si] = seeds;
        for (int r = 0; r < nr; ++r) local.reads[si][r] = hits[r];
      }
      std::lock_guard lock(mu);
      Cell& cell = cells[job.variant];
      cell.ssim += local.ssim;
      cell.n += 1;
      for (int s = 0; s < kSeverities; ++s) {
        cell.trials[s] += local.trials[s];
        for (int r = 0; r < nr; ++r) cell.reads[s][r] += local.reads[s][r];
      }
      cell.logo_moderate[logo_name] += local.trials[kModerate];
      for (int r = 0; r < nr; ++r) {
        cell.logo_moderate_reader[r][logo_name] += local.reads[kModerate][r];
      }
      const std::size_t d = ++done;
      if (d % 50 == 0) {
        std::fprintf(stderr, "\r%zu/%zu codes", d, jobs.size());
        std::fflush(stderr);
      }
    }
  };
  bench::on_every_core(work);
  std::fprintf(stderr, "\n");
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  std::printf("| design | fidelity (SSIM) |");
  for (const Severity s : severities)
    for (const test::Reader r : readers)
      std::printf(" %s %s |", std::string(to_string(s)).c_str(), std::string(to_string(r)).c_str());
  std::printf(" full |\n|---|---:|");
  for (int i = 0; i < kSeverities * nr; ++i) std::printf("---:|");
  std::printf(":-:|\n");
  std::vector<bool> full(variants.size());
  for (std::size_t v = 0; v < variants.size(); ++v) {
    const Cell& c = cells[v];
    bool ok = true;
    std::printf("| %s | %.3f |", variants[v].name.c_str(), c.ssim / c.n);
    for (int s = 0; s < kSeverities; ++s) {
      for (int r = 0; r < nr; ++r) {
        const double rate = static_cast<double>(c.reads[s][r]) / c.trials[s];
        std::printf(" %.0f%% |", 100 * rate);
        const Severity sev = severities[static_cast<std::size_t>(s)];
        if ((sev == Severity::pristine || sev == Severity::mild) && rate < 1) ok = false;
        if (sev == Severity::moderate && rate < kFullRate) ok = false;
      }
    }
    for (int r = 0; r < nr; ++r) {
      for (const auto& [name, reads] : c.logo_moderate_reader[r]) {
        if (reads < kLogoFloor * c.logo_moderate.at(name) - 1e-9) ok = false;
      }
    }
    full[v] = ok;
    std::printf(" %s |\n", ok ? "yes" : "no");
  }
  std::printf(
      "\n%zu codes per row (%zu logos incl. 2 samples x %zu payloads, EC H, %d px per module "
      "printed at 0.5 mm / 600 dpi); captures per code: pristine 1, mild 2, moderate %d, hard "
      "2; %.0f s on %u threads\n",
      logos.size() * payloads().size(), logos.size(), payloads().size(), kPx, moderate_seeds,
      seconds, threads);
  std::printf(
      "full: every reader reads every pristine and mild capture, >= %.0f%% of the "
      "moderate ones and >= %.0f%% of each logo's\n",
      100 * kFullRate, 100 * kLogoFloor);

  // Worst logos at moderate, per design: where the frontier's limit comes from.
  std::printf("\nWorst logo at moderate per design (reader: logo rate):\n");
  for (std::size_t v = 0; v < variants.size(); ++v) {
    std::printf("- %s:", variants[v].name.c_str());
    for (int r = 0; r < nr; ++r) {
      std::string worst;
      double worst_rate = 2;
      for (const auto& [name, reads] : cells[v].logo_moderate_reader[r]) {
        const double rate = static_cast<double>(reads) / cells[v].logo_moderate.at(name);
        if (rate < worst_rate) worst_rate = rate, worst = name;
      }
      std::printf(" %s %s %.0f%%",
                  std::string(to_string(readers[static_cast<std::size_t>(r)])).c_str(),
                  worst.c_str(), 100 * worst_rate);
    }
    std::printf("\n");
  }

  // The best full-readability point per style: the figure of merit.
  std::printf("\nBest fidelity at full readability:\n");
  for (const auto& st : styles) {
    double best = -1;
    std::string name = "none";
    for (std::size_t v = 0; v < variants.size(); ++v) {
      if (variants[v].style != st || !full[v]) continue;
      const double f = cells[v].ssim / cells[v].n;
      if (f > best) best = f, name = variants[v].name;
    }
    std::printf("- %s: %s (%.3f)\n", st.c_str(), name.c_str(), best);
  }

  // CSV: style, strength, fidelity, worst reader's moderate rate, then every rate.
  const std::string csv = out_dir + "/looks-vs-scans.csv";
  {
    std::ofstream f(csv);
    f << "style,strength,fidelity,moderate_worst";
    for (const Severity s : severities)
      for (const test::Reader r : readers) f << "," << to_string(s) << "_" << to_string(r);
    f << "\n";
    for (std::size_t v = 0; v < variants.size(); ++v) {
      const Cell& c = cells[v];
      const double worst = worst_moderate(c.reads, c.trials, nr);
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s,%.2f,%.4f,%.4f", variants[v].style.c_str(),
                    variants[v].strength, c.ssim / c.n, worst);
      f << buf;
      for (int s = 0; s < kSeverities; ++s)
        for (int r = 0; r < nr; ++r) {
          std::snprintf(buf, sizeof buf, ",%.4f", static_cast<double>(c.reads[s][r]) / c.trials[s]);
          f << buf;
        }
      f << "\n";
    }
  }
  std::printf("\ncsv: %s\n", csv.c_str());
  std::fflush(stdout);

  // Plot: fidelity (x) against the worst reader's moderate rate (y), per style; a previous
  // run's curves dashed in lighter colours; references as points.
  std::vector<bench::Series> series;
  const unsigned colours[] = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728};
  const unsigned pale[] = {0x9ecae1, 0xfdd0a2, 0xa1d99b, 0xfcbba1};
  int ci = 0;
  if (!before_csv.empty()) {
    for (const auto& [style, points] : read_before(before_csv)) {
      // The pale twin of the style's colour in this run.
      const auto at = std::find(styles.begin(), styles.end(), style);
      bench::Series s;
      s.label = style + " (before)";
      s.colour = pale[static_cast<std::size_t>(at - styles.begin()) % 4];
      s.points = points;
      series.push_back(s);
    }
  }
  for (const auto& st : styles) {
    bench::Series s;
    s.label = st;
    s.colour = colours[ci++ % 4];
    for (std::size_t v = 0; v < variants.size(); ++v) {
      if (variants[v].style != st) continue;
      const Cell& c = cells[v];
      s.points.emplace_back(c.ssim / c.n, worst_moderate(c.reads, c.trials, nr));
    }
    series.push_back(s);
  }
  const unsigned ref_colours[] = {0x000000, 0x9467bd, 0x8c564b};
  for (std::size_t v = 0; v < variants.size() && variants[v].style.rfind("ref-", 0) == 0; ++v) {
    bench::Series s;
    s.label = variants[v].name.substr(0, variants[v].name.find(" ("));
    s.colour = ref_colours[v % 3];
    s.line = false;
    const Cell& c = cells[v];
    s.points.emplace_back(c.ssim / c.n, worst_moderate(c.reads, c.trials, nr));
    series.push_back(s);
  }
  const std::string png = out_dir + "/looks-vs-scans.png";
  bench::plot(png,
              "Fidelity to the logo against the worst reader's rate at arm's length (moderate)",
              "fidelity: grey SSIM between code and logo", "read rate, worst of zxing/WeChat/ZBar",
              series, 0.2, 0.6, 0, 1);
  std::printf("plot: %s\n", png.c_str());
  return 0;
}
