// Render time per code at 25 mm / 600 dpi for PNG, SVG and PDF (encode + compose + file
// bytes, no disk), median of N runs over a few logos.
#include <algorithm>
#include <chrono>
#include <cstdio>

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
  return 0;
}
