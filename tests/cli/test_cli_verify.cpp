// 'viscode verify' and 'encode --ensure': the one-line gate a print pipeline's CI runs, and
// the designer's way to push a logo as far as it can go and no further.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>

#include "cli_harness.hpp"

using namespace viscode::cli_test;

namespace {

const std::string kPayload = "https://brand.example/p/000123";

std::filesystem::path plain_code(const TempDir& t, const std::string& name) {
  const auto path = t.in(name);
  const CliResult r =
      run_cli({"encode", "--data", kPayload, "--ec", "H", "--module-px", "8", "-o", path.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return path;
}

}  // namespace

TEST_CASE("cli verify: a plain code passes, with a table of rates", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r = run_cli({"verify", code.string(), "--expect", kPayload, "--severity", "mild",
                               "--seeds", "6", "--no-min-size"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("version 4, EC H, 8.0 px/module, reads \"" + kPayload + "\"") !=
        std::string::npos);
  CHECK(std::regex_search(r.out, std::regex("\npristine +100% ")));
  CHECK(std::regex_search(r.out, std::regex("\nmild +100% ")));
  CHECK(r.out.find("moderate") == std::string::npos);  // only up to the gate
  CHECK(r.err.empty());                                // no progress when stderr is not a terminal
}

TEST_CASE("cli verify: progress on stderr when it is a terminal", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  // script(1) gives the command a terminal and copies what it prints to out.txt.
  const auto log = t.out("tty.txt");
  const std::string command = "script -qefc '" + std::string(VISCODE_CLI) + " verify " +
                              code.string() + " --expect " + kPayload +
                              " --severity pristine --seeds 2 --readers ours' /dev/null > " +
                              log.string() + " 2>&1";
  REQUIRE(std::system(command.c_str()) == 0);
  const std::string tty = read_bytes(log);
  INFO(tty);
  CHECK(tty.find("verifying " + code.string() + ": 2 captures per severity, readers ours\r\n") !=
        std::string::npos);
  CHECK(tty.find("\r\033[Kpristine: 1/2 captures\r\033[Kpristine: 2/2 captures") !=
        std::string::npos);
  CHECK(tty.find("\r\033[Ksmallest print for ours: 3 captures") != std::string::npos);
  // The line is cleared before the report.
  CHECK(tty.find("\r\033[K" + code.string() + ": version 4") != std::string::npos);
}

TEST_CASE("cli verify: the smallest print says what it read there and just below",
          "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r = run_cli({"verify", code.string(), "--expect", kPayload, "--severity",
                               "moderate", "--seeds", "4", "--readers", "ours"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_search(
      r.out, m,
      std::regex("\nsmallest print for ours at 95% \\(moderate conditions, camera 10 px/mm\\): "
                 "([0-9.]+) mm modules, ([0-9.]+) mm symbol \\(read 4 of 4; ([0-9.]+) mm: read "
                 "([0-9]) of ([0-9])\\)\n$")));
  // Every seed reads at the minimum; just below it one at least is missed.
  CHECK(std::stod(m[3].str()) < std::stod(m[1].str()));
  CHECK(std::stoi(m[4].str()) < std::stoi(m[5].str()));
}

TEST_CASE("cli verify --readers zbar: ZBar alone, named in the table", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r = run_cli({"verify", code.string(), "--expect", kPayload, "--severity", "mild",
                               "--seeds", "6", "--readers", "zbar", "--no-min-size"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(std::regex_search(r.out, std::regex("\nseverity +zbar  worst block use \\(ours\\)\n")));
  CHECK(std::regex_search(r.out, std::regex("\npristine +100%  -\n")));
  CHECK(std::regex_search(r.out, std::regex("\nmild +100%  -\n")));
  CHECK(r.out.find("zxing") == std::string::npos);
  CHECK(r.out.find("wechat") == std::string::npos);
}

TEST_CASE("cli verify: by default every reader in the build, zbar included", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r = run_cli({"verify", code.string(), "--expect", kPayload, "--severity",
                               "pristine", "--seeds", "2", "--no-min-size", "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("[{\"reader\": \"ours\", \"rate\": 1.0000, \"read\": 2, \"wrong\": 0, "
                   "\"trials\": 2}, {\"reader\": \"zxing\", \"rate\": 1.0000, \"read\": 2, "
                   "\"wrong\": 0, \"trials\": 2}, {\"reader\": \"wechat\", \"rate\": 1.0000, "
                   "\"read\": 2, \"wrong\": 0, \"trials\": 2}, {\"reader\": \"zbar\", "
                   "\"rate\": 1.0000, \"read\": 2, \"wrong\": 0, \"trials\": 2}]") !=
        std::string::npos);
}

TEST_CASE("cli verify: a washed-out print fails with exit 5, naming reader and rate",
          "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  cv::Mat image = cv::imread(code.string());
  image.convertTo(image, -1, 12.0 / 255, 120);
  const auto faint = t.in("faint.png");
  REQUIRE(cv::imwrite(faint.string(), image));
  const CliResult r = run_cli({"verify", faint.string(), "--expect", kPayload, "--severity", "hard",
                               "--seeds", "6", "--readers", "ours", "--no-min-size"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 5);
  CHECK(std::regex_search(r.err, std::regex("viscode: verification failed: ours reads [0-9]+% "
                                            "at hard \\(at least 95% needed\\)\n$")));
}

TEST_CASE("cli verify --json: one object with rates, margin, minimum size and verdict",
          "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r = run_cli({"verify", code.string(), "--expect", kPayload, "--severity",
                               "pristine", "--seeds", "4", "--readers", "ours", "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 1);
  CHECK(r.out.rfind("{\"file\": \"" + code.string() + "\", \"text\": \"" + kPayload +
                        "\", \"bytes_base64\": \"aHR0cHM6Ly9icmFuZC5leGFtcGxlL3AvMDAwMTIz\", "
                        "\"version\": 4, \"ec\": \"H\", \"module_px\": 8.00, \"severities\": "
                        "[{\"severity\": \"pristine\", \"readers\": [{\"reader\": \"ours\", "
                        "\"rate\": 1.0000, \"read\": 4, \"wrong\": 0, \"trials\": 4}], "
                        "\"worst_capacity_used\": ",
                    0) == 0);
  CHECK(std::regex_search(
      r.out, std::regex("\"min_size\": \\[\\{\"reader\": \"ours\", \"module_mm\": [0-9.]+, "
                        "\"symbol_mm\": [0-9.]+, \"read\": 4, \"trials\": 4, \"below_mm\": "
                        "[0-9.]+, \"below_read\": [0-3], \"below_trials\": [1-4]\\}\\]")));
  CHECK(r.out.find("\"severity\": \"pristine\", \"pass\": true}\n") != std::string::npos);
}

TEST_CASE("cli verify --heatmap writes a PNG of the failure map", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const CliResult r =
      run_cli({"verify", code.string(), "--expect", kPayload, "--severity", "pristine", "--seeds",
               "2", "--readers", "ours", "--no-min-size", "--heatmap", t.out("map.png").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const cv::Mat map = cv::imread(t.out("map.png").string());
  REQUIRE_FALSE(map.empty());
  // One panel (no reader failed: ours): version 4 with its 4-module quiet zone at 8 px per
  // module, a caption above and the legend below.
  CHECK(map.cols == (33 + 8) * 8);
  CHECK(map.rows == 22 + (33 + 8) * 8 + 30);
  // The code is drawn underneath: the top-left finder's dark centre.
  CHECK(map.at<cv::Vec3b>(22 + (4 + 3) * 8 + 4, (4 + 3) * 8 + 4) == cv::Vec3b(0, 0, 0));
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"map.png"});
}

TEST_CASE("cli verify --heatmap: a panel for every reader that failed", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  cv::Mat image = cv::imread(code.string());
  image.convertTo(image, -1, 12.0 / 255, 120);
  const auto faint = t.in("faint.png");
  REQUIRE(cv::imwrite(faint.string(), image));
  const CliResult r =
      run_cli({"verify", faint.string(), "--expect", kPayload, "--severity", "hard", "--seeds", "6",
               "--readers", "ours,zxing", "--no-min-size", "--heatmap", t.out("map.png").string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 5);
  CHECK(r.err.find("ours reads") != std::string::npos);
  CHECK(r.err.find("zxing reads") != std::string::npos);
  const cv::Mat map = cv::imread(t.out("map.png").string());
  REQUIRE_FALSE(map.empty());
  // Two panels side by side, 8 px apart.
  const int side = (33 + 8) * 8;
  CHECK(map.cols == 2 * side + 8);
  CHECK(map.rows == 22 + side + 30);
  // Both panels show the faint code under them (its finder centre is darker than paper).
  for (const int x0 : {0, side + 8}) {
    const cv::Vec3b centre = map.at<cv::Vec3b>(22 + (4 + 3) * 8 + 4, x0 + (4 + 3) * 8 + 4);
    CHECK(centre[0] == centre[2]);  // untinted: the finder is never misread
    CHECK(centre[0] < 200);
  }
}

TEST_CASE("cli verify: bad input, each with its exit code and message", "[cli][verify]") {
  TempDir t;
  const auto code = plain_code(t, "code.png");
  const std::string file = code.string();
  auto check = [](const CliResult& r, int exit_code, const std::string& err) {
    INFO(r.err);
    CHECK(r.exit_code == exit_code);
    CHECK(r.err == err);
    CHECK(r.out.empty());
  };
  check(run_cli({"verify", file}), 2,
        "viscode: no expected payload: give --expect TEXT or --expect-file FILE\n");
  check(run_cli({"verify", file, "--expect", kPayload, "--readers", "ours,quirc"}), 2,
        "viscode: unknown reader 'quirc': choose from ours, zxing, wechat, zbar\n");
  check(run_cli({"verify", file, "--expect", kPayload, "--heatmap", t.out("map.svg").string()}), 2,
        "viscode: --heatmap " + t.out("map.svg").string() + " must be a .png file\n");
  check(run_cli({"verify", file, "--expect", kPayload, "--seeds", "0"}), 2,
        "viscode: --seeds must be 1-10000, got 0\n");
  {
    const CliResult r = run_cli({"verify", file, "--expect", kPayload, "--severity", "extreme"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.rfind("viscode: ", 0) == 0);
    CHECK(r.err.find("extreme") != std::string::npos);
  }
  {
    const CliResult r = run_cli({"verify", t.in("missing.png").string(), "--expect", kPayload});
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("missing.png") != std::string::npos);
  }
  check(run_cli({"verify", file, "--expect", "https://other.example/", "--seeds", "1"}), 4,
        "viscode: the code reads as \"" + kPayload +
            "\", not the expected \"https://other.example/\"\n");
  const auto blank = t.in("blank.png");
  REQUIRE(cv::imwrite(blank.string(), cv::Mat(120, 120, CV_8UC3, cv::Scalar::all(255))));
  {
    const CliResult r = run_cli({"verify", blank.string(), "--expect", kPayload});
    CHECK(r.exit_code == 4);
    CHECK(r.err.find("no code reads in the image itself") != std::string::npos);
  }
}

TEST_CASE("cli encode --ensure: an aggressive design is made to pass and the change said",
          "[cli][verify][ensure]") {
  TempDir t;
  const auto out = t.out("code.png");
  const CliResult r = run_cli({"encode", "--logo", kBrandPng, "--data", kPayload, "--strength", "0",
                               "--ensure", "moderate", "--module-px", "8", "-o", out.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("ensure: strength 0.00 -> 0.10 (", 0) == 0);
  CHECK(std::regex_search(r.out, std::regex("\nensure: reads at moderate with ours[a-z, ]* at "
                                            "strength 0\\.[1-9]0\n")));
  check_reads_back(out, kPayload);
  // Without --ensure nothing changes: the same options give a different (fainter) code.
  const CliResult plain = run_cli({"encode", "--logo", kBrandPng, "--data", kPayload, "--strength",
                                   "0", "--module-px", "8", "-o", t.out("as-asked.png").string()});
  REQUIRE(plain.exit_code == 0);
  CHECK(plain.out.find("ensure") == std::string::npos);
  CHECK(read_bytes(out) != read_bytes(t.out("as-asked.png")));
}
