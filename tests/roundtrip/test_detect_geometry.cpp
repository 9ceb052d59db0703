// viscode's detector on geometry that real photos have and the synthetic captures lack
// (issue 19): a small code printed inside a larger one, a version 1 code with a local
// distortion, a strong perspective, a code on a curved surface. Every image is made here,
// deterministically, and read by the reference readers too; where one cannot read an image,
// the test says so and asserts only the others.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "roundtrip_util.hpp"

using namespace viscode;

namespace {

cv::Mat plain_grey(const Symbol& symbol, int module_px, int quiet = 4) {
  RenderOptions ro;
  ro.style = Style::plain;
  ro.quiet = quiet;
  cv::Mat grey;
  cv::cvtColor(render(symbol, nullptr, ro, module_px), grey, cv::COLOR_BGR2GRAY);
  return grey;
}

Symbol encode_plain(const std::string& payload, EcLevel ec, int min_version) {
  EncodeOptions eo;
  eo.ec = ec;
  eo.min_version = min_version;
  return encode(payload, eo);
}

// The image of `size` whose pixel q shows point source(q) of `image` (bilinear; beyond it,
// paper white), softened as a lens would.
cv::Mat warp(const cv::Mat& image, cv::Size size,
             const std::function<cv::Point2d(cv::Point2d)>& source, double blur) {
  cv::Mat map_x(size, CV_32F), map_y(size, CV_32F);
  for (int y = 0; y < size.height; ++y) {
    for (int x = 0; x < size.width; ++x) {
      const cv::Point2d p = source({static_cast<double>(x), static_cast<double>(y)});
      map_x.at<float>(y, x) = static_cast<float>(p.x);
      map_y.at<float>(y, x) = static_cast<float>(p.y);
    }
  }
  cv::Mat warped, out;
  cv::remap(image, warped, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT,
            cv::Scalar::all(255));
  cv::GaussianBlur(warped, out, cv::Size(0, 0), blur);
  return out;
}

// Rotation by `angle` radians about a unit axis (Rodrigues' formula).
cv::Matx33d rotation(cv::Vec3d axis, double angle) {
  const cv::Matx33d k(0, -axis[2], axis[1], axis[2], 0, -axis[0], -axis[1], axis[0], 0);
  return cv::Matx33d::eye() + std::sin(angle) * k + (1 - std::cos(angle)) * (k * k);
}

std::vector<std::string> our_texts(const cv::Mat& image) {
  std::vector<std::string> out;
  for (const Decoded& d : read_codes(image)) out.push_back(d.text);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// A carton's code with a product's code printed inside it: the larger symbol, once decoded,
// claimed every finder inside its area and the search stopped, so the inner code was never
// read. (EC H lets the outer code lose the modules under the inner one.)
TEST_CASE("detect reads a small code printed inside a larger one", "[roundtrip][detect]") {
  const std::string outer = "https://brand.example/outer/0001";
  const std::string inner = "INNER-42";
  for (const auto& [version, px] : {std::pair{5, 12}, std::pair{3, 10}}) {
    cv::Mat image = plain_grey(encode_plain(outer, EcLevel::H, version), px);
    const cv::Mat small = plain_grey(encode_plain(inner, EcLevel::M, 1), 4, 2);
    small.copyTo(image(cv::Rect((image.cols - small.cols) / 2, (image.rows - small.rows) / 2,
                                small.cols, small.rows)));
    INFO("outer version " << version << " at " << px << " px a module, inner at 4 px");
    CHECK(our_texts(image) == std::vector<std::string>{inner, outer});
    // WeChat reads the outer code only: it returns one code per detected region.
    CHECK(test::reads(test::Reader::wechat, image, outer));
    for (const test::Reader reader : {test::Reader::zxing, test::Reader::zbar}) {
      INFO("reader " << test::to_string(reader));
      CHECK(test::reads(reader, image, outer));
      CHECK(test::reads(reader, image, inner));
    }
  }
}

// Version 1 has no alignment pattern. Paper puckered around two finders magnifies them
// where they are: their corners then imply a perspective the symbol does not have, which
// the homography through them extrapolates to the bottom-right corner, where nothing pins
// it. The finder centres' parallelogram reads it. zxing-cpp 1.4 reads none of these.
TEST_CASE("detect reads version 1 codes with a local distortion", "[roundtrip][detect]") {
  const std::string payload = "V1-LOCAL";
  const Symbol symbol = encode_plain(payload, EcLevel::M, 1);
  REQUIRE(symbol.version == 1);
  constexpr int px = 10, quiet = 4;
  const cv::Mat code = plain_grey(symbol, px, quiet);
  // The top-right and bottom-left finders' centres, px.
  const double near = (quiet + 3.5) * px, far = (quiet + 21 - 3.5) * px;
  const std::vector<cv::Point2d> bumps = {{far, near}, {near, far}};
  struct Case {
    double magnify;  // at the bump's centre
    double sigma;    // of the bump, modules
    bool zbar;       // whether ZBar reads it
  };
  for (const Case& c : {Case{0.25, 3, true}, Case{0.2, 4, false}, Case{0.15, 5, false}}) {
    const double sigma = c.sigma * px;
    const cv::Mat image = warp(
        code, code.size(),
        [&](cv::Point2d q) {
          cv::Point2d source = q;
          for (const cv::Point2d& b : bumps) {
            const cv::Point2d d = q - b;
            source -= d * (c.magnify * std::exp(-d.dot(d) / (2 * sigma * sigma)));
          }
          return source;
        },
        1.0);
    INFO("magnified by " << c.magnify << " over " << c.sigma << " modules");
    const std::vector<Decoded> found = read_codes(image);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == payload);
    CHECK(found[0].version == 1);
    CHECK(test::reads(test::Reader::wechat, image, payload));
    if (c.zbar) CHECK(test::reads(test::Reader::zbar, image, payload));
  }
}

// A code seen 68 degrees from its normal: foreshortened to 0.37 across one direction, so
// the finders are sheared and the triple's corner is far from a right angle in the image
// (though not in modules, each distance in its finders' own module size). ZBar reads the
// one turned about the diagonal; zxing-cpp 1.4 and WeChat read none.
TEST_CASE("detect reads codes in a strong perspective", "[roundtrip][detect]") {
  struct Case {
    std::string payload;
    int version;
    double axis_deg;  // of the axis in the code's plane the code is turned about
    bool zbar;        // whether ZBar reads it
  };
  const std::string url = "https://brand.example/p/0042";
  for (const Case& c :
       {Case{"V1-TILT", 1, 45, false}, Case{url, 3, 45, true}, Case{url, 3, 30, false}}) {
    const std::string& payload = c.payload;
    const Symbol symbol = encode_plain(payload, EcLevel::M, 1);
    REQUIRE(symbol.version == c.version);
    const cv::Mat code = plain_grey(symbol, 8);
    const double side = code.cols;
    const double phi = c.axis_deg * CV_PI / 180;
    const cv::Matx33d r = rotation({std::cos(phi), std::sin(phi), 0}, 68 * CV_PI / 180);
    // A pinhole camera 2.5 sides away, focal length 1.5 sides.
    const double distance = 2.5 * side, focal = 1.5 * side;
    std::vector<cv::Point2f> from, to;
    for (const cv::Point2d corner :
         {cv::Point2d(0, 0), cv::Point2d(side, 0), cv::Point2d(side, side), cv::Point2d(0, side)}) {
      const cv::Vec3d p = r * cv::Vec3d(corner.x - side / 2, corner.y - side / 2, 0);
      from.emplace_back(corner);
      to.emplace_back(focal * p[0] / (distance + p[2]), focal * p[1] / (distance + p[2]));
    }
    const cv::Rect box = cv::boundingRect(to);
    for (cv::Point2f& p : to)
      p -= cv::Point2f(static_cast<float>(box.x - 20), static_cast<float>(box.y - 20));
    cv::Mat warped, image;
    cv::warpPerspective(code, warped, cv::getPerspectiveTransform(from, to),
                        cv::Size(box.width + 40, box.height + 40), cv::INTER_AREA,
                        cv::BORDER_CONSTANT, cv::Scalar::all(255));
    cv::GaussianBlur(warped, image, cv::Size(0, 0), 0.8);
    INFO("version " << c.version << ", turned about an axis at " << c.axis_deg << " degrees");
    const std::vector<Decoded> found = read_codes(image);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == payload);
    if (c.zbar) CHECK(test::reads(test::Reader::zbar, image, payload));
  }
}

// A code wrapped around a bottle or a can: columns crowd towards the sides and, seen from
// close, rows bow. One homography cannot follow that; the grid the symbol's own timing
// patterns (every version) and alignment patterns (version 2 and up) trace can.
TEST_CASE("detect reads codes on a curved surface", "[roundtrip][detect]") {
  const std::string payload = "https://brand.example/p/0042";
  struct Case {
    int version;
    double radius;    // of the cylinder, in the code's sides (quiet zone included)
    double distance;  // of the camera from the cylinder's front, in sides
    bool wechat, zbar;
  };
  // zxing-cpp 1.4 reads none of these; the last one no reference reader reads.
  for (const Case& c : {Case{3, 0.5, 3, true, false}, Case{4, 0.5, 10, true, false},
                        Case{10, 1.0, 3, false, true}, Case{6, 0.6, 10, false, false}}) {
    const Symbol symbol = encode_plain(payload, EcLevel::M, c.version);
    REQUIRE(symbol.version == c.version);
    const cv::Mat code = plain_grey(symbol, 8);
    const double side = code.cols, radius = c.radius * side;
    const double distance = c.distance * side, focal = distance;
    // A point at angle t round the cylinder from its front, seen from the camera on the
    // axis through the code's centre: its image column, increasing with t.
    auto column = [&](double t) {
      return focal * radius * std::sin(t) / (distance + radius * (1 - std::cos(t)));
    };
    const double half = side / 2 / radius;  // the angle the code's half width spans
    const int width = static_cast<int>(2 * column(half)) + 40;
    const int height = static_cast<int>(side) + 40;
    const cv::Mat image = warp(
        code, cv::Size(width, height),
        [&](cv::Point2d q) {
          const double u = q.x - width / 2.0, v = q.y - height / 2.0;
          double lo = -2 * half, hi = 2 * half;  // column(t) = u, by bisection
          for (int i = 0; i < 50; ++i) {
            const double mid = (lo + hi) / 2;
            (column(mid) < u ? lo : hi) = mid;
          }
          const double t = (lo + hi) / 2;
          if (std::abs(t) > half) return cv::Point2d(-side, -side);
          const double depth = distance + radius * (1 - std::cos(t));
          return cv::Point2d(t * radius + side / 2, v * depth / focal + side / 2);
        },
        0.8);
    INFO("version " << c.version << " on a cylinder of radius " << c.radius << " sides, seen from "
                    << c.distance << " sides");
    const std::vector<Decoded> found = read_codes(image);
    REQUIRE(found.size() == 1);
    CHECK(found[0].text == payload);
    if (c.wechat) CHECK(test::reads(test::Reader::wechat, image, payload));
    if (c.zbar) CHECK(test::reads(test::Reader::zbar, image, payload));
  }
}
