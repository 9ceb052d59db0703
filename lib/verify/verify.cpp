// Verification: the code in an image, rectified, through many simulated captures, read by
// each chosen reader.
#include "viscode/verify.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
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

bool matches(const Decoded& d, const std::string& expected, ReadAs as) {
  if (as == ReadAs::text) return d.text == expected;
  return std::equal(d.bytes.begin(), d.bytes.end(), expected.begin(), expected.end(),
                    [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); });
}

// Where a payload's bytes first differ from the expected ones: a binary payload has no
// text to quote, and a long one would flood the message.
std::string byte_difference(const std::vector<std::uint8_t>& got, const std::string& expected) {
  std::size_t i = 0;
  while (i < got.size() && i < expected.size() && got[i] == static_cast<std::uint8_t>(expected[i]))
    ++i;
  auto hex = [](unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v & 0xFFu);
    return std::string(buf);
  };
  std::string at;
  if (i == got.size()) {
    at = "the payload ends where the expected has " + hex(static_cast<unsigned char>(expected[i]));
  } else if (i == expected.size()) {
    at = hex(got[i]) + " where the expected ends";
  } else {
    at = hex(got[i]) + " where the expected has " + hex(static_cast<unsigned char>(expected[i]));
  }
  return "the code's payload (" + std::to_string(got.size()) +
         " bytes) differs from the expected (" + std::to_string(expected.size()) +
         " bytes) at byte " + std::to_string(i + 1) + ": " + at;
}

Artwork rectify(const cv::Mat& image, const std::string& expected, ReadAs as) {
  std::vector<Decoded> found = read_codes(image);
  if (found.empty()) {
    throw Error(ErrorCategory::decode,
                "no code reads in the image itself: verification needs a code that reads "
                "before any capture (check the file, or re-render it)");
  }
  const auto it = std::find_if(found.begin(), found.end(),
                               [&](const Decoded& d) { return matches(d, expected, as); });
  if (it == found.end() && as == ReadAs::bytes) {
    throw Error(ErrorCategory::decode, byte_difference(found.front().bytes, expected));
  }
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
  std::vector<ReaderRate> rates;  // trials 0 for a reader not asked
  double worst = -1;
  cv::Mat wrong;  // CV_32S counts per module, over the captures ours decoded
  int decoded = 0;
  // Per reader: the modules ours misread in the captures that reader failed and ours decoded.
  std::vector<cv::Mat> wrong_when_failed;
  std::vector<int> mapped;
};

// Shared by every run of one verification: what the progress callback is told.
struct Progress {
  const VerifyOptions* options = nullptr;
  VerifyProgress state;
  void step() {
    ++state.captures;
    if (options->progress) options->progress(state);
  }
};

// Captures from..to-1 of one set of conditions, spread over threads, read by the readers
// whose flag in `use` is set.
Tally run(const Artwork& art, const std::string& expected, const VerifyOptions& options,
          const std::function<CaptureOptions(std::uint64_t)>& conditions, std::uint64_t stream,
          int from, int to, const std::vector<char>& use, Progress& progress) {
  const int n = 17 + 4 * art.code.version;
  const std::size_t readers = options.readers.size();
  Tally t;
  for (const Reader r : options.readers) t.rates.push_back({r, 0, 0, 0});
  t.wrong = cv::Mat::zeros(n, n, CV_32S);
  t.wrong_when_failed.assign(readers, cv::Mat());
  for (cv::Mat& m : t.wrong_when_failed) m = cv::Mat::zeros(n, n, CV_32S);
  t.mapped.assign(readers, 0);
  std::mutex mu;
  std::atomic<int> next{from};
  std::exception_ptr failure;
  auto work = [&] {
    for (int k; (k = next++) < to;) {
      try {
        const std::uint64_t seed = mix(stream, static_cast<std::uint64_t>(k));
        CaptureOptions co = conditions(seed);
        co.input_module_px = kArtworkModulePx;
        const cv::Mat shot = simulate_capture(art.image, co, seed);
        std::vector<std::pair<bool, bool>> outcome(readers);  // read, wrong
        std::optional<Decoded> ours;
        bool ours_looked = false;
        auto read_ours = [&] {
          if (ours_looked) return;
          ours_looked = true;
          for (Decoded& d : read_codes(shot)) {
            if (matches(d, expected, options.expected_as)) ours = std::move(d);
          }
        };
        for (std::size_t i = 0; i < readers; ++i) {
          if (!use[i]) continue;
          const Reader r = options.readers[i];
          bool read = false, wrong = false;
          if (r == Reader::ours) {
            for (Decoded& d : read_codes(shot)) {
              if (matches(d, expected, options.expected_as)) {
                read = true;
                ours = std::move(d);
              } else {
                wrong = true;
              }
            }
            ours_looked = true;
          } else {
            for (const std::string& payload : read_with(r, shot, options.expected_as)) {
              (payload == expected ? read : wrong) = true;
            }
          }
          outcome[i] = {read, wrong};
        }
        // Where another reader failed, our reader's view of the damage (read only for that).
        for (std::size_t i = 0; i < readers; ++i) {
          if (use[i] && !outcome[i].first && options.readers[i] != Reader::ours) read_ours();
        }
        const bool ours_mapped = ours && ours->version == art.code.version;
        std::lock_guard lock(mu);
        for (std::size_t i = 0; i < readers; ++i) {
          if (!use[i]) continue;
          ++t.rates[i].trials;
          t.rates[i].read += outcome[i].first ? 1 : 0;
          t.rates[i].wrong += outcome[i].second && !outcome[i].first ? 1 : 0;
          if (!outcome[i].first && options.readers[i] != Reader::ours && ours_mapped) {
            ++t.mapped[i];
            for (std::size_t m = 0; m < ours->wrong_modules.size(); ++m) {
              t.wrong_when_failed[i].at<int>(static_cast<int>(m)) += ours->wrong_modules[m];
            }
          }
        }
        const auto ours_at =
            std::find(options.readers.begin(), options.readers.end(), Reader::ours);
        const bool ours_used = ours_at != options.readers.end() &&
                               use[static_cast<std::size_t>(ours_at - options.readers.begin())];
        if (ours_used && ours_mapped) {
          t.worst = std::max(t.worst, capacity_used(*ours));
          ++t.decoded;
          for (std::size_t i = 0; i < ours->wrong_modules.size(); ++i) {
            t.wrong.at<int>(static_cast<int>(i)) += ours->wrong_modules[i];
          }
        }
        progress.step();
      } catch (...) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::current_exception();
        next = to;
      }
    }
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const int jobs = options.jobs > 0 ? options.jobs : static_cast<int>(cores);
  std::vector<std::thread> threads;
  for (int i = 1; i < std::min(jobs, to - from); ++i) threads.emplace_back(work);
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
// simulate_capture accepts), in steps of 10%.
std::vector<double> candidate_px() {
  std::vector<double> out;
  for (double px = 1.5; px <= 40.0001; px *= 1.1) out.push_back(px);
  return out;
}

// Captures per size while a reader's bracket is wide: two tell a size far from the
// threshold (a miss in two is already under 95%), and a wrong guess only costs a step,
// since both ends of the final bracket are measured with every seed.
constexpr int kCheapSeeds = 2;
// Grid steps within which a bracket is tight: neighbours, so that only the two sizes the
// answer rests on get every seed.
constexpr int kTight = 1;

// What is known of the readers at one size of the grid: a prefix of the seeds, per reader.
struct SizeResult {
  std::vector<int> trials, read;
};

// The smallest print, per reader. Seed k at a size is seed k of the report's row for the
// severity (same stream), moved to that size; a size's seeds are measured as a prefix, so a
// prefix that already misses more than the rate allows is a failure with every seed.
class SizeSearch {
 public:
  SizeSearch(const Artwork& art, const std::string& expected, const VerifyOptions& options,
             Progress& progress)
      : art_(art),
        expected_(expected),
        options_(options),
        progress_(progress),
        px_(candidate_px()),
        results_(px_.size()),
        allowed_(static_cast<int>(std::floor((1 - options.min_rate) * options.seeds + 1e-9))) {
    for (SizeResult& r : results_) {
      r.trials.assign(options.readers.size(), 0);
      r.read.assign(options.readers.size(), 0);
    }
  }

  int size() const { return static_cast<int>(px_.size()); }
  double px(int i) const { return px_[static_cast<std::size_t>(i)]; }
  double mm(int i) const { return px(i) / options_.camera_px_per_mm; }
  // The largest grid index at or below px; -1 when px is below the grid.
  int index_at_or_below(double px) const {
    int i = -1;
    while (i + 1 < size() && px_[static_cast<std::size_t>(i + 1)] <= px * (1 + 1e-9)) ++i;
    return i;
  }
  int index_at_or_above(double px) const {
    int i = 0;
    while (i < size() && px_[static_cast<std::size_t>(i)] < px * (1 - 1e-9)) ++i;
    return std::min(i, size() - 1);
  }

  int misses(int i, std::size_t r) const {
    const SizeResult& s = results_[static_cast<std::size_t>(i)];
    return s.trials[r] - s.read[r];
  }
  int trials(int i, std::size_t r) const { return results_[static_cast<std::size_t>(i)].trials[r]; }
  bool definite_fail(int i, std::size_t r) const { return misses(i, r) > allowed_; }
  bool definite_pass(int i, std::size_t r) const {
    return trials(i, r) >= options_.seeds && misses(i, r) <= allowed_;
  }
  // The rate of what has been measured meets min_rate (a guess until every seed ran).
  bool looks_passing(int i, std::size_t r) const {
    if (definite_fail(i, r)) return false;
    const int t = trials(i, r);
    return t > 0 && static_cast<double>(t - misses(i, r)) / t >= options_.min_rate - 1e-12;
  }
  ReaderRate rate(int i, std::size_t r) const {
    const SizeResult& s = results_[static_cast<std::size_t>(i)];
    return {options_.readers[r], s.read[r], 0, s.trials[r]};
  }

  // Measures size i with at least `seeds` captures for reader r (fewer when it fails
  // before), and reads with every other reader still searching whose bracket holds i.
  void probe(int i, std::size_t r, int seeds, const std::vector<std::pair<int, int>>& brackets) {
    std::vector<char> use(options_.readers.size(), 0);
    for (std::size_t q = 0; q < use.size(); ++q) {
      const bool inside = q == r || (brackets[q].first < i && i < brackets[q].second);
      use[q] = inside && trials(i, q) < seeds && !definite_fail(i, q);
    }
    // In chunks, so that a failing size stops as soon as it cannot pass.
    const int chunk = std::max(kCheapSeeds, 2 * std::max(1, options_.jobs));
    for (;;) {
      for (std::size_t q = 0; q < use.size(); ++q) {
        if (use[q] && (trials(i, q) >= seeds || definite_fail(i, q))) use[q] = 0;
      }
      if (!use[r]) return;
      // Readers at another prefix than r's wait for a later probe: prefixes stay prefixes.
      const int from = trials(i, r);
      for (std::size_t q = 0; q < use.size(); ++q) {
        if (use[q] && trials(i, q) != from) use[q] = 0;
      }
      const int to = std::min(seeds, from + chunk);
      const double px_i = px(i), mm_i = mm(i);
      const Severity severity = options_.min_size_severity;
      const Tally t = run(
          art_, expected_, options_,
          [&](std::uint64_t seed) {
            CaptureOptions co = capture_preset(severity, seed);
            co.px_per_module = px_i;
            co.print_module_mm = mm_i;
            return co;
          },
          static_cast<std::uint64_t>(severity) + 1, from, to, use, progress_);
      SizeResult& s = results_[static_cast<std::size_t>(i)];
      for (std::size_t q = 0; q < use.size(); ++q) {
        if (!use[q]) continue;
        s.trials[q] += t.rates[q].trials;
        s.read[q] += t.rates[q].read;
      }
    }
  }

  // floor: the largest index known to fail from the report's row (-1 when none); start:
  // where to look first.
  // ceiling: the smallest index known to pass from the report's row (size() when none).
  MinSize find(std::size_t r, int floor, std::optional<ReaderRate> floor_rate, int ceiling,
               std::optional<ReaderRate> ceiling_rate, int start,
               std::vector<std::pair<int, int>>& brackets) {
    const int n_sizes = size();
    int& lo = brackets[r].first;
    int& hi = brackets[r].second;
    lo = floor;
    hi = ceiling;  // n_sizes: no passing size known
    int step = kTight + 1;
    for (;;) {
      while (hi - lo > 1) {
        int mid;
        if (hi == n_sizes) {
          // Looking for a passing size: from the start upwards, in growing steps.
          mid = lo < start ? start : std::min(n_sizes - 1, lo + step);
          step *= 2;
        } else {
          mid = (lo + hi) / 2;
        }
        const bool wide = hi == n_sizes || hi - lo > kTight;
        probe(mid, r, wide ? std::min(kCheapSeeds, options_.seeds) : options_.seeds, brackets);
        if (looks_passing(mid, r)) {
          hi = mid;
        } else {
          lo = mid;
        }
      }
      // Tight: the passing end must pass with every seed (or be the row's size, where the
      // row passed), the failing end must fail.
      const bool row_stands = hi == ceiling && ceiling_rate.has_value();
      if (hi < n_sizes && !row_stands && !definite_pass(hi, r)) {
        probe(hi, r, options_.seeds, brackets);
        if (!definite_pass(hi, r)) {
          lo = hi;
          hi = ceiling;
          for (int i = lo + 1; i < ceiling; ++i) {
            if (trials(i, r) > 0 && looks_passing(i, r)) {
              hi = i;
              break;
            }
          }
          step = kTight + 1;
          continue;
        }
      }
      if (lo > floor && !definite_fail(lo, r)) {
        probe(lo, r, options_.seeds, brackets);
        if (!definite_fail(lo, r)) {
          hi = lo;
          lo = floor;
          for (int i = hi - 1; i > floor; --i) {
            if (trials(i, r) > 0 && !looks_passing(i, r)) {
              lo = i;
              break;
            }
          }
          continue;
        }
      }
      break;
    }
    MinSize m;
    m.reader = options_.readers[r];
    m.largest_mm = mm(n_sizes - 1);
    if (hi < n_sizes) {
      m.module_mm = mm(hi);
      m.symbol_mm = *m.module_mm * (17 + 4 * art_.code.version);
      m.at_min = definite_pass(hi, r) || !ceiling_rate ? rate(hi, r) : *ceiling_rate;
      if (lo >= 0 && lo > floor) {
        m.below_mm = mm(lo);
        m.below = rate(lo, r);
      } else if (lo >= 0 && floor_rate) {
        m.below_mm = mm(lo);
        m.below = *floor_rate;
      }
    }
    // Done: other readers' probes no longer read with this one.
    lo = n_sizes;
    hi = -1;
    return m;
  }

 private:
  const Artwork& art_;
  const std::string& expected_;
  const VerifyOptions& options_;
  Progress& progress_;
  std::vector<double> px_;
  std::vector<SizeResult> results_;
  int allowed_;  // misses `seeds` captures may have and still reach min_rate
};

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
  const Artwork art = rectify(image, expected, options.expected_as);
  const int n = 17 + 4 * art.code.version;
  const std::size_t readers = options.readers.size();

  VerifyReport report;
  report.text = art.code.text;
  report.bytes = art.code.bytes;
  report.version = art.code.version;
  report.ec = art.code.ec;
  report.module_px = art.module_px;
  report.artwork = art.image;
  report.artwork_module_px = kArtworkModulePx;
  // The print: the file's own module size when its resolution is known (a printer dot at
  // least, as simulate_capture needs).
  std::optional<double> print_mm;
  if (options.image_dpi > 0) {
    report.printed_module_mm = art.module_px / options.image_dpi * 25.4;
    print_mm = std::max(*report.printed_module_mm, 25.4 / 600 * 1.0001);
  }
  Progress progress;
  progress.options = &options;
  progress.state.planned = options.seeds * static_cast<int>(options.severities.size());

  cv::Mat wrong = cv::Mat::zeros(n, n, CV_32S);
  int decoded = 0;
  std::vector<cv::Mat> wrong_when_failed(readers);
  for (cv::Mat& m : wrong_when_failed) m = cv::Mat::zeros(n, n, CV_32S);
  std::vector<int> mapped(readers, 0), failed(readers, 0);
  const std::vector<char> all(readers, 1);
  for (const Severity s : options.severities) {
    progress.state.stage = to_string(s);
    const Tally t = run(
        art, expected, options,
        [s, print_mm](std::uint64_t seed) {
          CaptureOptions co = capture_preset(s, seed);
          if (print_mm) co.print_module_mm = *print_mm;
          return co;
        },
        static_cast<std::uint64_t>(s) + 1, 0, options.seeds, all, progress);
    SeverityReport sr;
    sr.severity = s;
    sr.readers = t.rates;
    if (t.worst >= 0) sr.worst_capacity_used = t.worst;
    report.severities.push_back(std::move(sr));
    wrong += t.wrong;
    decoded += t.decoded;
    for (std::size_t i = 0; i < readers; ++i) {
      wrong_when_failed[i] += t.wrong_when_failed[i];
      mapped[i] += t.mapped[i];
      failed[i] += t.rates[i].trials - t.rates[i].read;
    }
  }
  wrong.convertTo(report.failure_map, CV_32F, decoded > 0 ? 1.0 / decoded : 0.0);
  for (std::size_t i = 0; i < readers; ++i) {
    VerifyReport::ReaderFailures f;
    f.reader = options.readers[i];
    f.failed = failed[i];
    if (f.reader == Reader::ours) {
      f.mapped = decoded;
      f.map = report.failure_map.clone();
    } else {
      f.mapped = mapped[i];
      wrong_when_failed[i].convertTo(f.map, CV_32F, mapped[i] > 0 ? 1.0 / mapped[i] : 0.0);
    }
    report.failures.push_back(std::move(f));
  }

  if (!report.severities.empty()) {
    const SeverityReport& gate = report.severities.back();
    for (const ReaderRate& r : gate.readers) {
      if (r.rate() < options.min_rate)
        report.shortfalls.push_back({r.reader, gate.severity, r.rate()});
    }
  }

  if (options.find_min_size) {
    SizeSearch search(art, expected, options, progress);
    const Severity sev = options.min_size_severity;
    // The row of the report at the search's severity, if it ran: the camera px per module
    // its captures used, largest first.
    const SeverityReport* row = nullptr;
    for (const SeverityReport& sr : report.severities) {
      if (sr.severity == sev) row = &sr;
    }
    double row_px = 0;
    for (int k = 0; k < options.seeds; ++k) {
      const std::uint64_t seed =
          mix(static_cast<std::uint64_t>(sev) + 1, static_cast<std::uint64_t>(k));
      row_px = std::max(row_px, capture_preset(sev, seed).px_per_module);
    }
    // Every reader's bracket, (failing, passing) indices: a probe reads with each reader
    // whose bracket holds the size, so readers with nearby thresholds share captures.
    std::vector<std::pair<int, int>> brackets(readers, {-1, search.size()});
    for (std::size_t r = 0; r < readers; ++r) {
      progress.state.stage = "smallest print for " + std::string(to_string(options.readers[r]));
      int floor = -1, ceiling = search.size();
      std::optional<ReaderRate> floor_rate, ceiling_rate;
      if (row != nullptr && row->readers[r].rate() < options.min_rate) {
        // Failing the row at up to row_px: no smaller minimum than that.
        floor = search.index_at_or_below(row_px);
        floor_rate = row->readers[r];
      } else if (row != nullptr) {
        // Passing the row at up to row_px: no larger minimum than the grid's next size.
        ceiling = search.index_at_or_above(row_px);
        ceiling_rate = row->readers[r];
      }
      const int start = std::max(floor + 1, search.index_at_or_above(row_px));
      report.min_size.push_back(
          search.find(r, floor, floor_rate, ceiling, ceiling_rate, start, brackets));
    }
  }
  return report;
}

namespace {

// Yellow (f near 0) to red (f = 1), BGR.
cv::Vec3d heat(double f) {
  return {0, 255 * (1 - f) + 40 * f, 255};
}

// One reader's panel: the code with its misread modules tinted, a caption above.
cv::Mat failure_panel(const VerifyReport& report, const cv::Mat& map, const std::string& caption,
                      int module_px) {
  const int n = map.rows;
  const int quiet = (report.artwork.cols / report.artwork_module_px - n) / 2;
  const int side = (n + 2 * quiet) * module_px;
  cv::Mat code;
  cv::resize(report.artwork, code, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  if (code.channels() == 1) cv::cvtColor(code, code, cv::COLOR_GRAY2BGR);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      const double f = std::clamp(static_cast<double>(map.at<float>(y, x)), 0.0, 1.0);
      if (f <= 0) continue;
      // Translucent: the code stays visible under a rarely misread module, less so under
      // one misread every time.
      const double alpha = 0.35 + 0.5 * f;
      const cv::Vec3d c = heat(f);
      const cv::Rect cell((x + quiet) * module_px, (y + quiet) * module_px, module_px, module_px);
      cv::Mat roi = code(cell);
      for (int v = 0; v < roi.rows; ++v) {
        auto* p = roi.ptr<cv::Vec3b>(v);
        for (int u = 0; u < roi.cols; ++u) {
          for (int ch = 0; ch < 3; ++ch) {
            p[u][ch] = cv::saturate_cast<std::uint8_t>((1 - alpha) * p[u][ch] + alpha * c[ch]);
          }
        }
      }
    }
  }
  // The symbol's outline, so the map reads as the code it describes.
  cv::rectangle(
      code,
      cv::Rect(quiet * module_px - 1, quiet * module_px - 1, n * module_px + 2, n * module_px + 2),
      cv::Scalar::all(160), 1);
  const int bar = 22;
  cv::Mat panel(side + bar, side, CV_8UC3, cv::Scalar::all(255));
  code.copyTo(panel(cv::Rect(0, bar, side, side)));
  double scale = 0.45;
  int base = 0;
  while (scale > 0.25 &&
         cv::getTextSize(caption, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &base).width > side - 8) {
    scale -= 0.05;
  }
  cv::putText(panel, caption, {4, bar - 7}, cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar::all(0), 1,
              cv::LINE_AA);
  return panel;
}

std::string percent(double v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", 100 * v);
  return buf;
}

}  // namespace

cv::Mat failure_map_image(const VerifyReport& report, int module_px) {
  if (report.failure_map.empty() || report.artwork.empty()) return {};
  if (module_px < 1 || module_px > 64) {
    throw Error(ErrorCategory::usage, "failure map module size must be 1-64 px");
  }
  std::vector<cv::Mat> panels;
  int trials = 0;
  for (const SeverityReport& s : report.severities) {
    if (!s.readers.empty()) trials += s.readers.front().trials;
  }
  for (const VerifyReport::ReaderFailures& f : report.failures) {
    if (f.failed == 0) continue;
    std::string caption = std::string(to_string(f.reader)) + ": failed " +
                          std::to_string(f.failed) + " of " + std::to_string(trials);
    if (f.reader == Reader::ours) {
      caption += ", misreads in " + std::to_string(f.mapped) + " it read";
    } else if (f.mapped == 0) {
      caption += ", ours read none of them";
    } else {
      caption += ", ours read " + std::to_string(f.mapped);
    }
    panels.push_back(failure_panel(report, f.map, caption, module_px));
  }
  if (panels.empty()) {
    int decoded = 0;
    for (const VerifyReport::ReaderFailures& f : report.failures) {
      if (f.reader == Reader::ours) decoded = f.mapped;
    }
    const std::string caption = "no reader failed; ours misreads in " + std::to_string(decoded) +
                                " of " + std::to_string(trials);
    panels.push_back(failure_panel(report, report.failure_map, caption, module_px));
  }
  const int gap = 8;
  const int ph = panels.front().rows, pw = panels.front().cols;
  const int legend = 30;
  const int width =
      static_cast<int>(panels.size()) * pw + (static_cast<int>(panels.size()) - 1) * gap;
  cv::Mat out(ph + legend, width, CV_8UC3, cv::Scalar::all(255));
  for (std::size_t i = 0; i < panels.size(); ++i) {
    panels[i].copyTo(out(cv::Rect(static_cast<int>(i) * (pw + gap), 0, pw, ph)));
  }
  // The legend: the tint from a module misread in a few captures to one misread in all.
  const int lx = 4, lw = std::min(160, width - 8 - 90), ly = ph + 6, lh = 10;
  if (lw > 10) {
    for (int u = 0; u < lw; ++u) {
      const double f = static_cast<double>(u + 1) / lw;
      const cv::Vec3d c = heat(f);
      const double alpha = 0.35 + 0.5 * f;
      const cv::Scalar col(255 * (1 - alpha) + alpha * c[0], 255 * (1 - alpha) + alpha * c[1],
                           255 * (1 - alpha) + alpha * c[2]);
      cv::line(out, {lx + u, ly}, {lx + u, ly + lh}, col, 1);
    }
    cv::rectangle(out, cv::Rect(lx - 1, ly - 1, lw + 2, lh + 2), cv::Scalar::all(160), 1);
    cv::putText(out, "misread in " + percent(0.0) + ".." + percent(1.0) + " of captures",
                {lx + lw + 6, ly + lh}, cv::FONT_HERSHEY_SIMPLEX, 0.35, cv::Scalar::all(0), 1,
                cv::LINE_AA);
  }
  return out;
}

void write_failure_map(const VerifyReport& report, const std::filesystem::path& file,
                       int module_px) {
  if (format_from_path(file) != Format::png) {
    throw Error(ErrorCategory::usage,
                "write_failure_map(file) " + file.string() + " must be a .png file");
  }
  detail::check_directory(file, "write_failure_map(file)");
  std::vector<std::uint8_t> bytes;
  if (!cv::imencode(".png", failure_map_image(report, module_px), bytes)) {
    throw Error(ErrorCategory::internal, "cannot encode the failure map as PNG");
  }
  detail::write_atomically(file, bytes, "write_failure_map(file)");
}

}  // namespace viscode
