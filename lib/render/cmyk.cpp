#include "render/cmyk.hpp"

#include <lcms2.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <vector>

#include "file_input.hpp"
#include "sha256.hpp"
#include "viscode/error.hpp"

namespace viscode::detail {

struct CmykConversion::Transform {
  cmsHTRANSFORM handle = nullptr;
  ~Transform() {
    if (handle != nullptr) cmsDeleteTransform(handle);
  }
};

namespace {

std::string named(const std::filesystem::path& icc) {
  return "PrintOptions.icc '" + icc.string() + "'";
}

std::vector<std::uint8_t> read_all(const std::filesystem::path& icc) {
  std::error_code ec;
  // Profiles are kilobytes to a few megabytes; a device or FIFO is refused before reading.
  if (std::filesystem::exists(icc, ec)) {
    detail::check_input_file(icc, {.what = "PrintOptions.icc",
                                   .give = "give the printer's ICC profile file",
                                   .max_bytes = 64ull << 20,
                                   .shrink = "that is not an ICC profile"});
  }
  std::ifstream in(icc, std::ios::binary);
  if (!in) {
    throw Error(ErrorCategory::input, named(icc) + " cannot be read (" + std::strerror(errno) +
                                          "): check the path to the printer's ICC profile");
  }
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                  std::istreambuf_iterator<char>());
  if (in.bad() || bytes.empty()) {
    throw Error(ErrorCategory::input, named(icc) + " cannot be read or is empty");
  }
  return bytes;
}

}  // namespace

void validate_ink(Ink ink, const std::filesystem::path& icc, const RenderOptions& options) {
  if (ink == Ink::k && options.dark != Rgb{0, 0, 0}) {
    throw Error(ErrorCategory::usage,
                "PrintOptions.ink k prints dark modules in black ink alone: use RenderOptions.dark "
                "#000000, or PrintOptions.ink cmyk to convert " +
                    to_hex(options.dark));
  }
  if (!icc.empty() && ink != Ink::cmyk) {
    throw Error(
        ErrorCategory::usage,
        "PrintOptions.icc converts colours for PrintOptions.ink cmyk: add PrintOptions.ink cmyk or "
        "drop PrintOptions.icc");
  }
}

Cmyk naive_cmyk(double r, double g, double b) {
  const double k = 1 - std::max({r, g, b});
  if (k >= 1) return {0, 0, 0, 1};
  const auto ink = [k](double v) { return std::clamp((1 - v - k) / (1 - k), 0.0, 1.0); };
  return {ink(r), ink(g), ink(b), k};
}

std::shared_ptr<const CmykConversion> CmykConversion::load(const std::filesystem::path& icc) {
  if (icc.empty()) {
    static const auto naive = [] {
      auto c = std::make_shared<CmykConversion>();
      c->id_ = "naive";
      return std::shared_ptr<const CmykConversion>(c);
    }();
    return naive;
  }
  std::error_code ec;
  const auto size = std::filesystem::file_size(icc, ec);
  const auto time =
      ec ? std::filesystem::file_time_type{} : std::filesystem::last_write_time(icc, ec);
  struct Entry {
    std::filesystem::path path;
    std::uintmax_t size;
    std::filesystem::file_time_type time;
    std::shared_ptr<const CmykConversion> conversion;
  };
  static std::mutex mu;
  static std::vector<Entry> cache;  // most recent last
  if (!ec) {
    const std::lock_guard lock(mu);
    for (const Entry& e : cache) {
      if (e.path == icc && e.size == size && e.time == time) return e.conversion;
    }
  }
  const std::vector<std::uint8_t> bytes = read_all(icc);
  cmsHPROFILE out = cmsOpenProfileFromMem(bytes.data(), static_cast<cmsUInt32Number>(bytes.size()));
  if (out == nullptr) {
    throw Error(ErrorCategory::input,
                named(icc) + " is not an ICC profile: give the printer's CMYK output profile");
  }
  if (cmsGetColorSpace(out) != cmsSigCmykData) {
    cmsCloseProfile(out);
    throw Error(ErrorCategory::usage, named(icc) +
                                          " is not a CMYK profile: give the printer's CMYK "
                                          "output profile (e.g. FOGRA39 or GRACoL)");
  }
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  // Relative colorimetric with black-point compensation: a brand's colours kept where the
  // press can print them, and its darkest tone mapped to the press's black. No cache inside
  // the transform, so that worker threads may share it.
  cmsHTRANSFORM t =
      cmsCreateTransform(srgb, TYPE_RGB_8, out, TYPE_CMYK_8, INTENT_RELATIVE_COLORIMETRIC,
                         cmsFLAGS_BLACKPOINTCOMPENSATION | cmsFLAGS_NOCACHE);
  cmsCloseProfile(srgb);
  cmsCloseProfile(out);
  if (t == nullptr) {
    throw Error(ErrorCategory::usage,
                named(icc) +
                    " cannot convert from RGB (is it an output profile?): give the "
                    "printer's CMYK output profile");
  }
  auto transform = std::make_shared<Transform>();
  transform->handle = t;
  auto c = std::make_shared<CmykConversion>();
  c->transform_ = transform;
  c->id_ = sha256_hex(bytes);
  std::shared_ptr<const CmykConversion> result = c;
  if (!ec) {
    const std::lock_guard lock(mu);
    if (cache.size() == 4) cache.erase(cache.begin());
    cache.push_back(Entry{icc, size, time, result});
  }
  return result;
}

Cmyk CmykConversion::operator()(Rgb c) const {
  if (c == Rgb{0, 0, 0}) return {0, 0, 0, 1};
  if (c == Rgb{255, 255, 255}) return {0, 0, 0, 0};
  if (!transform_) return naive_cmyk(c.r / 255.0, c.g / 255.0, c.b / 255.0);
  const std::uint8_t in[3] = {c.r, c.g, c.b};
  std::uint8_t out[4] = {};
  cmsDoTransform(transform_->handle, in, out, 1);
  return {out[0] / 255.0, out[1] / 255.0, out[2] / 255.0, out[3] / 255.0};
}

cv::Mat CmykConversion::image(const cv::Mat& rgb) const {
  cv::Mat out(rgb.rows, rgb.cols, CV_8UC4);
  for (int y = 0; y < rgb.rows; ++y) {
    const auto* s = rgb.ptr<cv::Vec3b>(y);
    auto* d = out.ptr<cv::Vec4b>(y);
    if (transform_) {
      cmsDoTransform(transform_->handle, s, d, static_cast<cmsUInt32Number>(rgb.cols));
    }
    for (int x = 0; x < rgb.cols; ++x) {
      const Rgb c{s[x][0], s[x][1], s[x][2]};
      if (transform_ && c != Rgb{0, 0, 0} && c != Rgb{255, 255, 255}) continue;
      const Cmyk k = (*this)(c);
      const auto b = [](double v) { return static_cast<std::uint8_t>(std::lround(v * 255)); };
      d[x] = cv::Vec4b(b(k.c), b(k.m), b(k.y), b(k.k));
    }
  }
  return out;
}

}  // namespace viscode::detail
