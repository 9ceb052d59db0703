// make_code() and read_codes(): the front doors, with the defaults `viscode encode` has.
#include <catch2/catch.hpp>
#include <string>

#include "readers.hpp"
#include "temp_dir.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
namespace fs = std::filesystem;

namespace {
const std::string kPayload = "https://brand.example/p/123";

Logo brand() {
  return Logo::load(fs::path(VISCODE_SOURCE_DIR) / "samples" / "brand.png");
}
}  // namespace

TEST_CASE("error correction left unset is H with a logo and M without", "[unit][front]") {
  CHECK(encode(kPayload).ec == EcLevel::M);
  CHECK(encode_bytes(std::vector<std::uint8_t>{1, 2, 3}).ec == EcLevel::M);
  const Logo logo = brand();
  CHECK(design_symbol(kPayload, &logo, {}, {}).ec == EcLevel::H);
  CHECK(design_symbol(kPayload, nullptr, {}, {}).ec == EcLevel::M);
  CHECK(Design(logo, {}, {}).encode_options().ec == EcLevel::H);
  CHECK(Design(std::nullopt, {}, {}).encode_options().ec == EcLevel::M);
  CHECK(make_code(kPayload).symbol().ec == EcLevel::M);
  CodeOptions with_logo;
  with_logo.logo = logo;
  CHECK(make_code(kPayload, with_logo).symbol().ec == EcLevel::H);
  // Given, it is kept either way.
  CodeOptions q = with_logo;
  q.encode.ec = EcLevel::Q;
  CHECK(make_code(kPayload, q).symbol().ec == EcLevel::Q);
  CHECK(encode(kPayload, {.ec = EcLevel::H}).ec == EcLevel::H);
}

TEST_CASE("make_code draws what the free functions draw, and a code without a logo is plain",
          "[unit][front]") {
  CodeOptions options;
  options.logo = brand();
  options.print = {.dpi = 300, .size_mm = 20};
  const Code code = make_code(kPayload, options);
  const Symbol symbol = design_symbol(kPayload, &*options.logo, {.ec = EcLevel::H}, {});
  CHECK(code.symbol().dark == symbol.dark);
  CHECK(code.bytes(Format::svg) ==
        render_file(symbol, &*options.logo, {}, options.print, Format::svg));
  const OutputInfo info = code.info(Format::png);
  CHECK(info.image_px == code.image(info.module_px).cols);
  CHECK(info.size_mm <= 20);

  // Halftone asked for, no logo given: plain, as `viscode encode` without --logo draws.
  CodeOptions no_logo;
  no_logo.render.style = Style::halftone;
  RenderOptions plain;
  plain.style = Style::plain;
  const Symbol bare = design_symbol(kPayload, nullptr, {.ec = EcLevel::M}, plain);
  CHECK(make_code(kPayload, no_logo).bytes(Format::png) ==
        render_file(bare, nullptr, plain, {}, Format::png));
}

TEST_CASE("Code::write picks the format from the extension and read_codes reads every format",
          "[unit][front]") {
  test::TempDir dir("front");
  CodeOptions options;
  options.logo = brand();
  const Code code = make_code(kPayload, options);
  for (const char* name : {"code.png", "code.svg", "code.pdf"}) {
    INFO(name);
    const OutputInfo info = code.write(dir.path / name);
    CHECK(info.format == format_from_path(name));
    const std::vector<Decoded> found = read_codes(dir.path / name);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == kPayload);
    CHECK(found[0].ec == EcLevel::H);
  }
  const cv::Mat pixels = code.image(8);
  REQUIRE(read_codes(pixels).size() == 1);
  CHECK(read_codes(pixels)[0].text == kPayload);
  for (const test::Reader reader : test::all_readers()) {
    INFO("reader " << test::to_string(reader));
    CHECK(test::reads(reader, pixels, kPayload));
  }
  try {
    (void)code.write(dir.path / "code.jpg");
    FAIL("a .jpg was written");
  } catch (const Error& e) {
    CHECK(e.category() == ErrorCategory::usage);
  }
  CHECK(!fs::exists(dir.path / "code.jpg"));
}

TEST_CASE("one Design makes many codes, each as make_code makes it alone", "[unit][front]") {
  CodeOptions options;
  options.logo = brand();
  const Design design(options.logo, options.encode, options.render);
  for (const std::string payload : {"https://brand.example/p/1", "https://brand.example/p/22"}) {
    INFO(payload);
    CHECK(make_code(design, payload).bytes(Format::png) ==
          make_code(payload, options).bytes(Format::png));
  }
}
