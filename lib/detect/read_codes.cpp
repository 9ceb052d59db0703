// The front door for reading: an image in memory or a file, every code in it out.
#include "viscode/detect.hpp"

namespace viscode {

std::vector<Decoded> read_codes(const cv::Mat& image, const ReadOptions& options) {
  return detect(image, options);
}

std::vector<Decoded> read_codes(const std::filesystem::path& file, const ReadOptions& options) {
  return detect(read_image_file(file, options).image, options);
}

}  // namespace viscode
