// The readers a verification reads with: ours, and the three references where this build
// has them. The references get the same grey image ours sees (BT.601 luma, transparency
// over white), so a difference between readers is the readers'.
#include <algorithm>
#include <opencv2/imgproc.hpp>

#include "paper.hpp"
#include "viscode/detect.hpp"
#include "viscode/enum_names.hpp"
#include "viscode/error.hpp"
#include "viscode/verify.hpp"

#ifndef VISCODE_WITH_ZXING
#define VISCODE_WITH_ZXING 0
#endif
#ifndef VISCODE_WITH_WECHAT
#define VISCODE_WITH_WECHAT 0
#endif
#ifndef VISCODE_WITH_ZBAR
#define VISCODE_WITH_ZBAR 0
#endif

// Before ZXing: zxing-cpp 1.4's Error.h defines a macro UnsupportedError, the name of a class
// zbar.h declares (it pulls in ZBar's C++ API when compiled as C++).
#if VISCODE_WITH_ZBAR
#include <zbar.h>
#endif
#if VISCODE_WITH_ZXING
#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <ZXing/TextUtfEncoding.h>
#endif
#if VISCODE_WITH_WECHAT
#include <opencv2/wechat_qrcode.hpp>
#endif

namespace viscode {
namespace {

using detail::over_white;

[[maybe_unused]] cv::Mat continuous_grey(const cv::Mat& image) {
  if (image.depth() != CV_8U ||
      (image.channels() != 1 && image.channels() != 3 && image.channels() != 4)) {
    throw Error(ErrorCategory::input, "the image must be 8-bit grey, BGR or BGRA");
  }
  cv::Mat grey;
  if (image.channels() == 1) {
    grey = image;
  } else {
    cv::cvtColor(over_white(image), grey, cv::COLOR_BGR2GRAY);
  }
  return grey.isContinuous() ? grey : grey.clone();
}

constexpr bool kHaveZxing = VISCODE_WITH_ZXING != 0;
constexpr bool kHaveWechat = VISCODE_WITH_WECHAT != 0;
constexpr bool kHaveZbar = VISCODE_WITH_ZBAR != 0;

#if VISCODE_WITH_ZBAR
// QR only: ZBar enables every 1-D symbology by default, and an EAN read in a logo's stripes
// must not count as a text the code gave. (zbar::ImageScanner owns a raw pointer and has
// the implicit copy, hence a wrapper rather than a lambda returning one.)
struct QrOnlyScanner {
  zbar::ImageScanner scanner;
  QrOnlyScanner() {
    scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    scanner.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  }
};

std::vector<std::string> read_zbar(const cv::Mat& grey, ReadAs as) {
  // A fresh scanner per image: it is not thread-safe, and it keeps state from the last
  // scan, so one kept per thread made a read depend on which image that thread read before
  // (verify's rates moved by a capture from run to run).
  QrOnlyScanner qr;
  zbar::ImageScanner& scanner = qr.scanner;
  // Without it ZBar converts the data by its own character-set guess, which no byte
  // comparison survives.
  if (as == ReadAs::bytes) scanner.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_BINARY, 1);
  // "Y800": 8-bit grey, one byte per pixel, rows without padding (grey is continuous).
  // ZBar borrows the pixels; the image dies before grey does.
  zbar::Image image(static_cast<unsigned>(grey.cols), static_cast<unsigned>(grey.rows), "Y800",
                    grey.data, grey.total());
  std::vector<std::string> texts;
  if (scanner.scan(image) <= 0) return texts;
  for (auto sym = image.symbol_begin(); sym != image.symbol_end(); ++sym) {
    // get_data() is built from zbar_symbol_get_data_length(), so a NUL in the data survives.
    if (sym->get_type() == zbar::ZBAR_QRCODE) texts.push_back(sym->get_data());
  }
  return texts;
}
#endif

}  // namespace

std::string_view to_string(Reader reader) {
  return enum_name(reader);
}

Reader parse_reader(std::string_view name) {
  if (const auto found = parse_enum<Reader>(name)) {
    const Reader r = *found;
    const auto have = available_readers();
    if (std::find(have.begin(), have.end(), r) == have.end()) {
      throw Error(ErrorCategory::usage,
                  "reader '" + std::string(name) +
                      "' is not in this build of viscode (its library was not found when it "
                      "was built): choose from ours" +
                      (kHaveZxing ? ", zxing" : "") + (kHaveWechat ? ", wechat" : "") +
                      (kHaveZbar ? ", zbar" : ""));
    }
    return r;
  }
  throw Error(ErrorCategory::usage, "unknown reader '" + std::string(name) + "': choose from " +
                                        enum_name_list<Reader>(", "));
}

std::vector<Reader> available_readers() {
  std::vector<Reader> out = {Reader::ours};
  if (kHaveZxing) out.push_back(Reader::zxing);
  if (kHaveWechat) out.push_back(Reader::wechat);
  if (kHaveZbar) out.push_back(Reader::zbar);
  return out;
}

std::vector<std::string> read_with(Reader reader, const cv::Mat& image, ReadAs as) {
  if (image.empty()) throw Error(ErrorCategory::input, "the image is empty");
  std::vector<std::string> texts;
  switch (reader) {
    case Reader::ours:
      for (Decoded& d : read_codes(image)) {
        if (as == ReadAs::bytes) {
          texts.emplace_back(d.bytes.begin(), d.bytes.end());
        } else {
          texts.push_back(std::move(d.text));
        }
      }
      return texts;
    case Reader::zxing: {
#if VISCODE_WITH_ZXING
      const cv::Mat grey = continuous_grey(image);
      const auto hints = ZXing::DecodeHints()
                             .setFormats(ZXing::BarcodeFormat::QRCode)
                             .setTryHarder(true)
                             .setTryRotate(true);
      const ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                                  static_cast<int>(grey.step[0]));
      for (const auto& result : ZXing::ReadBarcodes(view, hints)) {
        if (!result.isValid()) continue;
        if (as == ReadAs::bytes) {
          texts.emplace_back(result.bytes().begin(), result.bytes().end());
        } else {
          // zxing-cpp 1.4 returns wide text unless a macro every includer agrees on is set.
          texts.push_back(ZXing::TextUtfEncoding::ToUtf8(result.text()));
        }
      }
      return texts;
#else
      break;
#endif
    }
    case Reader::wechat: {
#if VISCODE_WITH_WECHAT
      // Without the CNN model files (Debian ships none) WeChat uses its finder-pattern
      // detector. One instance per thread: building one is costly, sharing is not
      // documented as safe. It returns byte segments as they are, unconverted (OpenCV 4.6:
      // bytes that are not UTF-8 come back unchanged), so text and bytes are one string.
      thread_local cv::wechat_qrcode::WeChatQRCode wechat;
      return wechat.detectAndDecode(continuous_grey(image));
#else
      break;
#endif
    }
    case Reader::zbar: {
#if VISCODE_WITH_ZBAR
      return read_zbar(continuous_grey(image), as);
#else
      break;
#endif
    }
  }
  throw Error(ErrorCategory::usage,
              "reader '" + std::string(to_string(reader)) + "' is not in this build of viscode");
}

}  // namespace viscode
