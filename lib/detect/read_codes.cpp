// The front door for reading a file, and the old name of reading an image.
#include "viscode/detect.hpp"

namespace viscode {

std::vector<Decoded> read_codes(const std::filesystem::path& file, const ReadOptions& options) {
  return read_codes(read_image_file(file, options).image, options);
}

std::vector<Decoded> detect(const cv::Mat& image, const ReadOptions& options) {
  return read_codes(image, options);
}

}  // namespace viscode
