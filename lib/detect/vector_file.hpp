// Rasterising vector files (SVG, PDF) for reading: viscode's own SVG and PDF output is what
// goes to print, so decode and verify read it as it will be printed.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "viscode/detect.hpp"

namespace viscode::detail {

enum class VectorKind { none, svg, pdf };

// PDF when the file starts with %PDF-; otherwise, unless its bytes start like a raster
// image, SVG when it ends in .svg or an <svg element starts in its first 1024 bytes.
VectorKind vector_kind(std::span<const std::uint8_t> bytes, const std::filesystem::path& file);

// The first page, over white paper, at options.vector_dpi (0: from the page's size).
ImageFile rasterise_svg(std::span<const std::uint8_t> bytes, const std::string& name,
                        const ReadOptions& options);
ImageFile rasterise_pdf(std::span<const std::uint8_t> bytes, const std::filesystem::path& file,
                        const ReadOptions& options);

}  // namespace viscode::detail
