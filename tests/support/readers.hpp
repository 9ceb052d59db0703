#pragma once
// Independent reference QR readers. Every claim the project makes about scannability is
// checked against these three, which share no code with viscode. (WeChat's decoder descends
// from ZXing too, but its detector and binariser differ, so they fail in different ways;
// ZBar shares no lineage with either.)

#include <opencv2/core.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace viscode::test {

enum class Reader {
  zxing,   // zxing-cpp 1.4, QR only, tryHarder + tryRotate
  wechat,  // OpenCV's WeChat reader, traditional detector (no CNN models, see readers.cpp)
  zbar,    // ZBar 0.23, QR only
};

std::string_view to_string(Reader reader);

// Every reference reader, in the order above: what tests and benchmarks loop over, so that
// a reader added here reads every generated code.
const std::vector<Reader>& all_readers();

// Every text the reader decodes from the image, as UTF-8, in the reader's order. The image is
// 8-bit grey (CV_8UC1), BGR (CV_8UC3) or BGRA (CV_8UC4, composited over white first), any
// size in px; every reader sees the same BT.601 grey. Empty result when nothing decodes (or
// the image is empty). Thread-safe: each thread has its own reader instances.
std::vector<std::string> read_all(Reader reader, const cv::Mat& bgr_or_grey);

// True iff one of the texts read_all() returns is byte-for-byte equal to expected.
bool reads(Reader reader, const cv::Mat& bgr_or_grey, const std::string& expected);

// Every payload the reader decodes from the image as the bytes that were encoded, with no
// character-set conversion: zxing-cpp's Result::bytes(), ZBar with ZBAR_CFG_BINARY, and
// WeChat's string (it converts nothing, so it is read_all()'s). For binary payloads, whose
// text each reader makes differently. Same images and threading as read_all().
std::vector<std::string> read_all_bytes(Reader reader, const cv::Mat& bgr_or_grey);

// True iff one of the payloads read_all_bytes() returns is equal to expected.
bool reads_bytes(Reader reader, const cv::Mat& bgr_or_grey, const std::string& expected);

}  // namespace viscode::test
