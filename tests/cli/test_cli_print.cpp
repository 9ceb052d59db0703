// Print output: 'encode --ink k|cmyk', '--icc' and '--bleed' as a press sees them: the
// page's colour operators (decompressed), its images (pdfimages -list), its boxes
// (pdfinfo -box) and its rendering (pdftoppm), read back by the reference readers.
#include <lcms2.h>
#include <sys/wait.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <regex>
#include <string>
#include <vector>

#include "cli_harness.hpp"
#include "tools.hpp"

using namespace viscode::cli_test;
namespace fs = std::filesystem;

namespace {

const std::string kPayload = "https://brand.example/p/1";

void encode_ok(const std::vector<std::string>& args) {
  const auto r = encode(args);
  INFO("stdout: " << r.out);
  INFO("stderr: " << r.err);
  REQUIRE(r.exit_code == 0);
}

// The page content streams (FlateDecode without predictor parameters) inflated.
std::string page_content(const std::string& pdf) {
  std::string all;
  const std::string marker = "/Filter /FlateDecode >>\nstream\n";
  std::size_t at = 0;
  while ((at = pdf.find(marker, at)) != std::string::npos) {
    const std::size_t start = at + marker.size();
    const std::size_t end = pdf.find("\nendstream", start);
    REQUIRE(end != std::string::npos);
    std::vector<unsigned char> out(1 << 23);
    uLongf size = out.size();
    REQUIRE(uncompress(out.data(), &size, reinterpret_cast<const Bytef*>(pdf.data() + start),
                       end - start) == Z_OK);
    all.append(reinterpret_cast<const char*>(out.data()), size);
    at = end;
  }
  return all;
}

std::string output_of(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// Every CMYK fill or stroke colour set in the content: "c m y k k" / "K".
std::vector<std::vector<double>> cmyk_colours(const std::string& content) {
  static const std::regex op(R"((?:^|\s)([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+) [kK]\b)");
  std::vector<std::vector<double>> out;
  for (auto it = std::sregex_iterator(content.begin(), content.end(), op);
       it != std::sregex_iterator(); ++it) {
    out.push_back(
        {std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4])});
  }
  return out;
}

bool tools_present() {
  for (const char* t : {"pdftoppm", "pdfimages", "pdfinfo"}) {
    if (viscode::test::find_tool(t).empty()) {
      WARN(std::string(t) + " (poppler-utils) is not installed: print output not checked");
      return false;
    }
  }
  return true;
}

// The first page at dpi as 8-bit BGR.
cv::Mat rendered(const fs::path& pdf, int dpi, const fs::path& stem) {
  REQUIRE(std::system(("pdftoppm -r " + std::to_string(dpi) + " -png -singlefile '" + pdf.string() +
                       "' '" + stem.string() + "'")
                          .c_str()) == 0);
  const cv::Mat m = cv::imread(stem.string() + ".png", cv::IMREAD_COLOR);
  REQUIRE_FALSE(m.empty());
  return m;
}

// A small CMYK output profile made with lcms2 (tests cannot ship a press's profile): its
// tables are the naive conversion with a 10% lighter K, so that a PDF made through it is
// told apart from one made without it. Written to `file`.
cmsInt32Number to_cmyk(const cmsUInt16Number in[], cmsUInt16Number out[], void* data) {
  cmsUInt16Number rgb[3];
  cmsDoTransform(static_cast<cmsHTRANSFORM*>(data)[0], in, rgb, 1);
  const double r = rgb[0] / 65535.0, g = rgb[1] / 65535.0, b = rgb[2] / 65535.0;
  const double k = 1 - std::max({r, g, b});
  const auto ink = [k](double v) { return k >= 1 ? 0.0 : (1 - v - k) / (1 - k); };
  const double v[4] = {ink(r), ink(g), ink(b), 0.9 * k};
  for (int i = 0; i < 4; ++i) out[i] = static_cast<cmsUInt16Number>(std::lround(v[i] * 65535));
  return TRUE;
}

cmsInt32Number to_lab(const cmsUInt16Number in[], cmsUInt16Number out[], void* data) {
  const double k = in[3] / 65535.0 / 0.9;
  cmsUInt16Number rgb[3];
  for (int i = 0; i < 3; ++i) {
    rgb[i] = static_cast<cmsUInt16Number>(
        std::lround(std::clamp((1 - in[i] / 65535.0) * (1 - k), 0.0, 1.0) * 65535));
  }
  cmsDoTransform(static_cast<cmsHTRANSFORM*>(data)[1], rgb, out, 1);
  return TRUE;
}

void write_test_profile(const fs::path& file) {
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr), srgb = cmsCreate_sRGBProfile();
  cmsHTRANSFORM t[2] = {
      cmsCreateTransform(lab, TYPE_Lab_16, srgb, TYPE_RGB_16, INTENT_RELATIVE_COLORIMETRIC, 0),
      cmsCreateTransform(srgb, TYPE_RGB_16, lab, TYPE_Lab_16, INTENT_RELATIVE_COLORIMETRIC, 0)};
  cmsHPROFILE p = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(p, 2.1);
  cmsSetDeviceClass(p, cmsSigOutputClass);
  cmsSetColorSpace(p, cmsSigCmykData);
  cmsSetPCS(p, cmsSigLabData);
  cmsPipeline* b2a = cmsPipelineAlloc(nullptr, 3, 4);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 17, 3, 4, nullptr);
  REQUIRE(cmsStageSampleCLut16bit(clut, to_cmyk, t, 0));
  cmsPipelineInsertStage(b2a, cmsAT_BEGIN, clut);
  cmsPipeline* a2b = cmsPipelineAlloc(nullptr, 4, 3);
  clut = cmsStageAllocCLut16bit(nullptr, 9, 4, 3, nullptr);
  REQUIRE(cmsStageSampleCLut16bit(clut, to_lab, t, 0));
  cmsPipelineInsertStage(a2b, cmsAT_BEGIN, clut);
  REQUIRE(cmsWriteTag(p, cmsSigBToA0Tag, b2a));
  REQUIRE(cmsWriteTag(p, cmsSigAToB0Tag, a2b));
  REQUIRE(cmsWriteTag(p, cmsSigMediaWhitePointTag, cmsD50_XYZ()));
  REQUIRE(cmsSaveProfileToFile(p, file.c_str()));
  cmsPipelineFree(b2a);
  cmsPipelineFree(a2b);
  cmsCloseProfile(p);
  cmsDeleteTransform(t[0]);
  cmsDeleteTransform(t[1]);
  cmsCloseProfile(lab);
  cmsCloseProfile(srgb);
}

}  // namespace

TEST_CASE("encode --ink cmyk --icc: colours through the printer's profile", "[cli][print]") {
  if (!tools_present()) return;
  TempDir t;
  const fs::path icc = t.in("press.icc");
  write_test_profile(icc);
  const fs::path naive = t.out("naive.pdf"), profiled = t.out("profiled.pdf");
  const std::vector<std::string> base = {"--logo", kBrandPng, "--data",  kPayload,
                                         "--ink",  "cmyk",    "--light", "#d8d8d8"};
  std::vector<std::string> args = base;
  args.insert(args.end(), {"-o", naive.string()});
  encode_ok(args);
  args = base;
  args.insert(args.end(), {"--icc", icc.string(), "-o", profiled.string()});
  encode_ok(args);
  const auto a = cmyk_colours(page_content(read_bytes(naive)));
  const auto b = cmyk_colours(page_content(read_bytes(profiled)));
  // The grey light colour: K alone, 15% without the profile and about 10% lighter with it.
  const auto grey = [](const std::vector<std::vector<double>>& colours) {
    for (const auto& c : colours) {
      if (c[3] > 0 && c[3] < 1) return c;
    }
    return std::vector<double>{};
  };
  REQUIRE(grey(a).size() == 4);
  REQUIRE(grey(b).size() == 4);
  CHECK(grey(a)[3] == Approx(1 - 216 / 255.0).margin(0.002));
  CHECK(grey(b)[3] < grey(a)[3] - 0.005);
  for (const auto& c : b) {
    if (c[3] >= 1) CHECK((c[0] == 0 && c[1] == 0 && c[2] == 0));  // black stays K alone
  }
  const std::string images = output_of("pdfimages -list '" + profiled.string() + "'");
  CHECK(images.find(" cmyk ") != std::string::npos);
  rendered(profiled, 600, t.out("profiled"));
  check_reads_back(t.out("profiled.png"), kPayload);

  // An RGB profile is not a press's.
  const fs::path rgb = t.in("srgb.icc");
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  REQUIRE(cmsSaveProfileToFile(srgb, rgb.c_str()));
  cmsCloseProfile(srgb);
  const auto r = encode({"--logo", kBrandPng, "--data", kPayload, "--ink", "cmyk", "--icc",
                         rgb.string(), "-o", t.out("x.pdf").string()});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("is not a CMYK profile") != std::string::npos);
}

TEST_CASE("encode --ink k: dark modules in black ink alone, the picture RGB", "[cli][print]") {
  if (!tools_present()) return;
  TempDir t;
  const fs::path pdf = t.out("code.pdf");
  encode_ok({"--logo", kBrandPng, "--data", kPayload, "--ink", "k", "-o", pdf.string()});
  const std::string content = page_content(read_bytes(pdf));
  INFO(content.substr(0, 2000));
  const auto colours = cmyk_colours(content);
  REQUIRE_FALSE(colours.empty());
  bool solid_k = false;
  for (const auto& c : colours) {
    // No rich black: any colour with K ink has no C, M or Y with it.
    if (c[3] > 0) CHECK((c[0] == 0 && c[1] == 0 && c[2] == 0));
    if (c == std::vector<double>{0, 0, 0, 1}) solid_k = true;
  }
  CHECK(solid_k);
  CHECK(content.find("0 0 0 rg") == std::string::npos);  // no RGB black anywhere
  CHECK(content.find("0 0 0 RG") == std::string::npos);
  const std::string images = output_of("pdfimages -list '" + pdf.string() + "'");
  INFO(images);
  CHECK(images.find(" rgb ") != std::string::npos);
  CHECK(images.find(" cmyk ") == std::string::npos);

  // The press's view reads back.
  rendered(pdf, 600, t.out("k"));
  check_reads_back(t.out("k.png"), kPayload);

  // Deterministic; and the default stays Cairo's RGB PDF, byte for byte.
  const fs::path again = t.out("again.pdf");
  encode_ok({"--logo", kBrandPng, "--data", kPayload, "--ink", "k", "-o", again.string()});
  CHECK(read_bytes(again) == read_bytes(pdf));
  const fs::path plain = t.out("default.pdf"), rgb = t.out("rgb.pdf");
  encode_ok({"--logo", kBrandPng, "--data", kPayload, "-o", plain.string()});
  encode_ok({"--logo", kBrandPng, "--data", kPayload, "--ink", "rgb", "-o", rgb.string()});
  CHECK(read_bytes(plain) == read_bytes(rgb));
  CHECK(read_bytes(plain).find("DeviceCMYK") == std::string::npos);
}

TEST_CASE("encode --ink cmyk: the picture and every colour in CMYK", "[cli][print]") {
  if (!tools_present()) return;
  TempDir t;
  const fs::path pdf = t.out("code.pdf");
  encode_ok({"--logo", kBrandSvg, "--data", kPayload, "--ink", "cmyk", "--dark", "#000000",
             "--light", "#fffbe6", "-o", pdf.string()});
  const std::string content = page_content(read_bytes(pdf));
  CHECK(content.find(" rg\n") == std::string::npos);
  CHECK(content.find(" RG\n") == std::string::npos);
  bool solid_k = false, light = false;
  for (const auto& c : cmyk_colours(content)) {
    if (c[3] > 0) CHECK((c[0] == 0 && c[1] == 0 && c[2] == 0));
    if (c == std::vector<double>{0, 0, 0, 1}) solid_k = true;
    if (c[3] == 0 && c[2] > 0) light = true;  // the cream light colour: some yellow
  }
  CHECK(solid_k);
  CHECK(light);
  const std::string images = output_of("pdfimages -list '" + pdf.string() + "'");
  INFO(images);
  CHECK(images.find(" cmyk ") != std::string::npos);
  CHECK(images.find(" rgb ") == std::string::npos);
  rendered(pdf, 600, t.out("cmyk"));
  check_reads_back(t.out("cmyk.png"), kPayload);
}

TEST_CASE("encode --bleed: the picture extends past TrimBox into BleedBox", "[cli][print]") {
  if (!tools_present()) return;
  TempDir t;
  const fs::path pdf = t.out("code.pdf");
  // The picture under the quiet zone too, so that it reaches the trim on every side.
  encode_ok({"--logo", kBrandPng, "--data", kPayload, "--logo-area", "full", "--size", "25mm",
             "--bleed", "3mm", "-o", pdf.string()});
  const std::string boxes = output_of("pdfinfo -box '" + pdf.string() + "'");
  INFO(boxes);
  // 24.30 mm of code (41 modules of 14 px at 600 dpi) and 3 mm on each side.
  const double code_pt = 574 / 600.0 * 72, bleed_pt = 3 / 25.4 * 72;
  double media[4], trim[4], bleed[4];
  const auto box = [&](const std::string& name, double* v) {
    const auto at = boxes.find(name);
    REQUIRE(at != std::string::npos);
    REQUIRE(std::sscanf(boxes.c_str() + at + name.size(), " %lf %lf %lf %lf", &v[0], &v[1], &v[2],
                        &v[3]) == 4);
  };
  box("MediaBox:", media);
  box("TrimBox:", trim);
  box("BleedBox:", bleed);
  CHECK(media[2] == Approx(code_pt + 2 * bleed_pt).margin(0.01));
  CHECK(trim[0] == Approx(bleed_pt).margin(0.01));
  CHECK(trim[2] - trim[0] == Approx(code_pt).margin(0.01));
  CHECK(bleed[2] == Approx(media[2]).margin(0.01));

  // In the bleed, the picture carries on: the band outside the trim (the brand's image,
  // mirrored) has the colours of the band just inside it (the same image under the quiet
  // zone's light centres and tone veils), not blank paper.
  const cv::Mat page = rendered(pdf, 300, t.out("bleed"));
  const int b = static_cast<int>(std::lround(3 / 25.4 * 300));
  for (const cv::Rect& band :
       {cv::Rect(b, 0, page.cols - 2 * b, b - 2), cv::Rect(0, b, b - 2, page.rows - 2 * b)}) {
    const cv::Scalar outside = cv::mean(page(band));
    const cv::Rect in(band.x == 0 ? b + 2 : band.x, band.y == 0 ? b + 2 : band.y, band.width,
                      band.height);
    const cv::Scalar inside = cv::mean(page(in));
    INFO("bleed band " << outside << ", inside the trim " << inside);
    CHECK(outside[0] + outside[1] + outside[2] < 3 * 240);
    for (int c = 0; c < 3; ++c) CHECK(std::abs(outside[c] - inside[c]) < 40);
  }
  // Reads at the trim.
  const cv::Mat trimmed = page(cv::Rect(b, b, page.cols - 2 * b, page.rows - 2 * b)).clone();
  cv::imwrite(t.out("trimmed.png").string(), trimmed);
  check_reads_back(t.out("trimmed.png"), kPayload);
}

TEST_CASE("encode print flags: bad values are usage errors naming the flag", "[cli][print]") {
  TempDir t;
  const auto fails = [&](std::vector<std::string> args, int code, const std::string& text) {
    args.insert(args.end(), {"--data", kPayload});
    const auto r = encode(args);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == code);
    CHECK(r.err.find(text) != std::string::npos);
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  };
  const std::string pdf = t.out("c.pdf").string();
  fails({"--ink", "cmy", "-o", pdf}, 2, "--ink 'cmy' is not an ink: use rgb, k or cmyk");
  fails({"--bleed", "11mm", "-o", pdf}, 2, "--bleed 11.00mm is out of range: use 0mm to 10.00mm");
  fails({"--bleed", "-1", "-o", pdf}, 2, "--bleed");
  fails({"--bleed", "3mm", "-o", t.out("c.png").string()}, 2, "--bleed is for PDF output");
  fails({"--ink", "k", "-o", t.out("c.svg").string()}, 2, "--ink k is for PDF output");
  fails({"--ink", "k", "--dark", "#102030", "-o", pdf}, 2, "--ink k prints dark modules");
  fails({"--icc", t.in("none.icc").string(), "-o", pdf}, 2,
        "--icc converts colours for --ink cmyk");
  fails({"--ink", "cmyk", "--icc", t.in("none.icc").string(), "-o", pdf}, 3,
        "--icc '" + t.in("none.icc").string() + "' cannot be read");
  write_bytes(t.in("bad.icc"), "not a profile");
  fails({"--ink", "cmyk", "--icc", t.in("bad.icc").string(), "-o", pdf}, 3,
        "is not an ICC profile");
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("batch sheets take --ink and --bleed, recorded for --resume only when set",
          "[cli][print][batch]") {
  if (!tools_present()) return;
  TempDir t;
  const std::string tmpl = "https://v.brand.example/a/{serial}";
  const std::vector<std::string> base = {"batch",     "--logo",
                                         kBrandPng,   "--template",
                                         tmpl,        "--count",
                                         "3",         "--sheet",
                                         "80x60mm",   "--margin",
                                         "5mm",       "--crop-marks",
                                         "--out-dir", t.out_dir().string()};
  // A bleed needs room in the gap: two bleeds between neighbours.
  std::vector<std::string> tight = base;
  tight.insert(tight.end(), {"--bleed", "2mm"});
  CliResult r = run_cli(tight);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--bleed 2mm needs a --gap of at least 4mm") != std::string::npos);

  std::vector<std::string> args = base;
  args.insert(args.end(), {"--ink", "k", "--bleed", "1mm"});
  r = run_cli(args);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path sheet = t.out_dir() / "sheets-0001.pdf";
  const std::string content = page_content(read_bytes(sheet));
  bool solid_k = false;
  for (const auto& c : cmyk_colours(content)) {
    if (c[3] > 0) CHECK((c[0] == 0 && c[1] == 0 && c[2] == 0));
    if (c == std::vector<double>{0, 0, 0, 1}) solid_k = true;
  }
  CHECK(solid_k);
  CHECK(content.find("0 0 0 rg") == std::string::npos);
  CHECK(content.find("\n0 g") == std::string::npos);
  const std::string settings = read_bytes(t.out_dir() / "batch-settings.txt");
  CHECK(settings.find(" module_px 0 ink k bleed_mm 1.0000\n") != std::string::npos);
  // The page reads back at 600 dpi, each code where the grid puts it.
  rendered(sheet, 600, t.root() / "sheet");  // beside the run: --check counts extra files
  CHECK(run_cli({"batch", "--check", "--out-dir", t.out_dir().string()}).exit_code == 0);

  // Defaults leave the settings as they were before these options existed.
  TempDir d;
  std::vector<std::string> plain = base;
  plain.back() = d.out_dir().string();
  REQUIRE(run_cli(plain).exit_code == 0);
  const std::string before = read_bytes(d.out_dir() / "batch-settings.txt");
  CHECK(before.find(" ink ") == std::string::npos);
  CHECK(before.find("bleed") == std::string::npos);
}
