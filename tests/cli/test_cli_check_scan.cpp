// 'viscode batch --check-scan': scanned sheet pages against the run's manifest, as a press
// checks a run (exit 0 when every code reads in its place, 5 with one line per problem, 3
// for a scan that cannot be read).
#include <catch2/catch.hpp>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli_harness.hpp"
#include "viscode/viscode.hpp"

using namespace viscode::cli_test;

TEST_CASE("cli batch --check-scan: a clean page, a code blacked out, a page twice, a bad file",
          "[cli][batch][check-scan]") {
  TempDir t;
  const auto list = t.in("serials.txt");
  std::ofstream(list) << "S1\nS2\nS3\nS4\nS5\nS6\n";
  const std::string dir = t.out_dir().string();
  // 110x90 mm sheets hold 3 x 2 codes of 25 mm.
  REQUIRE(run_cli({"batch", "--template", "https://v.brand.example/a/{serial}", "--serials",
                   list.string(), "--sheet", "110x90mm", "--out-dir", dir})
              .exit_code == 0);
  const std::string pdf = t.out("sheets-0001.pdf").string();

  const CliResult clean = run_cli({"batch", "--check-scan", pdf, "--out-dir", dir});
  INFO(clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(clean.err.empty());
  CHECK(clean.out == dir +
                         ": every code of the scanned pages reads, in its place (6 read of 6 "
                         "expected on 1 scan)\n");

  // The page at 300 dpi with its second code (S2, top row, middle) blacked out.
  viscode::ReadOptions at300;
  at300.vector_dpi = 300;
  cv::Mat page = viscode::read_image(pdf, at300);
  const std::vector<viscode::Decoded> codes = viscode::read_codes(page);
  REQUIRE(codes.size() == 6);
  REQUIRE(codes[1].text == "https://v.brand.example/a/S2");
  std::vector<cv::Point> quad;
  for (const cv::Point2f& p : codes[1].corners) quad.emplace_back(p);
  cv::fillConvexPoly(page, quad, cv::Scalar(0, 0, 0));
  const std::string scan = t.in("scan-1.png").string();
  REQUIRE(cv::imwrite(scan, page));

  const CliResult bad = run_cli({"batch", "--check-scan", pdf, scan, "--out-dir", dir});
  CHECK(bad.exit_code == 5);
  CHECK(bad.out.empty());
  CHECK(bad.err ==
        "viscode: scan-1.png: page 1 of 'sheets-0001.pdf' again: sheets-0001.pdf showed it "
        "already (the page printed or scanned twice)\n"
        "viscode: scan-1.png: index 2 (serial 'S2') at position 2 (row 1, column 2) is missing: "
        "no code is there\n"
        "viscode: the scanned sheets do not match the run in '" +
            dir + "' (1 missing, 1 page repeated; 11 read of 12 expected on 2 scans)\n");

  const CliResult missing =
      run_cli({"batch", "--check-scan", t.in("nothing.png").string(), "--out-dir", dir});
  CHECK(missing.exit_code == 3);
  CHECK(missing.err ==
        "viscode: image '" + t.in("nothing.png").string() + "' does not exist: check the path\n");
  const CliResult both = run_cli({"batch", "--check", "--check-scan", pdf, "--out-dir", dir});
  CHECK(both.exit_code == 2);
}
