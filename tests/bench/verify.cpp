// Verification benchmark: the smallest printed size at which each style of the sample
// logos reads at >= 95% with each reader, and what one verification costs.
//
// Usage: bench_verify [--seeds N]   (captures per size tried; default 20)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "viscode/viscode.hpp"

using namespace viscode;

int main(int argc, char** argv) {
  int seeds = 20;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seeds" && i + 1 < argc) {
      seeds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench_verify [--seeds N]\n");
      return 2;
    }
  }
  const std::string payload = "https://brand.example/p/000123";
  const std::vector<Reader> readers = available_readers();
  const auto started = std::chrono::steady_clock::now();

  std::printf(
      "# Smallest print per style (moderate conditions, camera 10 px/mm, >= 95%% of "
      "%d captures)\n\n",
      seeds);
  std::printf("| logo | style | version |");
  for (const Reader r : readers)
    std::printf(" %s module mm | %s symbol mm |", std::string(to_string(r)).c_str(),
                std::string(to_string(r)).c_str());
  std::printf("\n|---|---|---:|");
  for (std::size_t i = 0; i < readers.size(); ++i) std::printf("---:|---:|");
  std::printf("\n");
  for (const char* sample : {"brand.png", "brand.svg"}) {
    const Logo logo = Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/" + sample);
    for (const Style style : {Style::halftone, Style::dots, Style::center, Style::plain}) {
      RenderOptions ro;
      ro.style = style;
      const Logo* l = style == Style::plain ? nullptr : &logo;
      EncodeOptions eo;
      eo.ec = EcLevel::H;
      const Symbol symbol = design_symbol(payload, l, eo, ro);
      const cv::Mat image = render(symbol, l, ro, 10);
      VerifyOptions vo;
      vo.severities = {Severity::pristine};
      vo.seeds = seeds;
      const VerifyReport r = verify(image, payload, vo);
      std::printf("| %s | %s | %d |", sample, std::string(to_string(style)).c_str(), r.version);
      for (const MinSize& m : r.min_size) {
        if (m.module_mm) {
          std::printf(" %.2f | %.1f |", *m.module_mm, *m.symbol_mm);
        } else {
          std::printf(" - | - |");
        }
      }
      std::printf("\n");
      std::fflush(stdout);
    }
  }

  // One verification as a CI gate runs it: every severity, 100 seeds, every reader.
  {
    const Logo logo = Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png");
    const RenderOptions ro;
    EncodeOptions eo;
    eo.ec = EcLevel::H;
    const Symbol symbol = design_symbol(payload, &logo, eo, ro);
    const cv::Mat image = render(symbol, &logo, ro, 10);
    VerifyOptions vo;
    vo.seeds = 100;
    vo.find_min_size = false;
    const auto t0 = std::chrono::steady_clock::now();
    const VerifyReport r = verify(image, payload, vo);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("\n# verify, 100 seeds x %zu severities x %zu readers (brand.png halftone)\n\n",
                r.severities.size(), readers.size());
    std::printf("| severity |");
    for (const Reader rd : readers) std::printf(" %s |", std::string(to_string(rd)).c_str());
    std::printf(" worst block use (ours) |\n|---|");
    for (std::size_t i = 0; i < readers.size(); ++i) std::printf("---:|");
    std::printf("---:|\n");
    for (const SeverityReport& sr : r.severities) {
      std::printf("| %s |", std::string(to_string(sr.severity)).c_str());
      for (const ReaderRate& rr : sr.readers) std::printf(" %.0f%% |", 100 * rr.rate());
      if (sr.worst_capacity_used) {
        std::printf(" %.0f%% |\n", 100 * *sr.worst_capacity_used);
      } else {
        std::printf(" - |\n");
      }
    }
    std::printf("\nTime: %.1f s (%zu captures, each read by %zu readers).\n", s,
                100 * r.severities.size(), readers.size());
  }
  const double total =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("Whole benchmark: %.0f s.\n", total);
  return 0;
}
