#include "read_texts.hpp"

#include "option_flags.hpp"
#include "viscode/error.hpp"

namespace viscode::cli {

std::vector<std::string> read_texts(const std::string& file, const ReadOptions& options,
                                    ReadTally& tally,
                                    const std::function<void(const std::string&)>& report) {
  std::vector<std::string> texts;
  try {
    for (const Decoded& d : read_codes(read_image(file, options), options)) texts.push_back(d.text);
  } catch (const Error& e) {
    // A bad option is no fault of the file: it stops the command (exit 2).
    if (e.category() == ErrorCategory::usage) throw;
    report(with_flags(e.what()));
    tally.unreadable = true;
    return texts;
  }
  if (texts.empty()) {
    report("no code found in '" + file + "'");
    tally.no_code = true;
  }
  return texts;
}

}  // namespace viscode::cli
