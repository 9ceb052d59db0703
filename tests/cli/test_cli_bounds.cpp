// Hostile inputs must be refused with an input error (exit 3) and bounded memory: each test
// runs the CLI in a child process with its address space capped (so that the code before
// these checks fails fast instead of swapping) and checks its peak RSS as well as its exact
// message. The bomb files are generated here; the 1.2 GB PNG is a sparse file.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "cli_harness.hpp"

namespace {

using namespace viscode::cli_test;
namespace fs = std::filesystem;

constexpr long kAddressSpaceCap = 2000l << 20;  // bytes: a child past this fails, never swaps

struct Measured {
  int exit_code = -1;
  std::string out, err;
  double peak_mb = 0;  // the child's peak resident set
};

// Runs the CLI with its address space capped; stdout and stderr go to files (no pipes to
// drain), and wait4 gives this child's own peak RSS.
Measured run_measured(const std::vector<std::string>& args, const fs::path& dir) {
  std::vector<std::string> owned{VISCODE_CLI};
  owned.insert(owned.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : owned) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_file = (dir / "stdout.txt").string();
  const std::string err_file = (dir / "stderr.txt").string();
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    const rlimit cap{static_cast<rlim_t>(kAddressSpaceCap), static_cast<rlim_t>(kAddressSpaceCap)};
    ::setrlimit(RLIMIT_AS, &cap);
    const rlimit cpu{30, 30};  // seconds: a drawing that never ends is killed, and fails
    ::setrlimit(RLIMIT_CPU, &cpu);
    const int o = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int e = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(o, STDOUT_FILENO);
    ::dup2(e, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0) REQUIRE(errno == EINTR);
  Measured m;
  m.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  m.out = read_bytes(out_file);
  m.err = read_bytes(err_file);
  m.peak_mb = static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
  fs::remove(out_file);
  fs::remove(err_file);
  return m;
}

void put_be32(std::string& out, std::uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xFF);
}

void put_chunk(std::string& png, const char* type, const std::string& data) {
  put_be32(png, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  png += body;
  put_be32(png, static_cast<std::uint32_t>(
                    crc32(0, reinterpret_cast<const Bytef*>(body.data()), body.size())));
}

// A valid PNG container claiming w x h pixels; `rows` of the image data are real (zero
// pixels), the rest missing, which decoders discover only after allocating for the claim.
std::string png_claiming(std::uint32_t w, std::uint32_t h, int depth, int colour,
                         std::uint32_t rows = 1) {
  std::string png = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_be32(ihdr, w);
  put_be32(ihdr, h);
  ihdr += static_cast<char>(depth);
  ihdr += static_cast<char>(colour);
  ihdr += std::string(3, '\0');
  put_chunk(png, "IHDR", ihdr);
  const int channels = colour == 6 ? 4 : colour == 2 ? 3 : 1;
  const std::size_t row_bytes = 1 + (static_cast<std::size_t>(w) * channels * depth + 7) / 8;
  const std::string raw(row_bytes * rows, '\0');
  uLongf size = compressBound(raw.size());
  std::string z(size, '\0');
  REQUIRE(compress2(reinterpret_cast<Bytef*>(z.data()), &size,
                    reinterpret_cast<const Bytef*>(raw.data()), raw.size(), 9) == Z_OK);
  z.resize(size);
  put_chunk(png, "IDAT", z);
  put_chunk(png, "IEND", "");
  return png;
}

std::string base64(const std::string& in) {
  static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                            (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += t[(v >> s) & 63];
  }
  if (i + 1 == in.size()) {
    const std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
    out += t[(v >> 18) & 63];
    out += t[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const std::uint32_t v =
        (std::uint32_t(std::uint8_t(in[i])) << 16) | (std::uint32_t(std::uint8_t(in[i + 1])) << 8);
    out += t[(v >> 18) & 63];
    out += t[(v >> 12) & 63];
    out += t[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string svg_embedding(const std::string& png) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
         "width=\"100\" height=\"100\"><image width=\"100\" height=\"100\" "
         "xlink:href=\"data:image/png;base64," +
         base64(png) + "\"/></svg>\n";
}

// A baseline JPEG's headers claiming w x h pixels, then a few bytes of scan and its end.
std::string jpeg_claiming(std::uint16_t w, std::uint16_t h) {
  std::string j = "\xFF\xD8";
  j += std::string("\xFF\xC0\x00\x11\x08", 5);
  j += static_cast<char>(h >> 8);
  j += static_cast<char>(h & 0xFF);
  j += static_cast<char>(w >> 8);
  j += static_cast<char>(w & 0xFF);
  j += std::string("\x03\x01\x11\x00\x02\x11\x00\x03\x11\x00", 10);
  j += std::string("\xFF\xDA\x00\x0C\x03\x01\x00\x02\x00\x03\x00\x00\x3F\x00", 14);
  j += std::string(64, '\0');
  j += "\xFF\xD9";
  return j;
}

// A little-endian TIFF whose first IFD claims w x h 8-bit grey pixels in one uncompressed
// strip that the file does not hold.
std::string tiff_claiming(std::uint32_t w, std::uint32_t h) {
  std::string t = std::string("II*\0", 4);
  const auto le16 = [&](std::uint16_t v) {
    t += static_cast<char>(v & 0xFF);
    t += static_cast<char>(v >> 8);
  };
  const auto le32 = [&](std::uint32_t v) {
    for (int s = 0; s < 32; s += 8) t += static_cast<char>((v >> s) & 0xFF);
  };
  le32(8);
  const std::uint16_t entries = 8;
  le16(entries);
  const auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {
    le16(tag);
    le16(type);
    le32(1);
    if (type == 3) {
      le16(static_cast<std::uint16_t>(value));
      le16(0);
    } else {
      le32(value);
    }
  };
  const std::uint32_t data = 8 + 2 + entries * 12 + 4;
  entry(256, 4, w);
  entry(257, 4, h);
  entry(258, 3, 8);
  entry(259, 3, 1);  // no compression
  entry(262, 3, 1);  // black is zero
  entry(273, 4, data);
  entry(278, 4, h);
  entry(279, 4, w * h);
  le32(0);
  t += std::string(1024, '\x80');
  return t;
}

std::string message(const std::string& text) {
  return "viscode: " + text + "\n";
}

}  // namespace

TEST_CASE("an SVG logo embedding a PNG that claims 60000x60000 pixels is refused",
          "[cli][bounds]") {
  TempDir t;
  const std::string logo = t.in("bomb.svg").string();
  write_bytes(logo, svg_embedding(png_claiming(60000, 60000, 8, 6)));
  const Measured m = run_measured(
      {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
  CHECK(m.err == message("logo file '" + logo +
                         "' embeds a 60000x60000 image; images embedded in an SVG may have 40 "
                         "megapixels in all: simplify it, or export it as PNG"));
  CHECK(m.exit_code == 3);
  CHECK(m.peak_mb < 300);
  CHECK(listing(t.out_dir()).empty());
  // The same SVG given to decode: read back through librsvg with the same checks.
  const Measured d = run_measured({"decode", logo}, t.root());
  CHECK(d.err == message("image '" + logo +
                         "' embeds a 60000x60000 image; images embedded in an SVG may have 40 "
                         "megapixels in all: simplify it, or export it as PNG"));
  CHECK(d.exit_code == 3);
  CHECK(d.peak_mb < 300);
}

TEST_CASE("an SVG logo embedding a real 20000x20000 PNG is refused", "[cli][bounds]") {
  TempDir t;
  const std::string logo = t.in("big.svg").string();
  // 1-bit grey, every row present: a complete image that gdk-pixbuf would decode in full.
  const std::string png = png_claiming(20000, 20000, 1, 0, 20000);
  const std::string svg = svg_embedding(png);
  const std::string head = svg.substr(0, svg.find("<image"));
  const std::string image = "<image width=\"100\" height=\"100\" xlink:href=";
  // Found by probing (each took 2.8 GB and 90 s before): the scheme in capitals, and a
  // data: URI spelt by two entities, neither of which holds "data:".
  const std::string upper = head + image + "\"DATA:image/png;base64," + base64(png) + "\"/></svg>";
  const std::string split =
      "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY d \"da\"><!ENTITY i "
      "\"ta:image/png;base64," +
      base64(png) + "\">]>" + head + image + "\"&d;&i;\"/></svg>";
  for (const std::string& text : {svg, upper, split}) {
    write_bytes(logo, text);
    const Measured m = run_measured(
        {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
    CHECK(m.err == message("logo file '" + logo +
                           "' embeds a 20000x20000 image; images embedded in an SVG may have 40 "
                           "megapixels in all: simplify it, or export it as PNG"));
    CHECK(m.exit_code == 3);
    CHECK(m.peak_mb < 300);
  }
}

TEST_CASE("SVG entities may not expand past twice the SVG file limit", "[cli][bounds]") {
  TempDir t;
  const std::string logo = t.in("wide.svg").string();
  std::string uses;
  for (int i = 0; i < 40; ++i) uses += "&e;";
  write_bytes(logo, "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY e \"" +
                        std::string(1 << 20, 'x') +
                        "\">]><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" "
                        "height=\"10\"><desc>" +
                        uses + "</desc></svg>");
  const Measured m = run_measured(
      {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
  CHECK(m.err == message("logo file '" + logo +
                         "' expands its entities to over 32 MiB: simplify it, or export it as "
                         "PNG"));
  CHECK(m.exit_code == 3);
  CHECK(m.peak_mb < 300);
}

TEST_CASE("SVG logos with a million elements, or over the element limit, are refused",
          "[cli][bounds]") {
  TempDir t;
  SECTION("a 59 MB SVG of a million rects: over the file size limit") {
    const std::string logo = t.in("rects.svg").string();
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">\n";
    for (int i = 0; i < 1'000'000; ++i) {
      svg += "<rect x=\"" + std::to_string(i % 100) +
             "\" y=\"1\" width=\"1\" height=\"1\" fill=\"#000\"/>\n";
    }
    svg += "</svg>\n";
    write_bytes(logo, svg);
    const Measured m = run_measured(
        {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
    CHECK(m.err == message("logo file '" + logo + "' is " + std::to_string(svg.size()) +
                           " bytes, over the 16 MiB limit for SVG files: simplify it, or export "
                           "it as PNG"));
    CHECK(m.exit_code == 3);
    CHECK(m.peak_mb < 300);
  }
  SECTION("60,000 small elements in 1 MB") {
    const std::string logo = t.in("many.svg").string();
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\" height=\"100\">";
    for (int i = 0; i < 60'000; ++i) svg += "<g/>";
    svg += "</svg>\n";
    write_bytes(logo, svg);
    const Measured m = run_measured(
        {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
    CHECK(m.err == message("logo file '" + logo +
                           "' has over 50000 elements, the limit for SVG files: simplify it, or "
                           "export it as PNG"));
    CHECK(m.exit_code == 3);
  }
}

TEST_CASE("an SVG logo with a stroke 7.8e12 units wide is refused, not drawn for minutes",
          "[cli][bounds]") {
  // Found by fuzz_logo (tests/fuzz/seeds/logo/regression-wide-stroke.svg): cairo took 283 s.
  TempDir t;
  const std::string logo = t.in("wide.svg").string();
  write_bytes(logo,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"512\" height=\"512\">"
              "<circle cx=\"28689\" r=\"240\" fill=\"#0b3d26\"/>"
              "<path d=\"M150 392 C112 2 26124 132 404 112 C400 300 300 404 150 392 Z\"/>"
              "<path d=\"M112 430 L168 374 Q262 268 376 142\" fill=\"none\" stroke=\"#000\" "
              "stroke-width=\"7799999999999\"/></svg>\n");
  const Measured m = run_measured(
      {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
  CHECK(m.err == message("logo file '" + logo +
                         "' has the number 7799999999999 in a tag; coordinates and sizes may be "
                         "at most 100000000: simplify it, or export it as PNG"));
  CHECK(m.exit_code == 3);
}

TEST_CASE("raster logos over 100 megapixels are refused from their header", "[cli][bounds]") {
  TempDir t;
  SECTION("24000x24000 16-bit RGBA PNG") {
    const std::string logo = t.in("big.png").string();
    write_bytes(logo, png_claiming(24000, 24000, 16, 6, 10));
    const Measured m = run_measured(
        {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
    CHECK(m.err == message("logo file '" + logo +
                           "' is 24000x24000 pixels, over the 100-megapixel limit: scale it down"));
    CHECK(m.exit_code == 3);
    CHECK(m.peak_mb < 300);
  }
  SECTION("20000x20000 JPEG") {
    const std::string logo = t.in("big.jpg").string();
    write_bytes(logo, jpeg_claiming(20000, 20000));
    const Measured m = run_measured(
        {"encode", "--data", "x", "--logo", logo, "-o", t.out("a.png").string()}, t.root());
    CHECK(m.err == message("logo file '" + logo +
                           "' is 20000x20000 pixels, over the 100-megapixel limit: scale it down"));
    CHECK(m.exit_code == 3);
    CHECK(m.peak_mb < 300);
  }
}

TEST_CASE("a TIFF claiming 32000x32000 pixels is refused from its header", "[cli][bounds]") {
  TempDir t;
  const std::string image = t.in("big.tif").string();
  write_bytes(image, tiff_claiming(32000, 32000));
  const Measured m = run_measured({"decode", image}, t.root());
  CHECK(m.err == message("image '" + image +
                         "' is 32000x32000 pixels (1024.0 megapixels), over the 100-megapixel "
                         "limit: scale it down or raise --max-megapixels"));
  CHECK(m.exit_code == 3);
  CHECK(m.peak_mb < 300);
}

TEST_CASE("a 1.2 GB image file is refused before it is read", "[cli][bounds]") {
  TempDir t;
  const std::string image = t.in("huge.png").string();
  write_bytes(image, png_claiming(1000, 1000, 8, 0, 1000));
  // Sparse: the test writes a few kilobytes, whatever the file's size.
  REQUIRE(::truncate(image.c_str(), 1'200'000'000) == 0);
  const Measured m = run_measured({"decode", image}, t.root());
  CHECK(m.err == message("image '" + image +
                         "' is 1200000000 bytes, over the 256 MiB limit for images: scale it "
                         "down or save it compressed (PNG or JPEG)"));
  CHECK(m.exit_code == 3);
  CHECK(m.peak_mb < 300);
}

TEST_CASE("devices and FIFOs are refused as file inputs", "[cli][bounds]") {
  TempDir t;
  const std::string fifo = t.in("fifo").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const std::string out = t.out("a.png").string();
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{"decode", "/dev/zero"},
       "image '/dev/zero' is a character device, not a regular file: give an image file"},
      {{"verify", fifo, "--expect", "x"},
       "image '" + fifo + "' is a FIFO, not a regular file: give an image file"},
      {{"encode", "--data", "x", "--logo", "/dev/zero", "-o", out},
       "logo file '/dev/zero' is a character device, not a regular file: give an image file to "
       "--logo"},
      {{"encode", "--data-file", "/dev/zero", "-o", out},
       "data file '/dev/zero' is a character device, not a regular file: give a file to "
       "--data-file"},
      {{"encode", "--data-file", fifo, "-o", out},
       "data file '" + fifo + "' is a FIFO, not a regular file: give a file to --data-file"},
      {{"verify", kBrandPng, "--expect-file", "/dev/zero"},
       "data file '/dev/zero' is a character device, not a regular file: give a file to "
       "--expect-file"},
      {{"batch", "--template", "S{serial}", "--serials", "/dev/zero", "--lines", "--out-dir",
        t.out("run").string()},
       "serials file '/dev/zero' is a character device, not a regular file: give a file to "
       "--serials"},
      {{"batch", "--template", "S{serial}", "--serials", fifo, "--lines", "--out-dir",
        t.out("run").string()},
       "serials file '" + fifo + "' is a FIFO, not a regular file: give a file to --serials"},
      {{"ledger", "--db", (t.root() / "l.db").string(), "import", "/dev/zero"},
       "manifest '/dev/zero' is a character device, not a regular file: give viscode batch's "
       "manifest.csv or its folder"},
      {{"authenticate", "--pub", "/dev/zero", "--payload", "x"},
       "public key file '/dev/zero' is a character device, not a regular file: give the key "
       "file"},
  };
  for (const Case& c : cases) {
    std::string command;
    for (const std::string& a : c.args) command += a + " ";
    INFO(command);
    const Measured m = run_measured(c.args, t.root());
    CHECK(m.err == message(c.error));
    CHECK(m.exit_code == 3);
    CHECK(m.peak_mb < 300);
  }
  CHECK(listing(t.out_dir()).empty());
}

TEST_CASE("payload files over 64 KiB are refused before they are read", "[cli][bounds]") {
  TempDir t;
  const std::string data = t.in("data.bin").string();
  write_bytes(data, std::string(65537, 'A'));
  const CliResult r = encode({"--data-file", data, "-o", t.out("a.png").string()});
  CHECK(r.err == message("data file '" + data +
                         "' is 65537 bytes, over the 64 KiB limit for data files: a QR code "
                         "holds at most 2953 bytes; give the payload itself"));
  CHECK(r.exit_code == 3);
}

TEST_CASE("a serials file with a line over 64 KiB is refused", "[cli][bounds]") {
  TempDir t;
  const std::string serials = t.in("serials.txt").string();
  write_bytes(serials, "A1\nA2\n" + std::string(70000, 'B') + "\nA3\n");
  const CliResult r = run_cli({"batch", "--template", "S{serial}", "--serials", serials, "--lines",
                               "--out-dir", t.out("run").string()});
  CHECK(r.err == message("line 3 of '" + serials +
                         "' is over 64 KiB: a serials file has one serial (or CSV row) a line"));
  CHECK(r.exit_code == 3);
}

// A one-page PDF whose first "/MediaBox" (in a comment) is a decoy of 10 points: the real
// page is 3000 points square, 25000x25000 pixels (1.9 GB) at decode's 600 dpi.
std::string pdf_with_decoy_media_box() {
  const std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 3000 3000] /Contents 4 0 R >>",
      "<< /Length 25 >>\nstream\n0 0 0 rg 10 10 50 50 re f\nendstream"};
  std::string pdf = "%PDF-1.4\n% /MediaBox [0 0 10 10]\n";
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
  }
  const std::size_t xref = pdf.size();
  pdf += "xref\n0 5\n0000000000 65535 f \n";
  for (const std::size_t o : offsets) {
    const std::string n = std::to_string(o);
    pdf += std::string(10 - n.size(), '0') + n + " 00000 n \n";
  }
  return pdf + "trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) +
         "\n%%EOF\n";
}

// Before the fix pdftoppm drew the whole page (52 s, 2.45 GB) before the size was checked.
TEST_CASE("a PDF page too large for pdftoppm's memory cap is refused fast", "[cli][bounds]") {
  TempDir t;
  const std::string pdf = t.in("decoy.pdf").string();
  write_bytes(pdf, pdf_with_decoy_media_box());
  const Measured m = run_measured({"decode", pdf}, t.root());
  CHECK(m.err == message("image '" + pdf +
                         "' needs more than the 1 GiB pdftoppm may take to rasterise (pdftoppm: "
                         "Out of memory): its page or an image in it is too large; export the "
                         "page as PNG"));
  CHECK(m.exit_code == 3);
  CHECK(m.peak_mb < 300);
}

// Measured before the fix: 250,000 rows took 38 MB more than 1 row (every serial was kept
// in memory until the end); the rows are now staged in a temporary table.
TEST_CASE("ledger import's memory does not grow with the manifest", "[cli][bounds]") {
  TempDir t;
  const auto manifest = [&](const std::string& name, int rows) {
    std::string text = "index,serial,payload,file,page,position,sha256\n";
    for (int i = 1; i <= rows; ++i) {
      const std::string serial = "SN" + std::to_string(1'000'000'000 + i) + "QXYZ";
      text += std::to_string(i) + "," + serial + ",https://b.example/p/" + serial + ",c/" +
              std::to_string(i) + ".png,,," + std::string(64, 'a') + "\n";
    }
    const std::string file = t.in(name).string();
    write_bytes(file, text);
    return file;
  };
  const Measured one = run_measured(
      {"ledger", "--db", t.out("one.db").string(), "import", manifest("one.csv", 1)}, t.root());
  REQUIRE(one.exit_code == 0);
  const std::string big = manifest("big.csv", 250'000);
  const Measured many =
      run_measured({"ledger", "--db", t.out("big.db").string(), "import", big}, t.root());
  CHECK(many.out == "imported " + big + ": 250000 rows, 250000 new serials, 0 already issued\n");
  CHECK(many.exit_code == 0);
  CHECK(many.peak_mb - one.peak_mb < 20);
}

TEST_CASE("truncated and corrupt images are input errors, with nothing else on stderr",
          "[cli][bounds]") {
  TempDir t;
  const std::string png = t.out("code.png").string();
  REQUIRE(encode({"--data", "truncated", "-o", png}).exit_code == 0);
  const cv::Mat image = cv::imread(png, cv::IMREAD_COLOR);
  REQUIRE(!image.empty());
  SECTION("a JPEG cut in half") {
    std::vector<std::uint8_t> jpeg;
    REQUIRE(cv::imencode(".jpg", image, jpeg));
    const std::string whole = t.in("whole.jpg").string(), half = t.in("half.jpg").string();
    write_bytes(whole, std::string(jpeg.begin(), jpeg.end()));
    write_bytes(half, std::string(jpeg.begin(), jpeg.begin() + jpeg.size() / 2));
    const CliResult ok = run_cli({"decode", whole});
    CHECK(ok.out == "truncated\n");
    CHECK(ok.exit_code == 0);
    const CliResult r = run_cli({"decode", half});
    CHECK(r.err == message("image '" + half +
                           "' is not a readable image (truncated, corrupt or an unsupported "
                           "format)"));
    CHECK(r.exit_code == 3);
  }
  SECTION("a TIFF whose strip is missing, and a BMP cut short: nothing from OpenCV") {
    const std::string tiff = t.in("short.tif").string(), bmp = t.in("short.bmp").string();
    write_bytes(tiff, tiff_claiming(200, 200));
    std::vector<std::uint8_t> bytes;
    REQUIRE(cv::imencode(".bmp", image, bytes));
    write_bytes(bmp, std::string(bytes.begin(), bytes.begin() + 40));
    for (const std::string& file : {tiff, bmp}) {
      const CliResult r = run_cli({"decode", file});
      CHECK(r.err == message("image '" + file +
                             "' is not a readable image (truncated, corrupt or an unsupported "
                             "format)"));
      CHECK(r.exit_code == 3);
    }
  }
  SECTION("a PNG cut short, and one with a flipped byte: no libpng line") {
    const std::string bytes = read_bytes(png);
    const std::string cut = t.in("cut.png").string(), flipped = t.in("flipped.png").string();
    write_bytes(cut, bytes.substr(0, bytes.size() * 2 / 3));
    std::string f = bytes;
    f[40] = static_cast<char>(f[40] ^ 0xFF);
    write_bytes(flipped, f);
    for (const std::string& file : {cut, flipped}) {
      const CliResult r = run_cli({"decode", file});
      CHECK(r.err == message("image '" + file +
                             "' is not a readable image (truncated, corrupt or an unsupported "
                             "format)"));
      CHECK(r.exit_code == 3);
    }
  }
  SECTION("an SVG declaring a charset its bytes are not in: no libxml2 lines") {
    const std::string svg = t.in("sjis.svg").string();
    write_bytes(svg,
                "<?xml version=\"1.0\" encoding=\"SHIFT_JIS\"?><svg "
                "xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><text>\xff\xfe"
                "\x80\x81 bad</text></svg>");
    const std::string why =
        " is not a readable SVG (XML parse error: Error domain 1 code 77 on line 1 column 112 "
        "of data: Premature end of data in tag text line 1): fix the file or export it as PNG";
    const CliResult r = run_cli({"decode", svg});
    CHECK(r.err == message("image '" + svg + "'" + why));
    CHECK(r.exit_code == 3);
    const CliResult logo = encode({"--data", "x", "--logo", svg, "-o", t.out("l.png").string()});
    CHECK(logo.err == message("logo file '" + svg + "'" + why));
    CHECK(logo.exit_code == 3);
  }
}
