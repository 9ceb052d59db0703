// Verification: the code in an image, rectified, through many simulated captures, read by
// each chosen reader.
#include "viscode/verify.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <functional>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "paper.hpp"
#include "render/output_file.hpp"
#include "viscode/detect.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

// The rectified artwork: the symbol seen head-on at this many px per module, with a quiet
// zone of kQuiet modules (taken from the image, white paper beyond it).
constexpr int kArtworkModulePx = 10;
constexpr int kQuiet = 4;

struct Artwork {
  cv::Mat image;
  Decoded code;
  double module_px = 0;  // in the caller's image
};

Artwork rectify(const cv::Mat& image, const std::string& expected) {
  std::vector<Decoded> found = detect(image);
  if (found.empty()) {
    throw Error(ErrorCategory::decode,
                "no code reads in the image itself: verification needs a code that reads "
                "before any capture (check the file, or re-render it)");
  }
  const auto it = std::find_if(found.begin(), found.end(),
                               [&](const Decoded& d) { return d.text == expected; });
  if (it == found.end()) {
    throw Error(ErrorCategory::decode, "the code reads as \"" + found.front().text +
                                           "\", not the expected \"" + expected + "\"");
  }
  Artwork a;
  a.code = *it;
  const int n = 17 + 4 * a.code.version;
  const auto& c = a.code.corners;
  double side = 0;
  for (std::size_t i = 0; i < 4; ++i) side += cv::norm(c[(i + 1) % 4] - c[i]);
  a.module_px = side / 4 / n;
  // Module corners in the artwork, in the order the symbol is read (so a mirrored symbol
  // comes out the right way round). Corners are OpenCV pixel-centre coordinates: the
  // symbol's outer edge lies half a pixel beyond the centres of its outermost pixels.
  const float k = kArtworkModulePx;
  const float lo = kQuiet * k - 0.5f, hi = (kQuiet + n) * k - 0.5f;
  const std::vector<cv::Point2f> to = {{lo, lo}, {hi, lo}, {hi, hi}, {lo, hi}};
  const std::vector<cv::Point2f> from(c.begin(), c.end());
  const cv::Mat h = cv::getPerspectiveTransform(from, to);
  const int total = (n + 2 * kQuiet) * kArtworkModulePx;
  cv::warpPerspective(detail::over_white(image), a.image, h, cv::Size(total, total), cv::INTER_AREA,
                      cv::BORDER_CONSTANT, cv::Scalar::all(255));
  return a;
}

// Our reader's share of a block's capacity spent, the worst block.
double capacity_used(const Decoded& d) {
  double worst = 0;
  for (const BlockMargin& b : d.blocks) {
    if (b.capacity <= 0) continue;
    worst = std::max(worst, static_cast<double>(2 * b.errors + b.erasures) / b.capacity);
  }
  return worst;
}

std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  std::uint64_t x = a * 0x9E3779B97F4A7C15ull ^ (b + 0x7F4A7C159E3779B9ull + (a << 6) + (a >> 2));
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  return x ^ (x >> 29);
}

struct Tally {
  std::vector<ReaderRate> rates;
  double worst = -1;
  cv::Mat wrong;  // CV_32S counts per module
  int decoded = 0;
};

// Every capture of one set of conditions, spread over threads.
Tally run(const Artwork& art, const std::string& expected, const VerifyOptions& options,
          const std::function<CaptureOptions(std::uint64_t)>& conditions, std::uint64_t stream) {
  const int n = 17 + 4 * art.code.version;
  Tally t;
  for (const Reader r : options.readers) t.rates.push_back({r, 0, 0, 0});
  t.wrong = cv::Mat::zeros(n, n, CV_32S);
  std::mutex mu;
  std::atomic<int> next{0};
  std::exception_ptr failure;
  auto work = [&] {
    for (int k; (k = next++) < options.seeds;) {
      try {
        const std::uint64_t seed = mix(stream, static_cast<std::uint64_t>(k));
        CaptureOptions co = conditions(seed);
        co.input_module_px = kArtworkModulePx;
        const cv::Mat shot = simulate_capture(art.image, co, seed);
        std::vector<std::pair<bool, bool>> outcome;  // read, wrong
        std::optional<Decoded> ours;
        for (const Reader r : options.readers) {
          bool read = false, wrong = false;
          if (r == Reader::ours) {
            for (Decoded& d : detect(shot)) {
              if (d.text == expected) {
                read = true;
                ours = std::move(d);
              } else {
                wrong = true;
              }
            }
          } else {
            for (const std::string& text : read_with(r, shot)) {
              (text == expected ? read : wrong) = true;
            }
          }
          outcome.emplace_back(read, wrong);
        }
        std::lock_guard lock(mu);
        for (std::size_t i = 0; i < outcome.size(); ++i) {
          ++t.rates[i].trials;
          t.rates[i].read += outcome[i].first ? 1 : 0;
          t.rates[i].wrong += outcome[i].second && !outcome[i].first ? 1 : 0;
        }
        if (ours && ours->version == art.code.version) {
          t.worst = std::max(t.worst, capacity_used(*ours));
          ++t.decoded;
          for (std::size_t i = 0; i < ours->wrong_modules.size(); ++i) {
            t.wrong.at<int>(static_cast<int>(i)) += ours->wrong_modules[i];
          }
        }
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
        next = options.seeds;
      }
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(cores);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::min(jobs, options.seeds); ++i) threads.emplace_back(work);
  work();
  for (std::thread& th : threads) th.join();
  if (failure) std::rethrow_exception(failure);
  return t;
}

void check(const VerifyOptions& o) {
  auto bad = [](const std::string& what) { throw Error(ErrorCategory::usage, what); };
  if (o.seeds < 1 || o.seeds > 10000) {
    bad("VerifyOptions.seeds must be 1-10000, got " + std::to_string(o.seeds));
  }
  if (!(o.min_rate >= 0 && o.min_rate <= 1)) bad("VerifyOptions.min_rate must be 0-1");
  if (!(o.camera_px_per_mm > 0 && o.camera_px_per_mm <= 1000)) {
    bad("VerifyOptions.camera_px_per_mm must be above 0 and at most 1000");
  }
  if (o.readers.empty()) bad("VerifyOptions.readers is empty: choose at least one reader");
  if (o.jobs < 0) bad("VerifyOptions.jobs must be 0 (one per core) or more");
  const auto have = available_readers();
  for (const Reader r : o.readers) {
    if (std::find(have.begin(), have.end(), r) == have.end()) {
      bad("reader '" + std::string(to_string(r)) + "' is not in this build of viscode");
    }
  }
}

// Module sizes the minimum-size search tries: camera px per module from 1.5 to 40 (what
// simulate_capture accepts), in steps of about 10%.
std::vector<double> candidate_px() {
  std::vector<double> out;
  for (double px = 1.5; px <= 40.0001; px *= 1.1) out.push_back(px);
  return out;
}

}  // namespace

double VerifyReport::rate(Reader reader, Severity severity) const {
  for (const SeverityReport& s : severities) {
    if (s.severity != severity) continue;
    for (const ReaderRate& r : s.readers) {
      if (r.reader == reader) return r.rate();
    }
  }
  return 0;
}

VerifyReport verify(const cv::Mat& image, const std::string& expected,
                    const VerifyOptions& options) {
  if (image.empty()) throw Error(ErrorCategory::input, "the image is empty");
  check(options);
  const Artwork art = rectify(image, expected);
  const int n = 17 + 4 * art.code.version;

  VerifyReport report;
  report.text = art.code.text;
  report.version = art.code.version;
  report.ec = art.code.ec;
  report.module_px = art.module_px;
  cv::Mat wrong = cv::Mat::zeros(n, n, CV_32S);
  int decoded = 0;
  for (const Severity s : options.severities) {
    const Tally t = run(
        art, expected, options, [s](std::uint64_t seed) { return capture_preset(s, seed); },
        static_cast<std::uint64_t>(s) + 1);
    SeverityReport sr;
    sr.severity = s;
    sr.readers = t.rates;
    if (t.worst >= 0) sr.worst_capacity_used = t.worst;
    report.severities.push_back(std::move(sr));
    wrong += t.wrong;
    decoded += t.decoded;
  }
  wrong.convertTo(report.failure_map, CV_32F, decoded > 0 ? 1.0 / decoded : 0.0);

  if (options.find_min_size) {
    // Reading improves with size; a binary search over the candidate sizes per reader
    // finds the smallest that reaches the rate. Each size is one run for every reader.
    const std::vector<double> px = candidate_px();
    std::vector<std::optional<double>> rate_at(px.size());
    std::vector<std::vector<double>> rates(px.size());
    auto measure = [&](std::size_t i) -> const std::vector<double>& {
      if (rates[i].empty()) {
        const double module_mm = px[i] / options.camera_px_per_mm;
        const Tally t = run(
            art, expected, options,
            [&, module_mm](std::uint64_t seed) {
              CaptureOptions co = capture_preset(options.min_size_severity, seed);
              co.px_per_module = px[i];
              co.print_module_mm = module_mm;
              return co;
            },
            1000 + i);
        for (const ReaderRate& r : t.rates) rates[i].push_back(r.rate());
      }
      return rates[i];
    };
    for (std::size_t r = 0; r < options.readers.size(); ++r) {
      MinSize m;
      m.reader = options.readers[r];
      std::size_t lo = 0, hi = px.size();  // answer in [lo, hi); hi = none
      while (lo < hi) {
        const std::size_t mid = (lo + hi) / 2;
        if (measure(mid)[r] >= options.min_rate) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      if (lo < px.size() && measure(lo)[r] >= options.min_rate) {
        m.module_mm = px[lo] / options.camera_px_per_mm;
        m.symbol_mm = *m.module_mm * n;
      }
      report.min_size.push_back(m);
    }
  }
  return report;
}

cv::Mat failure_map_image(const VerifyReport& report, int module_px) {
  if (report.failure_map.empty()) return {};
  if (module_px < 1 || module_px > 64) {
    throw Error(ErrorCategory::usage, "failure map module size must be 1-64 px");
  }
  const int n = report.failure_map.rows;
  const int quiet = 2;
  cv::Mat out((n + 2 * quiet) * module_px, (n + 2 * quiet) * module_px, CV_8UC3,
              cv::Scalar::all(255));
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const float f = std::clamp(report.failure_map.at<float>(y, x), 0.0f, 1.0f);
      // White -> yellow over the first half, yellow -> red over the second (BGR).
      const double b = 255 * std::max(0.0f, 1 - 2 * f);
      const double g = 255 * std::min(1.0f, 2 - 2 * f);
      const cv::Rect cell((x + quiet) * module_px, (y + quiet) * module_px, module_px, module_px);
      out(cell).setTo(cv::Scalar(b, g, 255));
    }
  }
  // The symbol's outline, so the map reads as the code it describes.
  cv::rectangle(
      out,
      cv::Rect(quiet * module_px - 1, quiet * module_px - 1, n * module_px + 2, n * module_px + 2),
      cv::Scalar::all(160), 1);
  return out;
}

void write_failure_map(const VerifyReport& report, const std::filesystem::path& file,
                       int module_px) {
  if (format_from_path(file) != Format::png) {
    throw Error(ErrorCategory::usage, "--heatmap " + file.string() + " must be a .png file");
  }
  detail::check_directory(file, "--heatmap");
  std::vector<std::uint8_t> bytes;
  if (!cv::imencode(".png", failure_map_image(report, module_px), bytes)) {
    throw Error(ErrorCategory::internal, "cannot encode the failure map as PNG");
  }
  detail::write_atomically(file, bytes, "--heatmap");
}

}  // namespace viscode
