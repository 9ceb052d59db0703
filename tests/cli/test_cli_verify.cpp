// 'viscode verify' and 'encode --ensure': the one-line gate a print pipeline's CI runs, and
// the designer's way to push a logo as far as it can go and no further.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>

#include "cli_harness.hpp"

using namespace viscode::cli_test;

namespace {

const std::string kBrandPng = std::string(VISCODE_SOURCE_DIR) + "/samples/brand.png";
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
                        "\", \"version\": 4, \"ec\": \"H\", \"module_px\": 8.00, \"severities\": "
                        "[{\"severity\": \"pristine\", \"readers\": [{\"reader\": \"ours\", "
                        "\"rate\": 1.0000, \"read\": 4, \"wrong\": 0, \"trials\": 4}], "
                        "\"worst_capacity_used\": ",
                    0) == 0);
  CHECK(
      std::regex_search(r.out, std::regex("\"min_size\": \\[\\{\"reader\": \"ours\", "
                                          "\"module_mm\": [0-9.]+, \"symbol_mm\": [0-9.]+\\}\\]")));
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
  CHECK(map.cols == (33 + 4) * 8);  // version 4, two modules of margin, 8 px per module
  CHECK(listing(t.out_dir()) == std::vector<std::string>{"map.png"});
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
        "viscode: VerifyOptions.seeds must be 1-10000, got 0\n");
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
