// The press-side check: scanned sheet pages against the run's manifest.
#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "batch/manifest.hpp"
#include "detect/locate.hpp"
#include "detect/reading_order.hpp"
#include "detect/reduce.hpp"
#include "text.hpp"
#include "viscode/batch.hpp"
#include "viscode/error.hpp"

namespace viscode {
namespace {

using detail::Corners;

struct Page {
  std::string file;
  int page = 0;
  auto operator<=>(const Page&) const = default;
};

std::string page_name(const Page& p) {
  return "page " + std::to_string(p.page) + " of " + detail::quoted(p.file);
}

// What one scan read: its codes and the traced finder patterns (in the codes' frame).
struct Scan {
  std::string name;
  std::vector<Decoded> codes;
  std::vector<cv::Point2f> finders;  // untilted
  std::vector<cv::Point2f> at;       // code centres, untilted
  double side = 0;                   // median code side, px
  std::optional<Page> page;          // the manifest page most of its codes are on
};

Scan read_scan(const std::filesystem::path& file, const ReadOptions& options) {
  Scan s;
  s.name = file.filename().string();
  const cv::Mat image = read_image_file(file, options).image;
  s.codes = read_codes(image, options);
  std::vector<Corners> corners;
  for (const Decoded& d : s.codes) corners.push_back(d.corners);
  const double tilt = detail::codes_tilt(corners);
  std::vector<double> sides;
  for (const Corners& c : corners) {
    s.at.push_back(detail::untilted(detail::centre_of(c), tilt));
    sides.push_back(detail::side_of(c));
  }
  if (!sides.empty()) {
    std::nth_element(sides.begin(), sides.begin() + static_cast<std::ptrdiff_t>(sides.size() / 2),
                     sides.end());
    s.side = sides[sides.size() / 2];
  }
  for (const detail::Finder& f : detail::traced_finders(detail::luminance(image))) {
    s.finders.push_back(detail::untilted(f.centre, tilt));
  }
  return s;
}

double median(std::vector<double> v, double fallback) {
  if (v.empty()) return fallback;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// The scan's codes on a grid: each code's column and row counted from the leftmost and
// topmost code read, by the median spacing of codes next to each other.
struct Grid {
  double x0 = 0, y0 = 0, pitch_x = 1, pitch_y = 1;
  std::vector<int> col, row;
};

Grid rough_grid(const Scan& s) {
  Grid g;
  std::vector<double> dx, dy;
  for (std::size_t i = 0; i < s.at.size(); ++i) {
    double best_x = 0, best_y = 0;
    for (std::size_t j = 0; j < s.at.size(); ++j) {
      const cv::Point2f d = s.at[j] - s.at[i];
      if (std::abs(d.y) < s.side / 2 && d.x > s.side / 2 && (best_x == 0 || d.x < best_x)) {
        best_x = d.x;
      }
      if (std::abs(d.x) < s.side / 2 && d.y > s.side / 2 && (best_y == 0 || d.y < best_y)) {
        best_y = d.y;
      }
    }
    if (best_x > 0) dx.push_back(best_x);
    if (best_y > 0) dy.push_back(best_y);
  }
  // A code's next neighbour may be missing: the spacing is the median of the nearest ones.
  g.pitch_x = median(dx, 0);
  g.pitch_y = median(dy, 0);
  if (g.pitch_x == 0) g.pitch_x = g.pitch_y > 0 ? g.pitch_y : 1.2 * s.side;
  if (g.pitch_y == 0) g.pitch_y = g.pitch_x;
  g.x0 = g.y0 = 1e30;
  for (const cv::Point2f& p : s.at) {
    g.x0 = std::min(g.x0, static_cast<double>(p.x));
    g.y0 = std::min(g.y0, static_cast<double>(p.y));
  }
  for (const cv::Point2f& p : s.at) {
    g.col.push_back(static_cast<int>(std::lround((p.x - g.x0) / g.pitch_x)));
    g.row.push_back(static_cast<int>(std::lround((p.y - g.y0) / g.pitch_y)));
  }
  return g;
}

std::string slot_text(int position, int row, int col) {
  return "position " + std::to_string(position) + " (row " + std::to_string(row + 1) + ", column " +
         std::to_string(col + 1) + ")";
}

std::string code_text(const detail::ManifestRow& r) {
  return "index " + std::to_string(r.index) + " (serial " + detail::quoted(r.serial) + ")";
}

}  // namespace

SheetScanCheck check_scans(const std::filesystem::path& out_dir,
                           const std::vector<std::filesystem::path>& files,
                           const ReadOptions& options) {
  if (files.empty()) {
    throw Error(ErrorCategory::usage, "no scans to check: give the scanned sheet pages");
  }
  detail::check_run_dir(out_dir);
  const std::filesystem::path manifest = out_dir / kManifestName;
  {
    // A run of one file per code has no pages to compare a scan with.
    detail::ManifestReader reader(manifest);
    detail::ManifestRow row;
    if (reader.next(row) && row.page == 0) {
      throw Error(ErrorCategory::input, "the run in '" + out_dir.string() +
                                            "' is not imposed on sheets (no page in its "
                                            "manifest): check_scans(scans) checks sheet runs");
    }
  }

  SheetScanCheck out;
  std::vector<Scan> scans;
  std::unordered_set<std::string> payloads;
  for (const std::filesystem::path& f : files) {
    scans.push_back(read_scan(f, options));
    for (const Decoded& d : scans.back().codes) payloads.insert(d.text);
    out.codes_read += scans.back().codes.size();
  }
  out.scans = scans.size();

  // The manifest is streamed twice (a run may hold millions of codes): first for the rows
  // the scans read, then for every row of the pages they show.
  std::unordered_map<std::string, detail::ManifestRow> read_rows;
  int per_page = 0;
  {
    detail::ManifestReader reader(manifest);
    detail::ManifestRow row;
    while (reader.next(row)) {
      per_page = std::max(per_page, row.position);
      if (payloads.contains(row.payload)) read_rows.emplace(row.payload, row);
    }
  }
  std::map<Page, std::size_t> first_scan;  // page -> the first scan that showed it
  std::map<Page, std::vector<detail::ManifestRow>> page_rows;
  for (std::size_t i = 0; i < scans.size(); ++i) {
    std::map<Page, int> votes;
    for (const Decoded& d : scans[i].codes) {
      if (const auto r = read_rows.find(d.text); r != read_rows.end()) {
        ++votes[{r->second.file, r->second.page}];
      }
    }
    if (votes.empty()) continue;
    const auto best =
        std::max_element(votes.begin(), votes.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; });
    scans[i].page = best->first;
    page_rows[best->first];
    first_scan.emplace(best->first, i);
  }
  {
    detail::ManifestReader reader(manifest);
    detail::ManifestRow row;
    while (reader.next(row)) {
      if (auto p = page_rows.find({row.file, row.page}); p != page_rows.end()) {
        p->second.push_back(row);
      }
    }
  }

  for (std::size_t i = 0; i < scans.size(); ++i) {
    const Scan& s = scans[i];
    const std::string at = s.name + ": ";
    if (!s.page) {
      ++out.unmatched;
      out.problems.push_back(at +
                             (s.codes.empty() ? "no code reads"
                                              : "none of its " + counted(s.codes.size(), "code") +
                                                    " is in the run's manifest") +
                             ": is it a page of this run?");
      continue;
    }
    const Page& page = *s.page;
    const std::vector<detail::ManifestRow>& rows = page_rows[page];
    out.codes_expected += rows.size();
    if (const std::size_t first = first_scan[page]; first != i) {
      ++out.repeated;
      out.problems.push_back(at + page_name(page) + " again: " + scans[first].name +
                             " showed it already (the page printed or scanned twice)");
    }

    // The columns per row and the slot of the first code read: the choice most of the
    // codes of this page agree with. A row of the manifest is position - 1 = row * columns
    // + column.
    const Grid g = rough_grid(s);
    int span = 1;
    for (const int c : g.col) span = std::max(span, c + 1);
    struct Vote {
      int cols, dr, dc;
      auto operator<=>(const Vote&) const = default;
    };
    std::map<Vote, int> votes;
    std::vector<const detail::ManifestRow*> row_of(s.codes.size(), nullptr);
    for (std::size_t k = 0; k < s.codes.size(); ++k) {
      const auto r = read_rows.find(s.codes[k].text);
      if (r == read_rows.end() || Page{r->second.file, r->second.page} != page) continue;
      row_of[k] = &r->second;
      const int p = r->second.position - 1;
      for (int cols = span; cols <= std::max(span, per_page); ++cols) {
        ++votes[{cols, p / cols - g.row[k], p % cols - g.col[k]}];
      }
    }
    Vote model{span, 0, 0};
    int most = 0;
    for (const auto& [v, n] : votes) {
      if (n > most) most = n, model = v;  // ties: the fewest columns
    }
    auto position_of = [&](std::size_t k) {
      return (g.row[k] + model.dr) * model.cols + g.col[k] + model.dc + 1;
    };

    struct Found {
      int position;
      std::string text;
    };
    std::vector<Found> found;
    std::unordered_set<std::size_t> read_indexes;
    for (std::size_t k = 0; k < s.codes.size(); ++k) {
      const int position = position_of(k);
      const int row = g.row[k] + model.dr, col = g.col[k] + model.dc;
      const std::string slot = slot_text(position, row, col);
      const auto r = read_rows.find(s.codes[k].text);
      if (r == read_rows.end()) {
        ++out.unknown;
        found.push_back({position, at + "the code at " + slot + " reads " +
                                       detail::quoted(s.codes[k].text) +
                                       ", which is not in the run's manifest"});
        continue;
      }
      const detail::ManifestRow& m = r->second;
      if (!row_of[k]) {
        ++out.foreign;
        found.push_back({position, at + code_text(m) + " is at " + slot + ", but belongs at " +
                                       "position " + std::to_string(m.position) + " of " +
                                       page_name({m.file, m.page})});
        continue;
      }
      read_indexes.insert(m.index);
      if (m.position != position) {
        ++out.misplaced;
        found.push_back({position, at + code_text(m) + " is at " + slot + ", not at position " +
                                       std::to_string(m.position)});
      }
    }
    for (const detail::ManifestRow& m : rows) {
      if (read_indexes.contains(m.index)) continue;
      // Where the code should be, and whether finder patterns are there.
      const int p = m.position - 1;
      const double x = g.x0 + (p % model.cols - model.dc) * g.pitch_x;
      const double y = g.y0 + (p / model.cols - model.dr) * g.pitch_y;
      const bool seen = std::any_of(s.finders.begin(), s.finders.end(), [&](cv::Point2f f) {
        return std::abs(f.x - x) < s.side / 2 && std::abs(f.y - y) < s.side / 2;
      });
      const std::string slot = slot_text(m.position, p / model.cols, p % model.cols);
      if (seen) {
        ++out.unreadable;
        found.push_back({m.position, at + code_text(m) + " at " + slot +
                                         " does not read: a code is there (damaged, smeared "
                                         "or too faint?)"});
      } else {
        ++out.missing;
        found.push_back(
            {m.position, at + code_text(m) + " at " + slot + " is missing: no code is there"});
      }
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const Found& a, const Found& b) { return a.position < b.position; });
    for (Found& f : found) out.problems.push_back(std::move(f.text));
  }
  return out;
}

}  // namespace viscode
