// Symbols on curved or folded paper: a module grid that one homography cannot follow,
// resampled through corrections measured on the symbol's own timing and alignment patterns.
#pragma once

#include <array>
#include <opencv2/core.hpp>
#include <optional>

#include "detect/grid_fit.hpp"

namespace viscode::detail {

// A symbol resampled onto a regular grid: `image` shows module (x, y) at fit.map(x, y);
// corners are the symbol's corners (TL TR BR BL) in the source image.
struct Resampled {
  cv::Mat image;
  GridFit fit;
  std::array<cv::Point2f, 4> corners{};
};

// The symbol `fit` located, resampled where its own patterns say it is: the module
// boundaries along the timing row and column (every version has them) set where each
// column and row of modules lies, which follows a bend about either axis; the alignment
// patterns found near where that puts them (version 2 and up) pin the grid between them,
// each tile of the lattice they form interpolated from its corners. Empty when the
// patterns were not found or say the fit needs no correction.
std::optional<Resampled> follow_bend(const cv::Mat& grey, const GridFit& fit);

}  // namespace viscode::detail
