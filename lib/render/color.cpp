#include "render/color.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "viscode/error.hpp"

namespace viscode {
namespace {

double linear(std::uint8_t c) {
  const double v = c / 255.0;
  return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
}

double relative_luminance(Rgb c) {
  return 0.2126 * linear(c.r) + 0.7152 * linear(c.g) + 0.0722 * linear(c.b);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (l >= 'a' && l <= 'f') return l - 'a' + 10;
  return -1;
}

}  // namespace

Rgb parse_color(std::string_view text) {
  std::string_view hex = text;
  if (!hex.empty() && hex.front() == '#') hex.remove_prefix(1);
  const auto bad = [&] {
    return Error(ErrorCategory::usage, "colour '" + std::string(text) +
                                           "' is not a hex colour: use #RRGGBB or #RGB, "
                                           "e.g. #1a2b3c");
  };
  if (hex.size() != 6 && hex.size() != 3) throw bad();
  int v[6];
  for (std::size_t i = 0; i < hex.size(); ++i) {
    v[i] = hex_digit(hex[i]);
    if (v[i] < 0) throw bad();
  }
  if (hex.size() == 3) {
    return Rgb{static_cast<std::uint8_t>(v[0] * 17), static_cast<std::uint8_t>(v[1] * 17),
               static_cast<std::uint8_t>(v[2] * 17)};
  }
  return Rgb{static_cast<std::uint8_t>(v[0] * 16 + v[1]),
             static_cast<std::uint8_t>(v[2] * 16 + v[3]),
             static_cast<std::uint8_t>(v[4] * 16 + v[5])};
}

std::string to_hex(Rgb c) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s = "#";
  for (std::uint8_t v : {c.r, c.g, c.b}) {
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

double contrast_ratio(Rgb a, Rgb b) {
  double la = relative_luminance(a), lb = relative_luminance(b);
  if (la < lb) std::swap(la, lb);
  return (la + 0.05) / (lb + 0.05);
}

namespace detail {

double lightness(Rgb c) {
  const double y = relative_luminance(c);
  const double f = y > 216.0 / 24389.0 ? std::cbrt(y) : (24389.0 / 27.0 * y + 16.0) / 116.0;
  return 116.0 * f - 16.0;
}

cv::Mat flatten(const cv::Mat& image, Rgb under) {
  cv::Mat out;
  if (image.channels() == 1) {
    cv::cvtColor(image, out, cv::COLOR_GRAY2BGR);
    return out;
  }
  if (image.channels() == 3) return image;
  out.create(image.size(), CV_8UC3);
  const double ub = under.b, ug = under.g, ur = under.r;
  for (int y = 0; y < image.rows; ++y) {
    const auto* s = image.ptr<cv::Vec4b>(y);
    auto* d = out.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double a = s[x][3] / 255.0;
      d[x] = cv::Vec3b(cv::saturate_cast<std::uint8_t>(s[x][0] * a + ub * (1 - a)),
                       cv::saturate_cast<std::uint8_t>(s[x][1] * a + ug * (1 - a)),
                       cv::saturate_cast<std::uint8_t>(s[x][2] * a + ur * (1 - a)));
    }
  }
  return out;
}

cv::Mat to_lab(const cv::Mat& image, Rgb under) {
  cv::Mat bgr = flatten(image, under), f, lab;
  bgr.convertTo(f, CV_32FC3, 1.0 / 255.0);
  cv::cvtColor(f, lab, cv::COLOR_BGR2Lab);
  return lab;
}

cv::Mat reader_lightness(const cv::Mat& bgr) {
  static const std::vector<float> lut = [] {
    std::vector<float> t(256);
    for (int v = 0; v < 256; ++v) {
      const auto g = static_cast<std::uint8_t>(v);
      t[static_cast<std::size_t>(v)] = static_cast<float>(lightness(Rgb{g, g, g}));
    }
    return t;
  }();
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);
  cv::Mat out(grey.size(), CV_32F);
  for (int y = 0; y < grey.rows; ++y) {
    const auto* s = grey.ptr<std::uint8_t>(y);
    auto* d = out.ptr<float>(y);
    for (int x = 0; x < grey.cols; ++x) d[x] = lut[s[x]];
  }
  return out;
}

void lab_to_rgb24(const cv::Vec3f* lab, float shift, std::uint32_t* out, int n) {
  // Linear light to 8-bit sRGB, finely enough sampled that only values within 1/20 of a
  // level from a rounding edge can land one level off.
  constexpr int kSteps = 65535;
  static const std::vector<std::uint8_t> encode = [] {
    std::vector<std::uint8_t> t(kSteps + 1);
    for (int i = 0; i <= kSteps; ++i) {
      const double v = i / static_cast<double>(kSteps);
      const double s = v <= 0.0031308 ? 12.92 * v : 1.055 * std::pow(v, 1 / 2.4) - 0.055;
      t[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(std::lround(s * 255));
    }
    return t;
  }();
  // The CIELAB inverse and the D65 XYZ-to-sRGB matrix of OpenCV's COLOR_Lab2BGR, so both
  // paths agree.
  constexpr float kXn = 0.950456f, kZn = 1.088754f;
  constexpr float kKnee = 6.0f / 29.0f, kOffset = 16.0f / 116.0f;
  const auto inverse = [](float f) { return f <= kKnee ? (f - kOffset) / 7.787f : f * f * f; };
  const auto level = [](float v) {
    const float c = std::clamp(v, 0.0f, 1.0f);
    return static_cast<std::uint32_t>(encode[static_cast<std::size_t>(c * kSteps + 0.5f)]);
  };
  for (int i = 0; i < n; ++i) {
    const float l = std::clamp(lab[i][0] + shift, 0.0f, 100.0f);
    float y, fy;
    if (l <= 8) {
      y = l / 903.3f;
      fy = 7.787f * y + kOffset;
    } else {
      fy = (l + 16) / 116;
      y = fy * fy * fy;
    }
    const float x = inverse(lab[i][1] / 500 + fy) * kXn;
    const float z = inverse(fy - lab[i][2] / 200) * kZn;
    const float r = 3.240479f * x - 1.53715f * y - 0.498535f * z;
    const float g = -0.969256f * x + 1.875991f * y + 0.041556f * z;
    const float b = 0.055648f * x - 0.204043f * y + 1.057311f * z;
    out[i] = level(r) << 16 | level(g) << 8 | level(b);
  }
}

cv::Mat lab_to_bgr8(const cv::Mat& lab) {
  cv::Mat f, out;
  cv::cvtColor(lab, f, cv::COLOR_Lab2BGR);
  f.convertTo(out, CV_8UC3, 255.0);
  return out;
}

}  // namespace detail
}  // namespace viscode
