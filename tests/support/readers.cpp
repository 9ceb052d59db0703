#include "readers.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <ZXing/TextUtfEncoding.h>

#include <algorithm>
#include <opencv2/wechat_qrcode.hpp>
#include <stdexcept>
#include <vector>

#include "fidelity.hpp"

namespace viscode::test {
namespace {

// Both readers get the same luminance image, so a difference between them is the readers'.
cv::Mat grey_for_reading(const cv::Mat& image) {
  if (image.empty()) return {};
  const cv::Mat grey = to_grey(image);
  // ImageView needs one row stride for the whole view; a continuous copy makes that trivial.
  return grey.isContinuous() ? grey : grey.clone();
}

std::vector<std::string> read_zxing(const cv::Mat& grey) {
  const auto hints = ZXing::DecodeHints()
                         .setFormats(ZXing::BarcodeFormat::QRCode)
                         .setTryHarder(true)
                         .setTryRotate(true);
  const ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                              static_cast<int>(grey.step[0]));
  std::vector<std::string> texts;
  for (const auto& result : ZXing::ReadBarcodes(view, hints)) {
    if (!result.isValid()) continue;
    // zxing-cpp 1.4's Result::text() is a std::wstring unless ZX_USE_UTF8 is defined (it
    // prints a transition note otherwise). Converting explicitly keeps this independent of
    // that macro, which would otherwise have to agree across every TU that includes Result.h.
    texts.push_back(ZXing::TextUtfEncoding::ToUtf8(result.text()));
  }
  return texts;
}

std::vector<std::string> read_wechat(const cv::Mat& grey) {
  // Debian ships no WeChat CNN model files, so the detector is built without them: it then
  // falls back to its traditional (finder-pattern) detector and skips super-resolution.
  // Construction allocates the decoder pipeline, so each thread builds one and reuses it;
  // detectAndDecode is not documented as thread-safe, hence per thread rather than shared.
  thread_local cv::wechat_qrcode::WeChatQRCode detector;
  return detector.detectAndDecode(grey);
}

}  // namespace

std::string_view to_string(Reader reader) {
  switch (reader) {
    case Reader::zxing:
      return "zxing";
    case Reader::wechat:
      return "wechat";
  }
  return "unknown";
}

std::vector<std::string> read_all(Reader reader, const cv::Mat& bgr_or_grey) {
  const cv::Mat grey = grey_for_reading(bgr_or_grey);
  if (grey.empty()) return {};
  switch (reader) {
    case Reader::zxing:
      return read_zxing(grey);
    case Reader::wechat:
      return read_wechat(grey);
  }
  throw std::invalid_argument("readers: unknown Reader");
}

bool reads(Reader reader, const cv::Mat& bgr_or_grey, const std::string& expected) {
  const auto texts = read_all(reader, bgr_or_grey);
  return std::find(texts.begin(), texts.end(), expected) != texts.end();
}

}  // namespace viscode::test
