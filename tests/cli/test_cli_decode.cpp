// 'viscode decode': what a print pipeline's CI sees — one JSON object per file and line,
// exit codes it can branch on, and the same payload the encoder was given.
#include <catch2/catch.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <regex>

#include "bit_stream.hpp"
#include "cli_harness.hpp"
#include "model1_encoder.hpp"

using namespace viscode::cli_test;

namespace {

void encode_to(const std::string& data, const std::filesystem::path& out,
               std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"encode", "--data", data,        "--module-px",
                                   "8",      "-o",     out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = run_cli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
}

}  // namespace

TEST_CASE("cli decode: reads back what encode wrote, plain and designer", "[cli][decode]") {
  TempDir t;
  encode_to("https://brand.example/p/1", t.in("plain.png"));
  encode_to("https://brand.example/p/2", t.in("halftone.png"), {"--logo", kBrandPng});
  encode_to("https://brand.example/p/3", t.in("dots.png"),
            {"--logo", kBrandPng, "--style", "dots"});
  const CliResult one = run_cli({"decode", t.in("halftone.png").string()});
  CHECK(one.exit_code == 0);
  CHECK(one.out == "https://brand.example/p/2\n");
  CHECK(one.err.empty());
  const CliResult many = run_cli({"decode", t.in("plain.png").string(),
                                  t.in("halftone.png").string(), t.in("dots.png").string()});
  CHECK(many.exit_code == 0);
  CHECK(many.out == t.in("plain.png").string() + ": https://brand.example/p/1\n" +
                        t.in("halftone.png").string() + ": https://brand.example/p/2\n" +
                        t.in("dots.png").string() + ": https://brand.example/p/3\n");
}

// A code's text could drive the terminal that prints it (ESC sequences, a CR rewriting the
// line): plain output shows control characters as escapes, --json keeps them exactly.
TEST_CASE("cli decode: control characters in a payload are shown, not sent to the terminal",
          "[cli][decode]") {
  TempDir t;
  const std::string payload = "A\x1b[31mRED\rX\a\x7f\xc2\x85 tab\tcrlf\r\nnext";
  write_bytes(t.in("payload.txt"), payload);
  REQUIRE(encode({"--data-file", t.in("payload.txt").string(), "-o", t.in("c.png").string()})
              .exit_code == 0);
  const CliResult plain = run_cli({"decode", t.in("c.png").string()});
  CHECK(plain.out == "A\\x1b[31mRED\\x0dX\\x07\\x7f\\u0085 tab\tcrlf\r\nnext\n");
  CHECK(plain.exit_code == 0);
  const CliResult json = run_cli({"decode", "--json", t.in("c.png").string()});
  // JSON escapes what it must (C0); DEL and C1 are valid JSON string characters.
  CHECK(json.out.find(R"("text": "A\u001b[31mRED\rX\u0007)"
                      "\x7f\xc2\x85"
                      R"( tab\tcrlf\r\nnext")") != std::string::npos);
}

TEST_CASE("cli decode --json: one exact object per file", "[cli][decode]") {
  TempDir t;
  // Version 1, EC M, 8 px modules with a 4-module quiet zone: the symbol's corners are at
  // 32 and 32 + 21 * 8 = 200 pixels.
  encode_to("HELLO \"WORLD\"", t.in("code.png"), {"--ec", "M", "--mask", "2"});
  const CliResult r = run_cli({"decode", "--json", t.in("code.png").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  const std::string number = R"re(([0-9.]+))re";
  const std::string point = "\\[" + number + ", " + number + "\\]";
  const std::regex line(R"re(\{"file": "([^"]+)", "codes": \[\{"text": "HELLO \\"WORLD\\"", )re"
                        R"re("bytes_base64": "SEVMTE8gIldPUkxEIg==", "charset": "US-ASCII", )re"
                        R"re("charset_guessed": false, "corners": \[)re" +
                        point + ", " + point + ", " + point + ", " + point +
                        R"re(\], "version": 1, "ec": "M", "mask": 2, "errors_corrected": 0, )re"
                        R"re("error_capacity": ([0-9]+)\}\]\}\n)re");
  std::smatch m;
  REQUIRE(std::regex_match(r.out, m, line));
  CHECK(m[1] == t.in("code.png").string());
  const double expect[8] = {32, 32, 200, 32, 200, 200, 32, 200};
  for (int k = 0; k < 8; ++k)
    CHECK(std::stod(m[static_cast<std::size_t>(k + 2)]) == Approx(expect[k]).margin(8));
  // Version 1-M: 10 EC codewords in one block, 2 of them misdecode protection: 4 errors.
  CHECK(m[10] == "4");
}

TEST_CASE("cli decode: bytes without ECI read in their character set, which --json names",
          "[cli][decode]") {
  struct Case {
    std::string bytes, text, json;
  };
  const Case cases[] = {
      // GB 2312 "中文测试" (also valid as Shift JIS half-width katakana and as Latin-1).
      {"\xD6\xD0\xCE\xC4\xB2\xE2\xCA\xD4", "中文测试",
       R"("text": "中文测试", "bytes_base64": "1tDOxLLiytQ=", "charset": "GB18030", )"
       R"("charset_guessed": true, )"},
      // Shift JIS with 0x5C in a URL: a backslash, not a yen sign.
      {"https://a.example.jp/x\x5Cy?\x93\xFA\x96\x7B", "https://a.example.jp/x\\y?日本",
       R"("text": "https://a.example.jp/x\\y?日本", "bytes_base64": )"
       R"("aHR0cHM6Ly9hLmV4YW1wbGUuanAveFx5P5P6lns=", "charset": "Shift_JIS", )"
       R"("charset_guessed": true, )"},
      {"caf\xE9", "café",
       R"("text": "café", "bytes_base64": "Y2Fm6Q==", "charset": "ISO-8859-1", )"
       R"("charset_guessed": true, )"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    TempDir t;
    write_bytes(t.in("payload.bin"), c.bytes);
    const CliResult made = run_cli({"encode", "--data-file", t.in("payload.bin").string(),
                                    "--module-px", "8", "-o", t.in("code.png").string()});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    const CliResult text = run_cli({"decode", t.in("code.png").string()});
    CHECK(text.exit_code == 0);
    CHECK(text.out == c.text + "\n");
    const CliResult json = run_cli({"decode", "--json", t.in("code.png").string()});
    INFO(json.out);
    CHECK(json.exit_code == 0);
    CHECK(json.out.find(c.json) != std::string::npos);
  }
}

TEST_CASE("cli decode: exit codes for files without codes and unreadable files", "[cli][decode]") {
  TempDir t;
  encode_to("https://brand.example/p/1", t.in("code.png"));
  cv::imwrite(t.in("blank.png").string(), cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(255)));
  write_bytes(t.in("broken.png"), "\x89PNG\r\n\x1a\nnot really");

  const CliResult none = run_cli({"decode", t.in("code.png").string(), t.in("blank.png").string()});
  CHECK(none.exit_code == 4);
  CHECK(none.err == "viscode: no code found in '" + t.in("blank.png").string() + "'\n");

  const CliResult bad = run_cli({"decode", "--json", t.in("broken.png").string(),
                                 t.in("blank.png").string(), t.in("missing.png").string()});
  CHECK(bad.exit_code == 3);
  CHECK(bad.out ==
        "{\"file\": \"" + t.in("broken.png").string() + "\", \"codes\": [], \"error\": \"image '" +
            t.in("broken.png").string() +
            "' is not a readable image (truncated, corrupt or an unsupported format)\"}\n"
            "{\"file\": \"" +
            t.in("blank.png").string() +
            "\", \"codes\": []}\n"
            "{\"file\": \"" +
            t.in("missing.png").string() + "\", \"codes\": [], \"error\": \"image '" +
            t.in("missing.png").string() + "' does not exist: check the path\"}\n");

  const CliResult usage = run_cli({"decode"});
  CHECK(usage.exit_code == 2);
}

TEST_CASE("cli decode: an image over the pixel limit is refused from its header", "[cli][decode]") {
  TempDir t;
  // A valid PNG header claiming 20000 x 20000 pixels, and nothing else: refused before any
  // decoding (a full decode would need 1.2 GB).
  std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\x00\x00\x00\x0dIHDR", 8);
  png += std::string("\x00\x00\x4e\x20\x00\x00\x4e\x20\x08\x02\x00\x00\x00", 13);
  png += std::string("\x00\x00\x00\x00", 4);
  write_bytes(t.in("huge.png"), png);
  const CliResult r = run_cli({"decode", t.in("huge.png").string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err == "viscode: image '" + t.in("huge.png").string() +
                     "' is 20000x20000 pixels (400.0 megapixels), over the 100-megapixel limit: "
                     "scale it down or raise --max-megapixels\n");
  const CliResult small = run_cli({"decode", "--max-megapixels", "1", t.in("huge.png").string()});
  CHECK(small.err.find("over the 1-megapixel limit") != std::string::npos);
}

TEST_CASE("cli decode and verify: viscode's own SVG and PDF, as sent to print", "[cli][decode]") {
  TempDir t;
  const std::string payload = "https://viscode.example/p/0001";
  for (const std::string ext : {"svg", "pdf"}) {
    INFO(ext);
    const auto file = t.in("code." + ext);
    // The defaults: 25 mm at 600 dpi, 14 px (0.59 mm) modules.
    const CliResult made =
        run_cli({"encode", "--logo", kBrandPng, "--data", payload, "-o", file.string()});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    // decode rasterises at 600 dpi, the resolution the file was made for: corners on whole
    // 14-px modules after the 4-module quiet zone (56 px).
    const CliResult d = run_cli({"decode", "--json", file.string()});
    INFO(d.err);
    CHECK(d.exit_code == 0);
    CHECK(d.err.empty());
    const std::regex line(
        "\\{\"file\": \"" + file.string() + "\", \"codes\": \\[\\{\"text\": \"" + payload +
        "\", \"bytes_base64\": \"[A-Za-z0-9+/]+=*\", \"charset\": \"[A-Z0-9-]+\", "
        "\"charset_guessed\": (?:true|false), \"corners\": "
        "\\[\\[([0-9.]+), ([0-9.]+)\\], .*\\], \"version\": 4, "
        "\"ec\": \"H\", \"mask\": [0-7], \"errors_corrected\": [0-9]+, "
        "\"error_capacity\": [0-9]+\\}\\]\\}\n");
    std::smatch m;
    REQUIRE(std::regex_match(d.out, m, line));
    // The symbol's edge at 56 px lies half a pixel beyond its outermost pixels' centres.
    CHECK(std::stod(m[1].str()) == Approx(55.5).margin(1));
    CHECK(std::stod(m[2].str()) == Approx(55.5).margin(1));
    // verify reads the page at its physical size and passes.
    const CliResult v = run_cli({"verify", file.string(), "--expect", payload, "--severity",
                                 "moderate", "--seeds", "4", "--no-min-size"});
    INFO(v.out << v.err);
    CHECK(v.exit_code == 0);
    CHECK(v.err.empty());
    CHECK(v.out.rfind(file.string() + ": version 4, EC H, ", 0) == 0);
    CHECK(v.out.find(" px/module (0.59 mm printed), reads \"" + payload + "\"\n") !=
          std::string::npos);
    // JSON too: 14 px at 600 dpi is 0.593 mm, drawn at 2400 dpi (56 px).
    const CliResult j = run_cli({"verify", file.string(), "--expect", payload, "--severity",
                                 "pristine", "--seeds", "2", "--no-min-size", "--json"});
    CHECK(j.exit_code == 0);
    CHECK(std::regex_search(
        j.out, std::regex("\"module_px\": 5[56]\\.[0-9]{2}, \"printed_module_mm\": 0\\.593, ")));
  }
}

TEST_CASE("cli decode --json: a QR Model 1 code says \"model\": 1", "[cli][decode]") {
  TempDir t;
  viscode::test::Bits b;
  b.put(0, 4);  // Model 1's data stream starts with four zero bits
  viscode::test::alnum(b, "OLD PACK", 2);
  b.put(0, 4);
  const int data = viscode::test::model1_data_codewords(2, 'M');
  const auto symbol =
      viscode::test::model1_symbol(b.codewords(static_cast<std::size_t>(data)), 2, 'M', 3);
  REQUIRE(cv::imwrite(t.in("model1.png").string(), viscode::test::render_model1(symbol, 8)));
  const CliResult r = run_cli({"decode", "--json", t.in("model1.png").string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find(R"("text": "OLD PACK")") != std::string::npos);
  CHECK(r.out.find(R"("version": 2, "ec": "M", "mask": 3, "errors_corrected": 0, )"
                   R"("error_capacity": 8, "model": 1}]})") != std::string::npos);
}
