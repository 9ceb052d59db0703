// Locating and sampling: codes rendered by the library, distorted the way cameras and
// printers distort them, must come back as the symbol's own modules at the symbol's place.
#include <algorithm>
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "capture.hpp"
#include "detect/grid_fit.hpp"
#include "detect/locate.hpp"
#include "test_logos.hpp"
#include "viscode/viscode.hpp"

using namespace viscode;
using detail::Candidate;

namespace {

// A smooth colour gradient: every hue and lightness under the modules somewhere.
cv::Mat gradient_logo() {
  cv::Mat logo(256, 256, CV_8UC3);
  for (int y = 0; y < logo.rows; ++y) {
    for (int x = 0; x < logo.cols; ++x) {
      logo.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<std::uint8_t>(x), static_cast<std::uint8_t>((x + y) / 2),
                    static_cast<std::uint8_t>(255 - y));
    }
  }
  return logo;
}

const Logo& test_logo() {
  static const Logo logo = Logo::from_image(gradient_logo());
  return logo;
}

enum class Look { plain, halftone };

struct Drawn {
  Symbol symbol;
  cv::Mat image;  // BGR, quiet zone included
  int px = 0;     // per module
  int quiet = 4;  // modules
  // The symbol's corners (quiet zone excluded), TL TR BR BL, pixel centres at integers.
  std::array<cv::Point2f, 4> corners() const {
    const float a = static_cast<float>(quiet * px) - 0.5f;
    const float b = static_cast<float>((quiet + symbol.size) * px) - 0.5f;
    return {cv::Point2f(a, a), cv::Point2f(b, a), cv::Point2f(b, b), cv::Point2f(a, b)};
  }
};

Drawn make_code(int version, Look look, int px, const std::string& text = "viscode locate") {
  EncodeOptions eo;
  eo.min_version = version;
  eo.ec = EcLevel::M;
  RenderOptions ro;
  Drawn c;
  c.px = px;
  c.quiet = ro.quiet;
  if (look == Look::plain) {
    ro.style = Style::plain;
    c.symbol = encode(text, eo);
    c.image = render(c.symbol, nullptr, ro, px);
  } else {
    // The sampler's exactness on the halftone as such: with a 14-character payload at
    // versions up to 40 nearly every codeword is pad, and pad chosen from this smooth
    // gradient puts a few modules within the sampler's noise (5 of 3249 at version 10
    // tilted). Designs with picture pad are read through captures in tests/roundtrip.
    ro.picture_pad = false;
    c.symbol = design_symbol(text, &test_logo(), eo, ro);
    c.image = render(c.symbol, &test_logo(), ro, px);
  }
  REQUIRE(c.symbol.version == version);
  return c;
}

// How the sampled grid relates to the symbol.
enum class Relation {
  same,        // grid(x, y) is symbol(x, y)
  transposed,  // grid(x, y) is symbol(y, x): a mirrored symbol, read in its mirror image
};

int mismatches(const Candidate& c, const Symbol& s, Relation r) {
  if (c.grid.size != s.size) return s.size * s.size;
  int bad = 0;
  for (int y = 0; y < s.size; ++y) {
    for (int x = 0; x < s.size; ++x) {
      const bool truth = r == Relation::same ? s.is_dark(x, y) : s.is_dark(y, x);
      if (c.grid.is_dark(x, y) != truth) ++bad;
    }
  }
  return bad;
}

std::array<cv::Point2f, 4> transformed(const std::array<cv::Point2f, 4>& p, const cv::Mat& m) {
  std::vector<cv::Point2f> in(p.begin(), p.end()), out;
  if (m.rows == 2) {
    cv::transform(in, out, m);
  } else {
    cv::perspectiveTransform(in, out, m);
  }
  return {out[0], out[1], out[2], out[3]};
}

struct Expect {
  const Symbol* symbol = nullptr;
  std::array<cv::Point2f, 4> corners{};
  double module_px = 0;        // smallest module size in the image, for the corner check
  double min_agreement = 1.0;  // fraction of modules that must match
  Relation relation = Relation::same;
  bool inverted = false;
  double min_confidence = 0.5;
};

// The candidate that matches the symbol best must match it as asked, at its place.
void check_located(const cv::Mat& image, const Expect& e) {
  const cv::Mat grey = detail::luminance(image);
  const std::vector<Candidate> found = detail::locate(grey, e.inverted);
  REQUIRE_FALSE(found.empty());
  const Candidate* best = nullptr;
  int fewest = 0;
  for (const Candidate& c : found) {
    const int m = mismatches(c, *e.symbol, e.relation);
    if (!best || m < fewest) best = &c, fewest = m;
  }
  const int total = e.symbol->size * e.symbol->size;
  INFO("version " << e.symbol->version << ": " << fewest << " of " << total << " modules wrong, "
                  << found.size() << " candidates");
  CHECK(best->grid.size == e.symbol->size);
  CHECK(fewest <= static_cast<int>(std::floor((1 - e.min_agreement) * total)));
  CHECK(best->inverted == e.inverted);
  CHECK(found.size() == 1);  // one code, one candidate
  REQUIRE(best->grid.darkness.size() == static_cast<std::size_t>(total));
  REQUIRE(best->grid.confidence.size() == static_cast<std::size_t>(total));
  double confidence = 0;
  int out_of_range = 0;
  for (const float f : best->grid.confidence) {
    out_of_range += f >= 0 && f <= 1 ? 0 : 1;
    confidence += f;
  }
  CHECK(out_of_range == 0);
  // Mean confidence: a clean module sits a local standard deviation from the threshold.
  INFO("mean confidence " << confidence / total);
  CHECK(confidence / total >= e.min_confidence);
  for (std::size_t i = 0; i < 4; ++i) {
    INFO("corner " << i << " at " << best->corners[i] << ", truth " << e.corners[i]);
    CHECK(cv::norm(best->corners[i] - e.corners[i]) <= e.module_px);
  }
}

Expect expect(const Drawn& c, double min_agreement = 1.0) {
  Expect e;
  e.symbol = &c.symbol;
  e.corners = c.corners();
  e.module_px = c.px;
  e.min_agreement = min_agreement;
  return e;
}

// The image rotated about its centre onto a white canvas large enough to hold it all.
std::pair<cv::Mat, cv::Mat> rotated(const cv::Mat& image, double degrees) {
  const double a = degrees * std::numbers::pi / 180;
  const int side =
      static_cast<int>(std::ceil(image.cols * (std::abs(std::cos(a)) + std::abs(std::sin(a))))) +
      20;
  cv::Mat m = cv::getRotationMatrix2D(
      cv::Point2f(static_cast<float>(image.cols - 1) / 2, static_cast<float>(image.rows - 1) / 2),
      degrees, 1.0);
  m.at<double>(0, 2) += (side - image.cols) / 2.0;
  m.at<double>(1, 2) += (side - image.rows) / 2.0;
  cv::Mat out;
  cv::warpAffine(image, out, m, cv::Size(side, side), cv::INTER_LINEAR, cv::BORDER_CONSTANT,
                 cv::Scalar::all(255));
  return {out, m};
}

cv::Mat with_noise(const cv::Mat& image, double sigma) {
  cv::Mat noise(image.size(), CV_16SC3);
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::NORMAL, 0, sigma);
  cv::Mat wide;
  image.convertTo(wide, CV_16SC3);
  cv::Mat out;
  cv::Mat(wide + noise).convertTo(out, CV_8UC3);
  return out;
}

}  // namespace

TEST_CASE("alignment positions and function modules agree with the encoder", "[detect][locate]") {
  for (int version = 1; version <= 40; ++version) {
    EncodeOptions o;
    o.min_version = version;
    o.ec = EcLevel::L;
    const Symbol s = encode("1", o);
    INFO("version " << version);
    REQUIRE(s.version == version);
    const std::vector<std::uint8_t> mask = detail::function_mask(version);
    REQUIRE(mask.size() == static_cast<std::size_t>(s.size * s.size));
    int wrong = 0, centres = 0;
    const std::vector<int> pos = detail::alignment_positions(version);
    for (int y = 0; y < s.size; ++y) {
      for (int x = 0; x < s.size; ++x) {
        if (mask[static_cast<std::size_t>(y * s.size + x)] != (s.is_function(x, y) ? 1 : 0)) {
          ++wrong;
        }
        // An alignment pattern's centre is dark with light neighbours on both sides.
        const bool listed = std::find(pos.begin(), pos.end(), x) != pos.end() &&
                            std::find(pos.begin(), pos.end(), y) != pos.end();
        // Drawn exactly where the encoder drew one (not where a finder pattern lies).
        if (listed) {
          CHECK(detail::alignment_drawn(version, x, y) == (s.role(x, y) == ModuleRole::alignment));
        }
        if (listed && s.role(x, y) == ModuleRole::alignment) {
          ++centres;
          CHECK(s.is_dark(x, y));
          CHECK_FALSE(s.is_dark(x + 1, y));
          CHECK_FALSE(s.is_dark(x, y - 1));
        }
      }
    }
    CHECK(wrong == 0);
    const int n = static_cast<int>(pos.size());
    CHECK(centres == (version == 1 ? 0 : n * n - 3));
  }
}

TEST_CASE("pristine codes are located and sampled exactly", "[detect][locate]") {
  struct Case {
    int version;
    Look look;
    int px;
  };
  const std::vector<Case> cases = {
      {1, Look::plain, 4},  {1, Look::halftone, 8},  {2, Look::plain, 8},  {2, Look::halftone, 4},
      {5, Look::plain, 5},  {5, Look::halftone, 6},  {7, Look::plain, 4},  {7, Look::halftone, 8},
      {10, Look::plain, 6}, {10, Look::halftone, 4}, {25, Look::plain, 4}, {25, Look::halftone, 5},
      {40, Look::plain, 4}, {40, Look::halftone, 4},
  };
  for (const Case& k : cases) {
    const Drawn c = make_code(k.version, k.look, k.px);
    INFO("version " << k.version << (k.look == Look::plain ? " plain" : " halftone") << " at "
                    << k.px << " px/module");
    check_located(c.image, expect(c));
  }
}

TEST_CASE("rotated codes are read in their own orientation", "[detect][locate]") {
  const Drawn plain = make_code(10, Look::plain, 5);
  const Drawn halftone = make_code(5, Look::halftone, 6);
  for (const Drawn* c : {&plain, &halftone}) {
    for (const double degrees : {0.0, 30.0, 90.0, 180.0, 270.0}) {
      INFO("version " << c->symbol.version << " rotated " << degrees << " degrees");
      const auto [image, m] = rotated(c->image, degrees);
      Expect e = expect(*c);
      e.corners = transformed(c->corners(), m);
      check_located(image, e);
    }
  }
}

TEST_CASE("a strong tilt: one side 60% of the other", "[detect][locate]") {
  for (const auto& [version, look] :
       {std::pair{2, Look::plain}, std::pair{10, Look::halftone}, std::pair{25, Look::plain}}) {
    const Drawn c = make_code(version, look, 6);
    const float s = static_cast<float>(c.image.cols);
    const int side = static_cast<int>(s * 1.2f);
    const float o = (static_cast<float>(side) - s) / 2;
    // The top edge leans back: 60% of the bottom's width, and the whole turned a little.
    const std::vector<cv::Point2f> from = {{0, 0}, {s, 0}, {s, s}, {0, s}};
    const std::vector<cv::Point2f> to = {{o + 0.22f * s, o + 0.12f * s},
                                         {o + 0.82f * s, o + 0.08f * s},
                                         {o + s, o + s},
                                         {o + 0.02f * s, o + 0.97f * s}};
    const cv::Mat h = cv::getPerspectiveTransform(from, to);
    cv::Mat image;
    cv::warpPerspective(c.image, image, h, cv::Size(side, side), cv::INTER_LINEAR,
                        cv::BORDER_CONSTANT, cv::Scalar::all(255));
    Expect e = expect(c);
    e.corners = transformed(c.corners(), h);
    e.module_px = 0.6 * c.px;
    INFO("version " << version << " tilted");
    check_located(image, e);
  }
}

TEST_CASE("blur, noise, uneven lighting and small modules", "[detect][locate]") {
  const Drawn plain = make_code(10, Look::plain, 6);
  const Drawn halftone = make_code(7, Look::halftone, 6);
  for (const Drawn* c : {&plain, &halftone}) {
    INFO("version " << c->symbol.version);
    {
      INFO("Gaussian blur, sigma 1 px");
      cv::Mat image;
      cv::GaussianBlur(c->image, image, cv::Size(0, 0), 1.0);
      check_located(image, expect(*c, 0.99));
    }
    {
      INFO("sensor noise, sigma 20 grey levels");
      check_located(with_noise(c->image, 20), expect(*c, 0.99));
    }
    {
      INFO("lighting falling to a third across the code");
      cv::Mat f;
      c->image.convertTo(f, CV_32FC3);
      for (int y = 0; y < f.rows; ++y) {
        for (int x = 0; x < f.cols; ++x) {
          f.at<cv::Vec3f>(y, x) *= 0.33f + 0.67f * static_cast<float>(x + y) / (2.0f * f.cols);
        }
      }
      cv::Mat image;
      f.convertTo(image, CV_8UC3);
      check_located(image, expect(*c, 0.99));
    }
  }
  {
    INFO("3 px per module");
    const Drawn small_plain = make_code(10, Look::plain, 3);
    check_located(small_plain.image, expect(small_plain));
    const Drawn small_halftone = make_code(5, Look::halftone, 3);
    check_located(small_halftone.image, expect(small_halftone, 0.99));
  }
}

TEST_CASE("the typical capture of every test logo", "[detect][locate]") {
  // The strength dial's yardstick (tests/support/capture.hpp): what the default strength
  // promises to zxing and WeChat, the detector reads too, all but a few modules.
  for (const test::TestLogo& t : test::test_logos()) {
    const Logo logo = Logo::from_image(t.image);
    EncodeOptions eo;
    eo.min_version = 4;
    eo.ec = EcLevel::M;
    const RenderOptions ro;
    const Symbol s = design_symbol("https://viscode.example/locate", &logo, eo, ro);
    const int total_modules = s.size + 2 * ro.quiet;
    const cv::Mat image =
        test::capture(render(s, &logo, ro, 6), total_modules, test::Capture::typical);
    const std::vector<Candidate> found = detail::locate(detail::luminance(image), false);
    INFO(t.name);
    // The first, most plausible candidate is the symbol; a triple through some of its
    // finders and a look-alike in its picture may follow it.
    REQUIRE(!found.empty());
    CHECK(mismatches(found[0], s, Relation::same) <= s.size * s.size / 50);
  }
}

TEST_CASE("light-on-dark codes are read from the inverted image", "[detect][locate]") {
  for (const Look look : {Look::plain, Look::halftone}) {
    const Drawn c = make_code(4, look, 6);
    cv::Mat image;
    cv::bitwise_not(c.image, image);
    // Grey, so that locate() sees the caller's own buffer.
    cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
    const cv::Mat copy = image.clone();
    Expect e = expect(c);
    e.inverted = true;
    check_located(image, e);
    CHECK(cv::norm(image, copy, cv::NORM_INF) == 0);  // left as it was
  }
}

TEST_CASE("mirrored codes are sampled transposed", "[detect][locate]") {
  // Seen in a mirror, the finder at the right angle is still the top-left one, but the
  // other two swap sides: sampled in the image's own orientation, the grid is the
  // symbol's transpose, and its corners are TL, the true BL, BR, the true TR.
  const Drawn c = make_code(6, Look::halftone, 5);
  const float last = static_cast<float>(c.image.cols - 1);
  const auto t = c.corners();
  for (const int axis : {0, 1}) {
    cv::Mat image;
    cv::flip(c.image, image, axis);
    auto flip = [&](cv::Point2f p) {
      return axis == 1 ? cv::Point2f(last - p.x, p.y) : cv::Point2f(p.x, last - p.y);
    };
    Expect e = expect(c);
    e.relation = Relation::transposed;
    e.corners = {flip(t[0]), flip(t[3]), flip(t[2]), flip(t[1])};
    INFO("flipped about axis " << axis);
    check_located(image, e);
  }
}

TEST_CASE("two codes side by side are two candidates", "[detect][locate]") {
  const Drawn a = make_code(3, Look::plain, 5, "the first code");
  const Drawn b = make_code(3, Look::halftone, 5, "the second code");
  cv::Mat image;
  cv::hconcat(a.image, b.image, image);
  const std::vector<Candidate> found = detail::locate(detail::luminance(image), false);
  REQUIRE(found.size() == 2);
  int first = -1, second = -1;
  for (int i = 0; i < 2; ++i) {
    const Candidate& c = found[static_cast<std::size_t>(i)];
    if (mismatches(c, a.symbol, Relation::same) == 0) first = i;
    if (mismatches(c, b.symbol, Relation::same) == 0) second = i;
  }
  CHECK(first >= 0);
  CHECK(second >= 0);
  CHECK(first != second);
}

TEST_CASE("images without codes give no candidates", "[detect][locate]") {
  cv::RNG rng(11);
  std::vector<std::pair<std::string, cv::Mat>> images;
  {
    cv::Mat noise(600, 600, CV_8U);
    rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
    images.emplace_back("uniform noise", noise);
    cv::Mat blocks(150, 150, CV_8U);
    rng.fill(blocks, cv::RNG::UNIFORM, 0, 2);
    cv::resize(blocks * 255, blocks, cv::Size(600, 600), 0, 0, cv::INTER_NEAREST);
    images.emplace_back("random 4 px blocks", blocks);
  }
  {
    // Photo-like: a soft gradient with soft-edged discs and boxes in every colour.
    cv::Mat photo(600, 600, CV_8UC3);
    for (int y = 0; y < photo.rows; ++y) {
      for (int x = 0; x < photo.cols; ++x) {
        photo.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<std::uint8_t>(x * 255 / 600),
                                              static_cast<std::uint8_t>(y * 255 / 600), 128);
      }
    }
    for (int k = 0; k < 40; ++k) {
      const cv::Scalar colour(rng.uniform(0, 256), rng.uniform(0, 256), rng.uniform(0, 256));
      cv::circle(photo, cv::Point(rng.uniform(0, 600), rng.uniform(0, 600)), rng.uniform(5, 60),
                 colour, -1, cv::LINE_AA);
      cv::rectangle(photo,
                    cv::Rect(rng.uniform(0, 600), rng.uniform(0, 600), rng.uniform(5, 80),
                             rng.uniform(5, 80)),
                    colour, k % 2 ? -1 : rng.uniform(2, 10), cv::LINE_AA);
    }
    images.emplace_back("gradient with shapes", photo);
  }
  {
    // Finder patterns strewn at random: each alone is perfect, no three make a symbol.
    cv::Mat finders(600, 600, CV_8U, cv::Scalar(255));
    for (int k = 0; k < 25; ++k) {
      const int m = rng.uniform(2, 9);
      const cv::Point p(rng.uniform(0, 600 - 7 * m), rng.uniform(0, 600 - 7 * m));
      cv::rectangle(finders, cv::Rect(p.x, p.y, 7 * m, 7 * m), cv::Scalar(0), -1);
      cv::rectangle(finders, cv::Rect(p.x + m, p.y + m, 5 * m, 5 * m), cv::Scalar(255), -1);
      cv::rectangle(finders, cv::Rect(p.x + 2 * m, p.y + 2 * m, 3 * m, 3 * m), cv::Scalar(0), -1);
    }
    images.emplace_back("loose finder patterns", finders);
  }
  {
    cv::Mat board(600, 600, CV_8U);
    for (int y = 0; y < board.rows; ++y) {
      for (int x = 0; x < board.cols; ++x) {
        board.at<std::uint8_t>(y, x) = ((x / 12 + y / 12) % 2) ? 255 : 0;
      }
    }
    images.emplace_back("checkerboard", board);
  }
  for (const auto& [name, image] : images) {
    INFO(name);
    const cv::Mat grey = detail::luminance(image);
    CHECK(detail::locate(grey, false).empty());
    CHECK(detail::locate(grey, true).empty());
  }
}

TEST_CASE("luminance: grey passes through, colour picks the projection that carries the code",
          "[detect][locate]") {
  const Drawn c = make_code(3, Look::plain, 5);
  cv::Mat grey;
  cv::cvtColor(c.image, grey, cv::COLOR_BGR2GRAY);
  CHECK(detail::luminance(grey).data == grey.data);

  SECTION("a designer code keeps luma, whatever its picture") {
    const Drawn h = make_code(5, Look::halftone, 5);
    cv::Mat luma;
    cv::cvtColor(h.image, luma, cv::COLOR_BGR2GRAY);
    CHECK(cv::norm(detail::luminance(h.image), luma, cv::NORM_INF) == 0);
  }
  SECTION("red on green of equal luma is read from a channel that separates them") {
    cv::Mat colour(c.image.size(), CV_8UC3);
    for (int y = 0; y < grey.rows; ++y) {
      for (int x = 0; x < grey.cols; ++x) {
        // BT.601 luma 76 both: pure red, and green 130.
        colour.at<cv::Vec3b>(y, x) =
            grey.at<std::uint8_t>(y, x) < 128 ? cv::Vec3b(0, 0, 255) : cv::Vec3b(0, 130, 0);
      }
    }
    cv::Mat luma;
    cv::cvtColor(colour, luma, cv::COLOR_BGR2GRAY);
    CHECK(detail::locate(luma, false).empty());
    // Which tone the chosen projection makes dark is a matter of the colours: either
    // polarity may read it.
    const cv::Mat chosen = detail::luminance(colour);
    int exact = 0;
    for (const bool inverted : {false, true}) {
      for (const Candidate& k : detail::locate(chosen, inverted)) {
        if (mismatches(k, c.symbol, Relation::same) == 0) ++exact;
      }
    }
    CHECK(exact == 1);
  }
  SECTION("transparent pixels are white") {
    cv::Mat bgra;
    cv::cvtColor(c.image, bgra, cv::COLOR_BGR2BGRA);
    for (int y = 0; y < bgra.rows; ++y) {
      for (int x = 0; x < bgra.cols; ++x) {
        cv::Vec4b& p = bgra.at<cv::Vec4b>(y, x);
        if (p[0] > 128) p = cv::Vec4b(0, 0, 0, 0);  // light: transparent black
      }
    }
    check_located(bgra, expect(c));
  }
}
