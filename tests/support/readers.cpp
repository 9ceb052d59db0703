#include "readers.hpp"

// Before ZXing: zxing-cpp 1.4's Error.h defines a macro UnsupportedError, the name of a class
// zbar.h declares (it pulls in ZBar's C++ API when compiled as C++).
// clang-format off
#include <zbar.h>
// clang-format on

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

// Every reader gets the same luminance image, so a difference between them is the readers'.
cv::Mat grey_for_reading(const cv::Mat& image) {
  if (image.empty()) return {};
  const cv::Mat grey = to_grey(image);
  // ImageView needs one row stride for the whole view; a continuous copy makes that trivial.
  return grey.isContinuous() ? grey : grey.clone();
}

std::vector<std::string> read_zxing(const cv::Mat& grey, bool bytes) {
  const auto hints = ZXing::DecodeHints()
                         .setFormats(ZXing::BarcodeFormat::QRCode)
                         .setTryHarder(true)
                         .setTryRotate(true);
  const ZXing::ImageView view(grey.data, grey.cols, grey.rows, ZXing::ImageFormat::Lum,
                              static_cast<int>(grey.step[0]));
  std::vector<std::string> texts;
  for (const auto& result : ZXing::ReadBarcodes(view, hints)) {
    if (!result.isValid()) continue;
    if (bytes) {
      texts.emplace_back(result.bytes().begin(), result.bytes().end());
      continue;
    }
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

// QR only: ZBar enables every 1-D symbology by default, and an EAN found in a logo's stripes
// is not a text the code gave. (zbar::ImageScanner owns a raw pointer yet has the implicit
// copy, so it is configured in place rather than returned from a lambda.)
struct QrOnlyScanner {
  zbar::ImageScanner scanner;
  QrOnlyScanner() {
    scanner.set_config(zbar::ZBAR_NONE, zbar::ZBAR_CFG_ENABLE, 0);
    scanner.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_ENABLE, 1);
  }
};

// The same, with ZBar's character-set conversion off: the data as encoded.
struct QrBinaryScanner : QrOnlyScanner {
  QrBinaryScanner() { scanner.set_config(zbar::ZBAR_QRCODE, zbar::ZBAR_CFG_BINARY, 1); }
};

std::vector<std::string> read_zbar(const cv::Mat& grey, bool bytes) {
  // A scanner keeps the last scan's state and is not thread-safe: one per thread.
  thread_local QrOnlyScanner text_qr;
  thread_local QrBinaryScanner binary_qr;
  QrOnlyScanner& qr = bytes ? binary_qr : text_qr;
  // "Y800": 8-bit grey, rows without padding (grey is continuous). ZBar borrows the pixels.
  zbar::Image image(static_cast<unsigned>(grey.cols), static_cast<unsigned>(grey.rows), "Y800",
                    grey.data, grey.total());
  std::vector<std::string> texts;
  if (qr.scanner.scan(image) <= 0) return texts;
  for (auto sym = image.symbol_begin(); sym != image.symbol_end(); ++sym) {
    // get_data() is built from zbar_symbol_get_data_length(), so a NUL in the data survives.
    // The bytes are ZBar's UTF-8 after its own character-set guess: byte-mode data that is
    // not valid UTF-8 comes back as ISO-8859-1 converted to UTF-8, as zxing-cpp gives it.
    // The guess can miss: a UTF-8 byte segment before a numeric one came back as Shift JIS
    // mojibake (test_detect_captures' mixed-mode codes).
    if (sym->get_type() == zbar::ZBAR_QRCODE) texts.push_back(sym->get_data());
  }
  return texts;
}

}  // namespace

std::string_view to_string(Reader reader) {
  switch (reader) {
    case Reader::zxing:
      return "zxing";
    case Reader::wechat:
      return "wechat";
    case Reader::zbar:
      return "zbar";
  }
  return "unknown";
}

const std::vector<Reader>& all_readers() {
  static const std::vector<Reader> readers = {Reader::zxing, Reader::wechat, Reader::zbar};
  return readers;
}

namespace {

std::vector<std::string> read_any(Reader reader, const cv::Mat& bgr_or_grey, bool bytes) {
  const cv::Mat grey = grey_for_reading(bgr_or_grey);
  if (grey.empty()) return {};
  switch (reader) {
    case Reader::zxing:
      return read_zxing(grey, bytes);
    case Reader::wechat:
      return read_wechat(grey);
    case Reader::zbar:
      return read_zbar(grey, bytes);
  }
  throw std::invalid_argument("readers: unknown Reader");
}

}  // namespace

std::vector<std::string> read_all(Reader reader, const cv::Mat& bgr_or_grey) {
  return read_any(reader, bgr_or_grey, false);
}

std::vector<std::string> read_all_bytes(Reader reader, const cv::Mat& bgr_or_grey) {
  return read_any(reader, bgr_or_grey, true);
}

bool reads(Reader reader, const cv::Mat& bgr_or_grey, const std::string& expected) {
  const auto texts = read_all(reader, bgr_or_grey);
  return std::find(texts.begin(), texts.end(), expected) != texts.end();
}

bool reads_bytes(Reader reader, const cv::Mat& bgr_or_grey, const std::string& expected) {
  const auto payloads = read_all_bytes(reader, bgr_or_grey);
  return std::find(payloads.begin(), payloads.end(), expected) != payloads.end();
}

}  // namespace viscode::test
