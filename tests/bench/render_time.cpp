// Render time per code at 25 mm / 600 dpi for PNG, SVG and PDF (encode + compose + file
// bytes, no disk): the free functions, median of N runs over a few logos, then a prepared
// Design, as a serialised print run uses one.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "test_logos.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  const auto logos = test::test_logos();
  PrintOptions print;
  print.size_mm = 25;
  print.dpi = 600;
  std::printf("| format | style | median ms per code | bytes |\n|---|---|---:|---:|\n");
  for (Format f : {Format::png, Format::svg, Format::pdf}) {
    for (Style st : {Style::halftone, Style::dots, Style::center, Style::plain}) {
      std::vector<double> ms;
      std::size_t bytes = 0;
      for (int i = 0; i < runs; ++i) {
        const Logo logo = Logo::from_image(logos[static_cast<std::size_t>(i) % logos.size()].image);
        RenderOptions ro;
        ro.style = st;
        const auto t0 = std::chrono::steady_clock::now();
        const Symbol s = design_symbol("https://v.brand.example/a/" + std::to_string(100000 + i),
                                       &logo, EncodeOptions{}, ro);
        bytes = render_file(s, &logo, ro, print, f).size();
        ms.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
      }
      std::sort(ms.begin(), ms.end());
      const char* names[] = {"PNG", "SVG", "PDF"};
      std::printf("| %s | %s | %.1f | %zu |\n", names[static_cast<int>(f)],
                  std::string(to_string(st)).c_str(), ms[ms.size() / 2], bytes);
    }
  }

  // A prepared Design, as a serialised run uses one: the logo analysed once per symbol size
  // (outside the timing), then per code symbol() and render_file(). Thread CPU time, so other
  // load on the machine counts less; the fastest of 5 rounds.
  constexpr int kCodes = 50, kRounds = 5;
  const auto cpu_ms = [] {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
  };
  const Logo logo = Logo::from_image(logos.front().image);
  std::printf(
      "\n| style | symbol() ms | PNG ms | SVG ms | PDF ms | PNG bytes |\n"
      "|---|---:|---:|---:|---:|---:|\n");
  for (Style st : {Style::halftone, Style::dots, Style::center, Style::plain}) {
    RenderOptions ro;
    ro.style = st;
    const Design design(st == Style::plain ? std::nullopt : std::optional<Logo>(logo),
                        EncodeOptions{}, ro);
    std::vector<Symbol> symbols(kCodes);
    const auto payload = [](int i) {
      return "https://v.brand.example/a/" + std::to_string(1000000 + i);
    };
    (void)design.render_file(design.symbol(payload(0)), print, Format::png);  // analysis
    double best_symbol = 1e9, best[3] = {1e9, 1e9, 1e9};
    std::size_t png_bytes = 0;
    for (int r = 0; r < kRounds; ++r) {
      double t0 = cpu_ms();
      for (int i = 0; i < kCodes; ++i)
        symbols[static_cast<std::size_t>(i)] = design.symbol(payload(i));
      best_symbol = std::min(best_symbol, (cpu_ms() - t0) / kCodes);
      for (Format f : {Format::png, Format::svg, Format::pdf}) {
        const int n = f == Format::png ? kCodes : kCodes / 5;  // vector files take longer
        std::size_t bytes = 0;
        t0 = cpu_ms();
        for (int i = 0; i < n; ++i) {
          bytes += design.render_file(symbols[static_cast<std::size_t>(i)], print, f).size();
        }
        best[static_cast<int>(f)] = std::min(best[static_cast<int>(f)], (cpu_ms() - t0) / n);
        if (f == Format::png) png_bytes = bytes / static_cast<std::size_t>(n);
      }
    }
    std::printf("| %s | %.2f | %.1f | %.1f | %.1f | %zu |\n", std::string(to_string(st)).c_str(),
                best_symbol, best[0], best[1], best[2], png_bytes);
  }
  return 0;
}
