// Whole print sheets read by the detector: a batch --sheet page (A4 and A3) rasterised by
// pdftoppm at 150, 300 and 600 dpi and photographed (simulate_capture), timed on
// viscode::detect alone (the image already in memory); and the detector's time on the real
// captures of ../shared/corpus, which must not grow for single codes. Run by hand:
//   build/tests/bench/bench_sheet [runs]
// Numbers go to docs/detector.md ("Print sheets").
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sheet_photo.hpp"
#include "viscode/viscode.hpp"

namespace fs = std::filesystem;
using namespace viscode;

namespace {

double seconds_of(const std::function<void()>& work) {
  const auto t0 = std::chrono::steady_clock::now();
  work();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("model name")) return line.substr(line.find(':') + 2);
  }
  return "unknown CPU";
}

// One sheet page of `size` full of codes; its PDF's path.
fs::path make_sheet(const fs::path& dir, const std::string& size, int codes) {
  const fs::path serials = dir / (size + ".txt");
  {
    std::ofstream out(serials);
    for (int i = 0; i < codes; ++i) out << "SN" << 700000 + i * 41 << "\n";
  }
  BatchOptions o;
  o.serials = SerialFile{serials, ""};
  o.payload_template = "https://v.brand.example/a/{serial}";
  o.out_dir = dir / size;
  o.format = Format::pdf;
  o.sheet = parse_sheet(size);
  o.sheet->pages_per_file = 1;
  o.print.module_px = 16;
  run_batch(Design(std::nullopt, EncodeOptions{}, RenderOptions{}), o);
  return dir / size / "sheets-0001.pdf";
}

cv::Mat rasterise(const fs::path& pdf, int dpi) {
  const fs::path prefix = pdf.parent_path() / ("page-" + std::to_string(dpi));
  const std::string cmd = "pdftoppm -r " + std::to_string(dpi) + " -png -singlefile '" +
                          pdf.string() + "' '" + prefix.string() + "'";
  if (std::system(cmd.c_str()) != 0) {
    std::fprintf(stderr, "pdftoppm failed (install poppler-utils)\n");
    std::exit(1);
  }
  return read_image(prefix.string() + ".png");
}

void time_detect(const std::string& what, const cv::Mat& image, int expected, int runs) {
  std::vector<double> times;
  std::size_t read = 0;
  for (int r = 0; r < runs; ++r) {
    times.push_back(seconds_of([&] { read = read_codes(image).size(); }));
  }
  std::printf("| %s | %.1f MP | %zu of %d | %.3f s |\n", what.c_str(), image.total() / 1e6, read,
              expected, median(times));
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  std::printf("machine: %s, %u hardware threads; median of %d runs of read_codes()\n\n",
              cpu_model().c_str(), std::thread::hardware_concurrency(), runs);
  std::string t = (fs::temp_directory_path() / "viscode-bench-sheet-XXXXXX").string();
  const fs::path dir = mkdtemp(t.data());

  std::printf("| page | pixels | codes read | detect |\n|---|---|---|---|\n");
  for (const auto& [size, codes] : {std::pair<std::string, int>{"A4", 54}, {"A3", 117}}) {
    const fs::path pdf = make_sheet(dir, size, codes);
    for (const int dpi : {150, 300, 600}) {
      time_detect(size + " at " + std::to_string(dpi) + " dpi", rasterise(pdf, dpi), codes, runs);
    }
    // The 150 dpi page: 16 px modules at 600 dpi are 4 px.
    const CaptureOptions o = test::sheet_photo(16 / 4.0, 16 / 600.0 * 25.4);
    time_detect(size + " photo (5 px/module, 8 deg, tilt 0.1)",
                simulate_capture(rasterise(pdf, 150), o, 7), codes, runs);
  }

  // Single codes: the corpus, read_codes() alone per image.
  const fs::path corpus = fs::path(VISCODE_SOURCE_DIR) / ".." / "shared" / "corpus";
  std::vector<cv::Mat> images;
  if (fs::is_directory(corpus)) {
    for (const auto& folder : fs::directory_iterator(corpus)) {
      if (!folder.is_directory()) continue;
      for (const auto& e : fs::directory_iterator(folder.path())) {
        const std::string ext = e.path().extension().string();
        if (ext == ".png" || ext == ".jpg" || ext == ".webp")
          images.push_back(read_image(e.path()));
      }
    }
  }
  std::vector<double> per_image(images.size(), 1e9);
  double total = 1e9;
  for (int r = 0; r < runs; ++r) {
    double sum = 0;
    for (std::size_t i = 0; i < images.size(); ++i) {
      const double s = seconds_of([&] { read_codes(images[i]); });
      per_image[i] = std::min(per_image[i], s);
      sum += s;
    }
    total = std::min(total, sum);
  }
  std::printf(
      "\ncorpus: %zu images, read_codes() %.3f s in all (best of %d runs), median %.1f ms\n",
      images.size(), total, runs, 1e3 * median(per_image));
  fs::remove_all(dir);
}
