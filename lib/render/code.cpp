// The front door for making a code: a Design and a symbol, kept together with the print
// size so that writing needs nothing more than a path.
#include "viscode/code.hpp"

#include <utility>

namespace viscode {

Code::Code(Design design, Symbol symbol, PrintOptions print)
    : design_(std::move(design)), symbol_(std::move(symbol)), print_(std::move(print)) {}

cv::Mat Code::image(int module_px) const {
  return design_.render(symbol_, module_px);
}

std::vector<std::uint8_t> Code::bytes(Format format) const {
  return design_.render_file(symbol_, print_, format);
}

OutputInfo Code::info(Format format) const {
  return plan_output(symbol_, design_.render_options(), print_, format);
}

OutputInfo Code::write(const std::filesystem::path& file) const {
  return design_.write(symbol_, print_, file);
}

Code make_code(const Design& design, std::string_view payload, const PrintOptions& print) {
  return Code(design, design.symbol(payload), print);
}

Code make_code(std::string_view payload, const CodeOptions& options) {
  return make_code(Design(options.logo, options.encode, options.render), payload, options.print);
}

}  // namespace viscode
