// Capture simulation: time per capture at each severity, and the pictures of docs/capture.md.
//
// Usage: bench_capture [--runs N]        median CPU ms per capture, one thread, per severity
//        bench_capture --images DIR      DIR/capture-<severity>.png, one designer code
#include "viscode/capture.hpp"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "viscode/viscode.hpp"

using namespace viscode;

namespace {

constexpr int kArtworkPx = 10;  // px per module of the artwork every capture starts from

// CPU time of this thread, ms: what a capture costs, whatever else the machine runs.
double cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

// The same designer code in every picture: the halftone of the sample logo, version 1 (a
// short serial), so that the noisy pictures stay small. Seed 38 draws typical conditions:
// a few degrees of rotation, a tilt of a third at hard, light falling off by half.
constexpr std::uint64_t kPictureSeed = 38;
int images(const std::string& dir) {
  const Logo logo = Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png");
  const RenderOptions style;
  const Symbol symbol = design_symbol("VC-0001", &logo, {}, style);
  const cv::Mat art = render(symbol, &logo, style, kArtworkPx);
  for (const Severity s : all_severities()) {
    CaptureOptions o = capture_preset(s, kPictureSeed);
    o.input_module_px = kArtworkPx;
    const cv::Mat shot = simulate_capture(art, o, kPictureSeed);
    const std::string file = dir + "/capture-" + std::string(to_string(s)) + ".png";
    if (!cv::imwrite(file, shot, {cv::IMWRITE_PNG_COMPRESSION, 9})) {
      std::fprintf(stderr, "bench_capture: cannot write %s\n", file.c_str());
      return 1;
    }
    std::printf(
        "%s: %dx%d px, rotation %.1f, tilt %.2f at %.0f deg, gradient %.2f at %.0f deg, motion "
        "%.1f px at %.0f deg, cast %.3f %.3f %.3f\n",
        file.c_str(), shot.cols, shot.rows, o.rotation_deg, o.tilt, o.tilt_angle_deg, o.gradient,
        o.gradient_angle_deg, o.motion_px, o.motion_angle_deg, o.colour_cast[0], o.colour_cast[1],
        o.colour_cast[2]);
  }
  return 0;
}

int timing(int runs) {
  // One capture per core is how verification runs them: time one thread's work.
  cv::setNumThreads(1);
  std::printf(
      "| code | severity | median frame px | median CPU ms per capture | 90th percentile ms |\n"
      "|---|---|---:|---:|---:|\n");
  const Logo logo = Logo::load(std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png");
  struct Art {
    const char* name;
    cv::Mat image;
  };
  std::vector<Art> arts;
  {
    RenderOptions plain;
    plain.style = Style::plain;
    const Symbol v5 = encode("https://brand.example/p/000123-xyz-abcdefghijkl",
                             {.ec = EcLevel::M, .min_version = 5, .max_version = 5});
    arts.push_back({"plain v5 (45 modules)", render(v5, nullptr, plain, kArtworkPx)});
    const RenderOptions style;
    const Symbol v4 = design_symbol("https://brand.example/p/000123", &logo, {}, style);
    arts.push_back({"halftone v4 (41 modules)", render(v4, &logo, style, kArtworkPx)});
  }
  for (const Art& a : arts) {
    for (const Severity s : all_severities()) {
      std::vector<double> ms, width, height;
      for (int i = 0; i < runs; ++i) {
        CaptureOptions o = capture_preset(s, static_cast<std::uint64_t>(i));
        o.input_module_px = kArtworkPx;
        const double t0 = cpu_ms();
        const cv::Size frame = simulate_capture(a.image, o, static_cast<std::uint64_t>(i)).size();
        ms.push_back(cpu_ms() - t0);
        width.push_back(frame.width);
        height.push_back(frame.height);
      }
      std::printf("| %s | %s | %.0fx%.0f | %.2f | %.2f |\n", a.name,
                  std::string(to_string(s)).c_str(), quantile(width, 0.5), quantile(height, 0.5),
                  quantile(ms, 0.5), quantile(ms, 0.9));
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 100;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--images") == 0 && i + 1 < argc) return images(argv[i + 1]);
    if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: bench_capture [--runs N] | --images DIR\n");
      return 2;
    }
  }
  return timing(runs);
}
