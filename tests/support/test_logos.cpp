#include "test_logos.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <opencv2/imgproc.hpp>

namespace viscode::test {
namespace {

constexpr int kSide = 512;

// Working space: CV_32FC3 BGR in [0, 1], so soft compositing needs no rounding care.
using Colour = cv::Vec3f;
Colour bgr(int b, int g, int r) {
  return Colour(b / 255.0f, g / 255.0f, r / 255.0f);
}

cv::Mat canvas(Colour c) {
  return cv::Mat(kSide, kSide, CV_32FC3, cv::Scalar(c[0], c[1], c[2]));
}

// Smooth value noise in [-1, 1]: random cells upsampled bicubically. Anisotropic cells give
// streaks (wood grain, strata).
cv::Mat value_noise(cv::RNG& rng, int cells_x, int cells_y) {
  cv::Mat cells(cells_y, cells_x, CV_32F);
  rng.fill(cells, cv::RNG::UNIFORM, -1.0f, 1.0f);
  cv::Mat out;
  cv::resize(cells, out, cv::Size(kSide, kSide), 0, 0, cv::INTER_CUBIC);
  return out;
}

// Sum of octaves, roughly in [-1, 1]: natural-looking texture from coarse to fine.
cv::Mat fractal_noise(cv::RNG& rng, int base_cells, int octaves) {
  cv::Mat sum = cv::Mat::zeros(kSide, kSide, CV_32F);
  float amp = 1.0f, total = 0.0f;
  for (int o = 0, cells = base_cells; o < octaves; ++o, cells *= 2, amp *= 0.5f) {
    sum += amp * value_noise(rng, std::min(cells, kSide), std::min(cells, kSide));
    total += amp;
  }
  return sum / total;
}

cv::Mat grain(cv::RNG& rng, float sigma) {
  cv::Mat g(kSide, kSide, CV_32F);
  rng.fill(g, cv::RNG::NORMAL, 0.0f, sigma);
  return g;
}

// A coverage mask in [0, 1] from antialiased OpenCV drawing, optionally softened.
cv::Mat mask(const std::function<void(cv::Mat&)>& draw, double soften_sigma = 0.0) {
  cv::Mat m8 = cv::Mat::zeros(kSide, kSide, CV_8U);
  draw(m8);
  cv::Mat m;
  m8.convertTo(m, CV_32F, 1.0 / 255.0);
  if (soften_sigma > 6.0) {
    // Wide blurs are the dominant cost; at quarter resolution they look the same.
    cv::Mat quarter;
    cv::resize(m, quarter, cv::Size(kSide / 4, kSide / 4), 0, 0, cv::INTER_AREA);
    cv::GaussianBlur(quarter, quarter, cv::Size(0, 0), soften_sigma / 4);
    cv::resize(quarter, m, m.size(), 0, 0, cv::INTER_CUBIC);
    cv::max(cv::min(m, 1.0), 0.0, m);
  } else if (soften_sigma > 0) {
    cv::GaussianBlur(m, m, cv::Size(0, 0), soften_sigma);
  }
  return m;
}

// Per-pixel mask from a function of normalised coordinates (x, y in [0, 1)).
cv::Mat field(const std::function<float(float, float)>& f) {
  cv::Mat m(kSide, kSide, CV_32F);
  for (int y = 0; y < kSide; ++y) {
    auto* row = m.ptr<float>(y);
    for (int x = 0; x < kSide; ++x) row[x] = f((x + 0.5f) / kSide, (y + 0.5f) / kSide);
  }
  return m;
}

void paint(cv::Mat& img, const cv::Mat& alpha, Colour c) {
  for (int y = 0; y < kSide; ++y) {
    auto* p = img.ptr<Colour>(y);
    const auto* a = alpha.ptr<float>(y);
    for (int x = 0; x < kSide; ++x) p[x] = p[x] * (1.0f - a[x]) + c * a[x];
  }
}

void paint(cv::Mat& img, const cv::Mat& alpha, const cv::Mat& colours) {
  for (int y = 0; y < kSide; ++y) {
    auto* p = img.ptr<Colour>(y);
    const auto* a = alpha.ptr<float>(y);
    const auto* c = colours.ptr<Colour>(y);
    for (int x = 0; x < kSide; ++x) p[x] = p[x] * (1.0f - a[x]) + c[x] * a[x];
  }
}

// img *= 1 + k * m, per pixel, all channels (lighting, texture, grain).
void modulate(cv::Mat& img, const cv::Mat& m, float k) {
  for (int y = 0; y < kSide; ++y) {
    auto* p = img.ptr<Colour>(y);
    const auto* v = m.ptr<float>(y);
    for (int x = 0; x < kSide; ++x) p[x] *= 1.0f + k * v[x];
  }
}

cv::Mat to_8u(const cv::Mat& f) {
  cv::Mat out;
  f.convertTo(out, CV_8U, 255.0);  // rounds and saturates
  return out;
}

float smoothstep(float e0, float e1, float x) {
  const float t = std::clamp((x - e0) / (e1 - e0), 0.0f, 1.0f);
  return t * t * (3 - 2 * t);
}

// A lit sphere (Lambert + Phong highlight) as colour and coverage, for fruit-like shapes.
void sphere(cv::Mat& img, cv::Point2f centre, float radius, Colour base, const cv::Mat& texture,
            float texture_k, double soften) {
  const cv::Vec3f light = cv::normalize(cv::Vec3f(-0.55f, -0.6f, 0.6f));
  cv::Mat colours(kSide, kSide, CV_32FC3, cv::Scalar::all(0));
  for (int y = 0; y < kSide; ++y) {
    auto* c = colours.ptr<Colour>(y);
    const auto* t = texture.ptr<float>(y);
    for (int x = 0; x < kSide; ++x) {
      const float dx = (x - centre.x) / radius, dy = (y - centre.y) / radius;
      const float r2 = std::min(dx * dx + dy * dy, 1.0f);
      const cv::Vec3f n(dx, dy, std::sqrt(1.0f - r2));
      const float lambert = std::max(0.0f, n.dot(light));
      const cv::Vec3f h = cv::normalize(light + cv::Vec3f(0, 0, 1));
      const float spec = std::pow(std::max(0.0f, n.dot(h)), 40.0f);
      c[x] = base * (0.18f + 0.82f * lambert) * (1.0f + texture_k * t[x]) +
             Colour(1, 1, 1) * (0.55f * spec);
    }
  }
  const cv::Mat cover = mask(
      [&](cv::Mat& m) {
        cv::circle(m, cv::Point(cvRound(centre.x * 16), cvRound(centre.y * 16)),
                   cvRound(radius * 16), 255, cv::FILLED, cv::LINE_AA, 4);
      },
      soften);
  paint(img, cover, colours);
}

cv::Mat photo() {
  cv::RNG rng(0x50484f54);  // "PHOT"
  // Warm wall lit from the upper left, falling off towards the corners.
  cv::Mat img = canvas(bgr(150, 182, 212));
  modulate(img, field([](float x, float y) {
             const float d = std::hypot(x - 0.22f, y - 0.15f);
             return 0.25f - 0.75f * d;
           }),
           1.0f);
  // Table top: darker wood with horizontal grain, soft horizon (shallow depth of field).
  cv::Mat wood = canvas(bgr(48, 86, 138));
  cv::Mat streaks = value_noise(rng, 6, 90) * 0.6 + value_noise(rng, 24, 200) * 0.4;
  modulate(wood, streaks, 0.22f);
  modulate(wood, field([](float, float y) { return (y - 0.7f); }), 0.6f);
  paint(img, field([](float, float y) { return smoothstep(0.655f, 0.675f, y); }), wood);
  // Contact shadows of the fruit, very soft.
  const cv::Mat shadow = mask(
      [](cv::Mat& m) {
        cv::ellipse(m, cv::Point(282, 394), cv::Size(140, 26), 0, 0, 360, 255, cv::FILLED);
        cv::ellipse(m, cv::Point(412, 372), cv::Size(80, 18), 0, 0, 360, 255, cv::FILLED);
      },
      14.0);
  modulate(img, shadow, -0.55f);
  // A lime further back, slightly out of focus, then the orange in focus.
  cv::Mat lime_skin = fractal_noise(rng, 64, 3);
  cv::Mat lime = img.clone();
  sphere(lime, {405, 318}, 62, bgr(40, 175, 120), lime_skin, 0.10f, 1.0);
  cv::GaussianBlur(lime, lime, cv::Size(0, 0), 2.2);
  paint(img, mask([](cv::Mat& m) { cv::circle(m, {405, 318}, 66, 255, cv::FILLED); }, 3.0), lime);
  cv::Mat dimples = value_noise(rng, 140, 140) * 0.7 + value_noise(rng, 48, 48) * 0.3;
  sphere(img, {235, 285}, 118, bgr(18, 120, 240), dimples, 0.12f, 0.8);
  // A leaf on the orange: soft green ellipse with a midrib.
  const cv::Mat leaf = mask(
      [](cv::Mat& m) {
        cv::ellipse(m, cv::Point(262, 160), cv::Size(62, 22), -28, 0, 360, 255, cv::FILLED,
                    cv::LINE_AA);
      },
      1.0);
  cv::Mat leaf_col = canvas(bgr(40, 130, 60));
  modulate(leaf_col, field([](float x, float y) { return (0.55f - x) + (y - 0.3f); }), 1.4f);
  paint(img, leaf, leaf_col);
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::line(m, {214, 187}, {312, 134}, 255, 2, cv::LINE_AA);
            },
            0.7),
        bgr(90, 190, 150) * 0.8f);
  // Lens vignette and sensor grain.
  modulate(img,
           field([](float x, float y) { return -std::pow(std::hypot(x - 0.5f, y - 0.5f), 2.f); }),
           0.9f);
  modulate(img, grain(rng, 1.0f), 0.035f);
  return to_8u(img);
}

cv::Mat flat_brand() {
  const Colour red = bgr(48, 38, 222), navy = bgr(112, 42, 22), yellow = bgr(24, 196, 255);
  cv::Mat img = canvas(bgr(255, 255, 255));
  constexpr int s = 16, shift = 4;  // sub-pixel drawing for clean antialiased edges
  const auto P = [](double x, double y) { return cv::Point(cvRound(x * s), cvRound(y * s)); };
  paint(img, mask([&](cv::Mat& m) {
          cv::circle(m, P(256, 196), 150 * s, 255, cv::FILLED, cv::LINE_AA, shift);
        }),
        red);
  paint(img, mask([&](cv::Mat& m) {
          cv::circle(m, P(318, 138), 36 * s, 255, cv::FILLED, cv::LINE_AA, shift);
        }),
        yellow);
  // Two bold mountain peaks, clipped to the disc by drawing the base as a chord.
  paint(img, mask([&](cv::Mat& m) {
          std::vector<cv::Point> peaks = {P(118, 290), P(206, 160), P(252, 222), P(300, 150),
                                          P(394, 290)};
          cv::fillPoly(m, std::vector<std::vector<cv::Point>>{peaks}, 255, cv::LINE_AA, shift);
          cv::Mat disc = cv::Mat::zeros(m.size(), CV_8U);
          cv::circle(disc, P(256, 196), 150 * s, 255, cv::FILLED, cv::LINE_AA, shift);
          cv::min(m, disc, m);
        }),
        navy);
  paint(img, mask([&](cv::Mat& m) {
          std::vector<cv::Point> snow = {P(206, 160), P(229, 194), P(216, 186),
                                         P(206, 198), P(194, 184), P(184, 192)};
          cv::fillPoly(m, std::vector<std::vector<cv::Point>>{snow}, 255, cv::LINE_AA, shift);
        }),
        bgr(255, 255, 255));
  // Wordmark: letter-like blocks of varying width, then a thin red tagline rule.
  const int widths[] = {30, 44, 14, 38, 30, 46, 14, 34};
  int x = 74;
  paint(img, mask([&](cv::Mat& m) {
          for (int i = 0; i < 8; ++i) {
            const int h = (i == 2 || i == 6) ? 64 : 50;  // ascenders
            cv::rectangle(m, P(x, 434 - h), P(x + widths[i], 434), 255, cv::FILLED, cv::LINE_AA,
                          shift);
            x += widths[i] + 12;
          }
        }),
        navy);
  paint(img, mask([&](cv::Mat& m) {
          cv::rectangle(m, P(74, 452), P(438, 462), 255, cv::FILLED, cv::LINE_AA, shift);
        }),
        red);
  return to_8u(img);
}

cv::Mat very_dark() {
  cv::RNG rng(0x4441524b);  // "DARK"
  cv::Mat img = canvas(bgr(14, 12, 11));
  modulate(img, field([](float x, float y) { return 0.4f - std::hypot(x - 0.5f, y - 0.45f); }),
           1.2f);
  modulate(img, fractal_noise(rng, 6, 4), 0.25f);
  // A dim embossed medallion: ring, inner disc, a coffee-bean mark, rim light on the top edge.
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::circle(m, {256, 256}, 168, 255, 14, cv::LINE_AA);
            },
            1.0),
        bgr(38, 40, 44));
  cv::Mat disc = canvas(bgr(24, 27, 32));
  modulate(disc, field([](float x, float y) { return (0.5f - y) + 0.3f * (0.5f - x); }), 1.0f);
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::circle(m, {256, 256}, 140, 255, cv::FILLED, cv::LINE_AA);
            },
            1.0),
        disc);
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::ellipse(m, {256, 256}, {62, 92}, 20, 0, 360, 255, cv::FILLED, cv::LINE_AA);
            },
            1.5),
        bgr(30, 42, 58));
  paint(img,
        mask(
            [](cv::Mat& m) {
              // The bean's S-shaped crease.
              std::vector<cv::Point> crease;
              for (int i = -10; i <= 10; ++i) {
                const double t = i / 10.0, along = 80 * t, across = 14 * std::sin(t * CV_PI);
                const double a = 20 * CV_PI / 180;  // same tilt as the bean
                crease.emplace_back(cvRound(256 - along * std::sin(a) + across * std::cos(a)),
                                    cvRound(256 + along * std::cos(a) + across * std::sin(a)));
              }
              cv::polylines(m, crease, false, 255, 7, cv::LINE_AA);
            },
            1.2),
        bgr(12, 14, 18));
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::ellipse(m, {256, 256}, {168, 168}, 0, 200, 300, 255, 3, cv::LINE_AA);
            },
            1.5),
        bgr(64, 76, 90));
  // A few faint specks, like embossed stars around the rim.
  paint(img,
        mask(
            [](cv::Mat& m) {
              for (int i = 0; i < 14; ++i) {
                const double a = i * 2 * CV_PI / 14 + 0.2;
                const cv::Point c(cvRound(256 + 200 * std::cos(a)),
                                  cvRound(256 + 200 * std::sin(a)));
                cv::circle(m, c, 4, 255, cv::FILLED, cv::LINE_AA);
              }
            },
            1.0),
        bgr(52, 62, 74));
  modulate(img, grain(rng, 1.0f), 0.06f);
  return to_8u(img);
}

cv::Mat very_light() {
  cv::RNG rng(0x4c494748);  // "LIGH"
  cv::Mat img = canvas(bgr(246, 248, 250));
  // Large out-of-focus pastel blobs.
  struct Blob {
    cv::Point c;
    int r;
    Colour col;
  };
  const Blob blobs[] = {{{150, 170}, 120, bgr(236, 222, 252)},  // blush pink
                        {{370, 150}, 100, bgr(232, 244, 214)},  // mint
                        {{300, 360}, 140, bgr(250, 228, 232)},  // lavender
                        {{110, 400}, 80, bgr(214, 242, 250)},   // butter
                        {{440, 420}, 70, bgr(250, 238, 220)}};  // powder blue
  for (const auto& b : blobs) {
    paint(img,
          mask([&](cv::Mat& m) { cv::circle(m, b.c, b.r, 255, cv::FILLED, cv::LINE_AA); }, 22.0),
          b.col);
  }
  // Fine pastel linework: a scalloped wave pattern, barely there.
  paint(img,
        mask(
            [](cv::Mat& m) {
              for (int row = 0; row < 6; ++row) {
                std::vector<cv::Point> pts;
                for (int x = 0; x <= kSide; x += 4) {
                  pts.emplace_back(x, cvRound(60 + row * 80 + 10 * std::sin(x / 24.0 + row)));
                }
                cv::polylines(m, pts, false, 255, 2, cv::LINE_AA);
              }
            },
            0.6),
        bgr(226, 226, 240));
  modulate(img, fractal_noise(rng, 16, 4), 0.012f);
  cv::min(img, 1.0, img);
  return to_8u(img);
}

cv::Mat low_contrast() {
  cv::RNG rng(0x4c4f5743);  // "LOWC"
  // Everything stays within about 112..148 grey: fog-grey packaging.
  cv::Mat img = canvas(bgr(128, 128, 128));
  const cv::Mat ramp = field([](float x, float y) { return 0.08f * (x - y); });
  modulate(img, ramp, 1.0f);
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::circle(m, {256, 256}, 170, 255, cv::FILLED, cv::LINE_AA);
            },
            2.0),
        bgr(140, 140, 140));
  paint(img,
        mask(
            [](cv::Mat& m) {
              for (int i = -8; i < 8; ++i) {
                cv::line(m, {256 + i * 40 - 300, -20}, {256 + i * 40 + 300, 540}, 255, 12,
                         cv::LINE_AA);
              }
              cv::Mat disc = cv::Mat::zeros(m.size(), CV_8U);
              cv::circle(disc, {256, 256}, 150, 255, cv::FILLED, cv::LINE_AA);
              cv::min(m, disc, m);
            },
            1.0),
        bgr(118, 118, 118));
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::rectangle(m, cv::Rect(176, 226, 160, 60), 255, cv::FILLED, cv::LINE_AA);
            },
            1.0),
        bgr(146, 146, 146));
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::circle(m, {256, 256}, 176, 255, 4, cv::LINE_AA);
            },
            0.8),
        bgr(114, 114, 114));
  modulate(img, fractal_noise(rng, 8, 5), 0.03f);
  return to_8u(img);
}

cv::Mat transparent() {
  // A five-petal flower emblem: orange petals, teal heart, white highlight; soft alpha rim.
  // Colour is straight (not premultiplied) alpha: the petal colour runs right to the rim, so
  // compositing the soft edge gives no dark fringe.
  const cv::Point c(256, 256);
  cv::Mat img = canvas(bgr(20, 120, 245));
  modulate(img,
           field([](float x, float y) { return 0.6f - std::hypot(x - 0.5f, y - 0.5f) * 2.2f; }),
           0.35f);
  cv::Mat alpha = mask(
      [&](cv::Mat& m) {
        for (int i = 0; i < 5; ++i) {
          const double a = -90 + i * 72;
          const cv::Point pc(cvRound(c.x + 110 * std::cos(a * CV_PI / 180)),
                             cvRound(c.y + 110 * std::sin(a * CV_PI / 180)));
          cv::ellipse(m, pc, {112, 70}, a, 0, 360, 255, cv::FILLED, cv::LINE_AA);
        }
      },
      3.0);
  // Darker petal veins, then the heart.
  paint(img,
        mask(
            [&](cv::Mat& m) {
              for (int i = 0; i < 5; ++i) {
                const double a = (-90 + i * 72) * CV_PI / 180;
                cv::line(m, c, {cvRound(c.x + 190 * std::cos(a)), cvRound(c.y + 190 * std::sin(a))},
                         255, 6, cv::LINE_AA);
              }
            },
            2.0),
        bgr(10, 80, 200));
  const cv::Mat heart =
      mask([&](cv::Mat& m) { cv::circle(m, c, 74, 255, cv::FILLED, cv::LINE_AA); }, 1.0);
  paint(img, heart, bgr(150, 140, 10));
  paint(img,
        mask(
            [&](cv::Mat& m) {
              cv::circle(m, {236, 234}, 22, 255, cv::FILLED, cv::LINE_AA);
            },
            6.0),
        bgr(230, 240, 200));
  // Feather the rim further (about 4 px in all) as a soft-edged export would be.
  cv::GaussianBlur(alpha, alpha, cv::Size(0, 0), 2.0);
  cv::Mat bgr8 = to_8u(img), a8 = to_8u(alpha);
  // Keep the background exactly transparent and black underneath, as exporters leave it.
  bgr8.setTo(cv::Scalar::all(0), a8 == 0);
  cv::Mat out;
  cv::merge(std::vector<cv::Mat>{bgr8, a8}, out);
  return out;
}

cv::Mat colour_photo() {
  cv::RNG rng(0x434f4c52);  // "COLR"
  // Sky: deep blue overhead to a warm pale haze at the horizon.
  cv::Mat img(kSide, kSide, CV_32FC3);
  for (int y = 0; y < kSide; ++y) {
    const float t = std::clamp(y / 300.0f, 0.0f, 1.0f);
    const Colour top = bgr(200, 110, 30), mid = bgr(240, 190, 110), low = bgr(200, 230, 250);
    const Colour col = t < 0.6f ? top * (1 - t / 0.6f) + mid * (t / 0.6f)
                                : mid * (1 - (t - 0.6f) / 0.4f) + low * ((t - 0.6f) / 0.4f);
    img.row(y).setTo(cv::Scalar(col[0], col[1], col[2]));
  }
  // Sun with a glow.
  const cv::Mat glow = field([](float x, float y) {
    const float d = std::hypot(x - 0.72f, y - 0.26f);
    return std::exp(-d * d / 0.012f) * 0.85f;
  });
  paint(img, glow, bgr(170, 235, 255));
  paint(img,
        mask(
            [](cv::Mat& m) {
              cv::circle(m, {369, 133}, 34, 255, cv::FILLED, cv::LINE_AA);
            },
            1.0),
        bgr(200, 250, 255));
  // Wispy clouds.
  const cv::Mat puffs = value_noise(rng, 5, 12) * 0.5 + value_noise(rng, 20, 40) * 0.3;
  const cv::Mat clouds = field([&](float x, float y) {
    const float v =
        puffs.at<float>(std::min(int(y * kSide), kSide - 1), std::min(int(x * kSide), kSide - 1));
    return smoothstep(0.15f, 0.55f, v) * (1.0f - smoothstep(0.25f, 0.45f, y)) * 0.8f;
  });
  paint(img, clouds, bgr(250, 245, 245));
  // Three hill ranges, hazy far to saturated near, each with its own ridge line.
  struct Range {
    float base, amp, freq, phase;
    Colour col;
    float texture;
  };
  const Range ranges[] = {{0.50f, 0.05f, 9.0f, 0.5f, bgr(150, 150, 80), 0.05f},
                          {0.60f, 0.06f, 6.0f, 2.0f, bgr(60, 160, 60), 0.15f},
                          {0.74f, 0.05f, 4.0f, 4.0f, bgr(30, 130, 40), 0.35f}};
  for (const auto& r : ranges) {
    const cv::Mat ridge_noise = value_noise(rng, 20, 2);
    const cv::Mat cover = field([&](float x, float y) {
      const float ridge = r.base - r.amp * std::sin(x * r.freq + r.phase) -
                          0.02f * ridge_noise.at<float>(0, std::min(int(x * kSide), kSide - 1));
      return smoothstep(ridge - 0.002f, ridge + 0.002f, y);
    });
    cv::Mat col = canvas(r.col);
    modulate(col, fractal_noise(rng, 32, 4), r.texture);
    modulate(col, field([&](float, float y) { return (y - r.base) * 1.5f; }), -0.6f);
    paint(img, cover, col);
  }
  // Foreground foliage: clumps of bushes with leafy texture, and bright flowers in the meadow.
  cv::Mat leaves = fractal_noise(rng, 96, 3);
  for (int i = 0; i < 9; ++i) {
    const cv::Point c(rng.uniform(0, kSide), rng.uniform(420, 520));
    const int rad = rng.uniform(30, 70);
    cv::Mat col = canvas(bgr(20, 95 + rng.uniform(0, 50), 25 + rng.uniform(0, 40)));
    modulate(col, leaves, 0.6f);
    modulate(col, field([&](float x, float y) {
               return (c.x / float(kSide) - x) * 2.0f + (c.y / float(kSide) - y) * 2.0f;
             }),
             0.5f);
    paint(img, mask([&](cv::Mat& m) { cv::circle(m, c, rad, 255, cv::FILLED, cv::LINE_AA); }, 2.0),
          col);
  }
  // Flowers: one mask per colour, since a full-size mask per speck would dominate the cost.
  const Colour flower_colours[] = {bgr(40, 210, 250), bgr(60, 60, 230), bgr(230, 230, 240)};
  std::vector<cv::Mat> flowers(3);
  for (auto& f : flowers) f = cv::Mat::zeros(kSide, kSide, CV_8U);
  for (int i = 0; i < 160; ++i) {
    const cv::Point c(rng.uniform(0, kSide), rng.uniform(400, kSide));
    cv::circle(flowers[i % 3], c, rng.uniform(2, 4), 255, cv::FILLED, cv::LINE_AA);
  }
  for (int k = 0; k < 3; ++k) {
    paint(img, mask([&](cv::Mat& m) { flowers[k].copyTo(m); }), flower_colours[k]);
  }
  modulate(img, grain(rng, 1.0f), 0.02f);
  return to_8u(img);
}

// A wordmark on white: dark letter strokes across the middle band, white above and below,
// as a brand's name-only logo is usually supplied. Letters are built from bars and bowls
// so that they have the stems, counters and gaps of real type.
cv::Mat wordmark() {
  const Colour ink = bgr(40, 30, 30);
  cv::Mat img = canvas(bgr(255, 255, 255));
  constexpr int s = 16, shift = 4;
  const auto P = [](double x, double y) { return cv::Point(cvRound(x * s), cvRound(y * s)); };
  paint(img, mask([&](cv::Mat& m) {
          const double top = 196, base = 316, stem = 18;
          double x = 40;
          // Six letters: a stem letter, a bowl, a diagonal, a stem pair, a bowl, a stem.
          for (int i = 0; i < 6; ++i) {
            switch (i % 3) {
              case 0:
                cv::rectangle(m, P(x, top), P(x + stem, base), 255, cv::FILLED, cv::LINE_AA, shift);
                cv::rectangle(m, P(x, top), P(x + 52, top + stem), 255, cv::FILLED, cv::LINE_AA,
                              shift);
                cv::rectangle(m, P(x, (top + base) / 2 - 8), P(x + 40, (top + base) / 2 + 8), 255,
                              cv::FILLED, cv::LINE_AA, shift);
                x += 70;
                break;
              case 1:
                cv::ellipse(m, P(x + 34, (top + base) / 2), cv::Size(34 * s, 60 * s), 0, 0, 360,
                            255, cvRound(stem) * 1, cv::LINE_AA, shift);
                x += 86;
                break;
              default:
                cv::line(m, P(x, base), P(x + 30, top), 255, cvRound(stem), cv::LINE_AA, shift);
                cv::line(m, P(x + 30, top), P(x + 60, base), 255, cvRound(stem), cv::LINE_AA,
                         shift);
                x += 78;
                break;
            }
          }
        }),
        ink);
  return to_8u(img);
}

// A thin-line icon on white (a cup with steam, 6 px strokes): little ink, fine detail.
cv::Mat thin_icon() {
  const Colour ink = bgr(90, 60, 20);
  cv::Mat img = canvas(bgr(255, 255, 255));
  constexpr int s = 16, shift = 4;
  const auto P = [](double x, double y) { return cv::Point(cvRound(x * s), cvRound(y * s)); };
  paint(img, mask([&](cv::Mat& m) {
          constexpr int w = 6;
          cv::rectangle(m, P(150, 230), P(330, 400), 255, w, cv::LINE_AA, shift);
          cv::ellipse(m, P(330, 300), cv::Size(44 * s, 44 * s), 0, -90, 90, 255, w, cv::LINE_AA,
                      shift);
          cv::line(m, P(120, 430), P(380, 430), 255, w, cv::LINE_AA, shift);
          for (int k = 0; k < 3; ++k) {
            const double x0 = 190 + 50 * k;
            for (int seg = 0; seg < 6; ++seg) {
              const double y0 = 200 - 18 * seg, y1 = y0 - 18;
              const double dx0 = (seg % 2 ? -10 : 10), dx1 = -dx0;
              cv::line(m, P(x0 + dx0, y0), P(x0 + dx1, y1), 255, w, cv::LINE_AA, shift);
            }
          }
        }),
        ink);
  return to_8u(img);
}

// A flat logo in mid-grey on white: a grey badge with a lighter grey mark, the tones a
// reader's threshold sits closest to.
cv::Mat mid_grey() {
  cv::Mat img = canvas(bgr(255, 255, 255));
  constexpr int s = 16, shift = 4;
  const auto P = [](double x, double y) { return cv::Point(cvRound(x * s), cvRound(y * s)); };
  paint(img, mask([&](cv::Mat& m) {
          cv::circle(m, P(256, 256), 200 * s, 255, cv::FILLED, cv::LINE_AA, shift);
        }),
        bgr(128, 128, 128));
  paint(img, mask([&](cv::Mat& m) {
          std::vector<cv::Point> star;
          for (int k = 0; k < 10; ++k) {
            const double a = -CV_PI / 2 + k * CV_PI / 5, r = k % 2 ? 60 : 140;
            star.push_back(P(256 + r * std::cos(a), 256 + r * std::sin(a)));
          }
          cv::fillPoly(m, std::vector<std::vector<cv::Point>>{star}, 255, cv::LINE_AA, shift);
        }),
        bgr(170, 170, 170));
  return to_8u(img);
}

}  // namespace

std::vector<TestLogo> test_logos() {
  return {{"photo", photo()},
          {"flat_brand", flat_brand()},
          {"very_dark", very_dark()},
          {"very_light", very_light()},
          {"low_contrast", low_contrast()},
          {"transparent", transparent()},
          {"colour_photo", colour_photo()},
          {"wordmark", wordmark()},
          {"thin_icon", thin_icon()},
          {"mid_grey", mid_grey()}};
}

}  // namespace viscode::test
